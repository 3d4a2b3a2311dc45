//===--- CompileDatabase.cpp - reading compile_commands.json --------------===//

#include "CompileDatabase.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace fearless::driver {

std::string relativeTo(const std::string &Path, const std::string &Root) {
  if (Root.empty())
    return Path;
  fs::path P = fs::path(Path).lexically_normal();
  fs::path Rel = P.lexically_relative(fs::path(Root).lexically_normal());
  if (Rel.empty() || *Rel.begin() == "..")
    return Path;
  return Rel.string();
}

static bool isBelow(const fs::path &File, const fs::path &Dir) {
  auto F = File.begin();
  for (auto D = Dir.begin(); D != Dir.end(); ++D, ++F) {
    if (D->empty()) // a trailing '/'
      continue;
    if (F == File.end() || *F != *D)
      return false;
  }
  return true;
}

std::vector<Unit> readCompileDatabase(const std::string &BuildDir,
                                      const std::vector<std::string> &Paths,
                                      std::string &DatabaseDir) {
  fs::path DbPath = BuildDir;
  std::error_code EC;
  if (fs::is_directory(DbPath, EC))
    DbPath /= "compile_commands.json";
  if (!fs::is_regular_file(DbPath, EC))
    throw InputError("no compile_commands.json at '" + DbPath.string() +
                     "' (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, "
                     "or pass -p BUILD_DIR)");
  DatabaseDir = fs::absolute(DbPath).parent_path().lexically_normal().string();

  std::ifstream In(DbPath);
  if (!In)
    throw InputError("cannot read '" + DbPath.string() + "'");
  nlohmann::json Db;
  try {
    Db = nlohmann::json::parse(In);
  } catch (const nlohmann::json::parse_error &E) {
    throw InputError("malformed '" + DbPath.string() +
                     "': not valid JSON (byte " + std::to_string(E.byte) + ")");
  }
  if (!Db.is_array())
    throw InputError("malformed '" + DbPath.string() +
                     "': expected an array of compile commands");

  std::vector<fs::path> Selected;
  for (const std::string &P : Paths)
    Selected.push_back(fs::absolute(P).lexically_normal());
  std::vector<bool> Used(Selected.size(), false);

  std::vector<Unit> Units;
  std::set<std::string> Seen;
  size_t Index = 0;
  for (const nlohmann::json &Entry : Db) {
    auto Bad = [&](const std::string &Why) {
      return InputError("malformed '" + DbPath.string() + "': entry " +
                        std::to_string(Index) + " " + Why);
    };
    if (!Entry.is_object())
      throw Bad("is not an object");
    auto File = Entry.find("file");
    auto Dir = Entry.find("directory");
    if (File == Entry.end() || !File->is_string())
      throw Bad("has no \"file\" string");
    if (Dir == Entry.end() || !Dir->is_string())
      throw Bad("has no \"directory\" string");
    auto Cmd = Entry.find("command");
    auto Args = Entry.find("arguments");
    if ((Cmd == Entry.end() || !Cmd->is_string()) &&
        (Args == Entry.end() || !Args->is_array()))
      throw Bad("has neither a \"command\" string nor an \"arguments\" array");
    ++Index;

    fs::path Directory = Dir->get<std::string>();
    fs::path Path = File->get<std::string>();
    if (Path.is_relative())
      Path = Directory / Path;
    Path = Path.lexically_normal();
    if (!Selected.empty()) {
      bool Match = false;
      for (size_t I = 0; I < Selected.size(); ++I)
        if (isBelow(Path, Selected[I]))
          Match = Used[I] = true;
      if (!Match)
        continue;
    }
    // A file compiled several times (several targets) is checked once.
    if (!Seen.insert(Path.string()).second)
      continue;
    Units.push_back({Path.string(), Directory.string()});
  }
  for (size_t I = 0; I < Selected.size(); ++I)
    if (!Used[I])
      throw InputError("'" + Paths[I] +
                       "' matches no file in the compile database");
  return Units;
}

} // namespace fearless::driver
