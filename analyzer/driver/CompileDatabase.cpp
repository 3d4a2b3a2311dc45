//===--- CompileDatabase.cpp - reading compile_commands.json --------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

#include "CompileDatabase.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string_view>

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

std::vector<std::string> splitCommand(const std::string &Command) {
  // As a POSIX shell splits words (clang's unescapeCommandLine does the
  // same): blanks separate, '...' is literal, "..." keeps blanks and lets
  // a backslash escape \ " $ `, a bare backslash escapes the next char.
  std::vector<std::string> Words;
  std::string Word;
  bool InWord = false;
  for (size_t I = 0; I < Command.size(); ++I) {
    char C = Command[I];
    if (C == ' ' || C == '\t' || C == '\n') {
      if (InWord)
        Words.push_back(std::move(Word));
      Word.clear();
      InWord = false;
      continue;
    }
    InWord = true;
    if (C == '\'') {
      size_t End = Command.find('\'', I + 1);
      if (End == std::string::npos)
        End = Command.size();
      Word += Command.substr(I + 1, End - I - 1);
      I = End;
    } else if (C == '"') {
      for (++I; I < Command.size() && Command[I] != '"'; ++I) {
        if (Command[I] == '\\' && I + 1 < Command.size() &&
            std::string_view("\\\"$`").find(Command[I + 1]) !=
                std::string_view::npos)
          ++I;
        Word += Command[I];
      }
    } else if (C == '\\' && I + 1 < Command.size()) {
      Word += Command[++I];
    } else {
      Word += C;
    }
  }
  if (InWord)
    Words.push_back(std::move(Word));
  return Words;
}

// Flags GCC accepts and clang rejects ("unknown argument"), as CodeChecker
// strips them: optimisation and diagnostics tuning that does not change
// what the code means. A trailing '=' or '-' matches a prefix.
static const char *const GccOnlyFlags[] = {
    "-fconcepts-diagnostics-depth=",
    "-fno-allow-store-data-races",
    "-fallow-store-data-races",
    "-fconserve-stack",
    "-fvar-tracking",
    "-fno-var-tracking",
    "-fvar-tracking-assignments",
    "-fno-var-tracking-assignments",
    "-fno-canonical-system-headers",
    "-fno-strength-reduce",
    "-fno-toplevel-reorder",
    "-fno-unit-at-a-time",
    "-fpartial-inlining",
    "-fpeephole2",
    "-fipa-",
    "-fno-ipa-",
    "-fgcse",
    "-fno-gcse",
    "-fsched-",
    "-fno-sched-",
    "-fselective-scheduling",
    "-fext-numeric-literals",
    "-fno-ext-numeric-literals",
    "-finline-limit",
    "-fmax-errors=",
    "-fdiagnostics-urls=",
    "-fdiagnostics-path-format=",
    "-fno-diagnostics-show-line-numbers",
    "-fdiagnostics-show-labels",
    "-fconstexpr-ops-limit=",
    "-fconstexpr-loop-limit=",
    "-fconstexpr-cache-depth=",
    "-fimplicit-constexpr",
    "-fmodule-mapper=",
    "-fdeps-",
    "-fcoroutines",
    "-fno-fat-lto-objects",
    "-flto-partition=",
    "-fno-printf-return-value",
    "-fstrict-volatile-bitfields",
    "-fno-keep-inline-dllexport",
    "-fcallgraph-info",
    "-fdump-",
    "-fopt-info",
    "-fcompare-debug",
    "-fno-tree-",
    "-ftree-",
    "-findirect-inlining",
    "-fhoist-adjacent-loads",
    "-frerun-cse-after-loop",
    "-fthread-jumps",
    "-fcse-follow-jumps",
    "-fcse-skip-blocks",
    "-fcrossjumping",
    "-fno-defer-pop",
    "-fno-aggressive-loop-optimizations",
    "-frename-registers",
    "-freorder-blocks-algorithm=",
    "-mpreferred-stack-boundary=",
    "-mindirect-branch=",
    "-mfunction-return=",
    "-mindirect-branch-register",
    "-mrecord-mcount",
};

// What turns a warning into an error: a warning must never fail a unit.
static bool promotesWarnings(const std::string &A) {
  return A == "-Werror" || A.rfind("-Werror=", 0) == 0 ||
         A == "-pedantic-errors" || A == "--pedantic-errors";
}

bool isGccOnlyFlag(const std::string &A) {
  for (const char *F : GccOnlyFlags) {
    std::string_view Flag(F);
    bool Prefix = Flag.back() == '=' || Flag.back() == '-';
    if (Prefix ? std::string_view(A).substr(0, Flag.size()) == Flag ||
                     A == Flag.substr(0, Flag.size() - 1)
               : A == Flag)
      return true;
  }
  return false;
}

std::vector<std::string> sanitizeArguments(std::vector<std::string> &Args) {
  std::vector<std::string> Removed;
  std::vector<std::string> Kept;
  for (size_t I = 0; I < Args.size(); ++I) {
    const std::string &A = Args[I];
    if (I > 0 && (isGccOnlyFlag(A) || promotesWarnings(A)))
      Removed.push_back(A);
    else
      Kept.push_back(A);
  }
  Args = std::move(Kept);
  return Removed;
}

// "-std=c++03" when the last -std names a level below C++11 (or the unit is
// C), "" otherwise.
static std::string oldStandard(const std::vector<std::string> &Args,
                               const fs::path &File) {
  std::string Std;
  bool XC = false;
  for (size_t I = 0; I < Args.size(); ++I) {
    const std::string &A = Args[I];
    if (A.rfind("-std=", 0) == 0 || A.rfind("--std=", 0) == 0)
      Std = A.substr(A.find('=') + 1);
    else if (A == "-x" && I + 1 < Args.size())
      XC = Args[I + 1] == "c";
    else if (A == "-xc")
      XC = true;
  }
  static const std::set<std::string> Old = {"c++98", "c++03", "gnu++98",
                                            "gnu++03"};
  if (Old.count(Std))
    return "-std=" + Std;
  if (XC || File.extension() == ".c")
    return "C";
  return "";
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
                                      std::string &DatabaseDir,
                                      std::vector<std::string> *Unlisted) {
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

    // Relative "directory" (rare) is relative to the database's folder;
    // relative "file" (Meson, ninja -t compdb) to "directory".
    fs::path Directory = Dir->get<std::string>();
    if (Directory.is_relative())
      Directory = fs::path(DatabaseDir) / Directory;
    Directory = Directory.lexically_normal();
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
    Unit U{Path.string(), Directory.string(), {}, {}, ""};
    if (Cmd != Entry.end() && Cmd->is_string()) {
      U.Arguments = splitCommand(Cmd->get<std::string>());
    } else {
      for (const nlohmann::json &A : *Args) {
        if (!A.is_string())
          throw Bad("has an \"arguments\" element that is not a string");
        U.Arguments.push_back(A.get<std::string>());
      }
    }
    if (U.Arguments.empty())
      throw Bad("has an empty compile command");
    U.Removed = sanitizeArguments(U.Arguments);
    U.OldStandard = oldStandard(U.Arguments, Path);
    Units.push_back(std::move(U));
  }
  for (size_t I = 0; I < Selected.size(); ++I) {
    if (Used[I])
      continue;
    if (!Unlisted)
      throw InputError("'" + Paths[I] +
                       "' matches no file in the compile database");
    Unlisted->push_back(Paths[I]);
  }
  return Units;
}

void writeCompileDatabase(const std::string &Dir,
                          const std::vector<Unit> &Units) {
  nlohmann::json Db = nlohmann::json::array();
  for (const Unit &U : Units)
    Db.push_back({{"directory", U.Directory},
                  {"file", U.File},
                  {"arguments", U.Arguments}});
  std::ofstream Out(fs::path(Dir) / "compile_commands.json");
  // Paths are bytes: a file name that is not UTF-8 is passed on as is.
  Out << Db.dump(1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!Out)
    throw InputError("cannot write the compile database for clang-tidy in '" +
                     Dir + "'");
}

} // namespace fearless::driver
