//===--- Output.cpp - text, JSON and SARIF reports ------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//=== ---------------------------------------------------------------------===//

#include "Output.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using nlohmann::json;
namespace fs = std::filesystem;

namespace fearless::driver {

namespace {

struct CheckDoc {
  const char *Name;
  const char *Markdown;
};

// docs/checks/<name>.md, embedded at build time (EmbedDocs.cmake).
const CheckDoc CheckDocs[] = {
#include "CheckDocs.inc"
};

const CheckDoc *findDoc(const std::string &Check) {
  for (const CheckDoc &D : CheckDocs)
    if (Check == D.Name)
      return &D;
  return nullptr;
}

std::string loc(const Location &L, const std::string &Root) {
  return relativeTo(L.File, Root) + ":" + std::to_string(L.Line) + ":" +
         std::to_string(L.Column);
}

size_t countNew(const Report &R) {
  return std::count_if(R.Findings.begin(), R.Findings.end(),
                       [](const Finding &F) { return !F.InBaseline; });
}

} // namespace

std::string checkSummary(const std::string &Check) {
  const CheckDoc *D = findDoc(Check);
  if (!D)
    return "";
  // The first line that is not the title: the one-sentence summary.
  std::istringstream In(D->Markdown);
  std::string Line;
  while (std::getline(In, Line))
    if (!Line.empty() && Line[0] != '#')
      return Line;
  return "";
}

void writeSummary(std::ostream &OS, const Report &R) {
  std::map<std::string, std::pair<size_t, size_t>> PerCheck; // all, new
  std::set<std::string> Files;
  for (const Finding &F : R.Findings) {
    auto &[All, New] = PerCheck[F.Check];
    ++All;
    if (!F.InBaseline) {
      ++New;
      Files.insert(F.Loc.File);
    }
  }
  if (!PerCheck.empty()) {
    size_t Width = 5;
    for (const auto &[Check, Counts] : PerCheck)
      Width = std::max(Width, Check.size());
    OS << "\n"
       << std::left << std::setw(Width + 2) << "check"
       << "findings";
    if (R.BaselineUsed)
      OS << "  new";
    OS << "\n";
    for (const auto &[Check, Counts] : PerCheck) {
      OS << std::left << std::setw(Width + 2) << Check << std::right
         << std::setw(8) << Counts.first;
      if (R.BaselineUsed)
        OS << std::setw(5) << Counts.second;
      OS << std::left << "\n";
    }
    OS << "\n";
  }
  size_t New = countNew(R);
  OS << "fearless-check: " << New << " finding(s)";
  if (R.BaselineUsed)
    OS << " not in the baseline (" << R.Findings.size() - New
       << " in the baseline)";
  OS << " in " << Files.size() << " file(s); " << R.UnitsChecked
     << " translation unit(s) checked";
  if (!R.Failed.empty())
    OS << ", " << R.Failed.size() << " failed";
  if (!R.Partial.empty())
    OS << ", " << R.Partial.size() << " with checks off for their language";
  if (R.HiddenHeaderFindings)
    OS << "; " << R.HiddenHeaderFindings
       << " finding(s) in headers outside --root not shown (see "
          "--header-filter)";
  if (R.UnitsSkipped)
    OS << "; " << R.UnitsSkipped
       << " skipped (their .clang-tidy turns off every selected check)";
  if (!R.ConfigErrors.empty())
    OS << "; " << R.ConfigErrors.size()
       << " error(s) in .clang-tidy files, whose options did not apply";
  OS << "\n";
}

// "path:line:col: message" of a .clang-tidy error, with the path relative
// to the root and what the error meant for the run.
struct ConfigError {
  std::string Where, Message;
};
static ConfigError configError(const std::string &Error,
                               const std::string &Root) {
  static const std::regex Located(R"(^(.+?)(:[0-9]+:[0-9]+): (.*)$)");
  std::smatch M;
  if (!std::regex_match(Error, M, Located))
    return {"", Error};
  return {relativeTo(M[1].str(), Root) + M[2].str(),
          M[3].str() + " (clang-tidy ignored this .clang-tidy file: its "
                       "options did not apply to this run)"};
}

void writeFailures(std::ostream &OS, const Report &R) {
  for (const std::string &E : R.ConfigErrors) {
    ConfigError C = configError(E, R.Root);
    OS << (C.Where.empty() ? "fearless-check" : C.Where)
       << ": error: " << C.Message << "\n";
  }
  for (const FailedUnit &U : R.Failed) {
    OS << relativeTo(U.File, R.Root)
       << ": error: translation unit not analysed: " << U.Reason;
    if (U.FindingsDropped)
      OS << " (" << U.FindingsDropped
         << " finding(s) of the partial analysis not reported)";
    OS << "\n";
  }
  for (const PartialUnit &U : R.Partial)
    OS << relativeTo(U.File, R.Root) << ": note: " << U.Reason << "\n";
}

void writeText(std::ostream &OS, const Report &R) {
  writeFailures(OS, R);
  if (!R.Failed.empty() || !R.ConfigErrors.empty() || !R.Partial.empty())
    OS << "\n";
  std::string File;
  for (const Finding &F : R.Findings) {
    if (F.InBaseline)
      continue;
    if (F.Loc.File != File) {
      if (!File.empty())
        OS << "\n";
      File = F.Loc.File;
      OS << "== " << relativeTo(File, R.Root) << "\n";
    }
    OS << loc(F.Loc, R.Root) << ": warning: " << F.Message << " [" << F.Check
       << "]\n";
    for (const Note &N : F.Notes)
      OS << loc(N.Loc, R.Root) << ": note: " << N.Message << "\n";
  }
  writeSummary(OS, R);
}

static json locationJson(const Location &L, const std::string &Root) {
  return {{"file", relativeTo(L.File, Root)},
          {"line", L.Line},
          {"column", L.Column}};
}

void writeJson(std::ostream &OS, const Report &R) {
  json Findings = json::array();
  std::map<std::string, size_t> PerCheck;
  for (const Finding &F : R.Findings) {
    json Notes = json::array();
    for (const Note &N : F.Notes) {
      json J = locationJson(N.Loc, R.Root);
      J["message"] = N.Message;
      Notes.push_back(J);
    }
    json J = locationJson(F.Loc, R.Root);
    J["check"] = F.Check;
    J["message"] = F.Message;
    J["notes"] = Notes;
    J["fingerprint"] = F.Fingerprint;
    J["new"] = !F.InBaseline;
    Findings.push_back(J);
    ++PerCheck[F.Check];
  }
  json Failed = json::array();
  for (const FailedUnit &U : R.Failed)
    Failed.push_back({{"file", relativeTo(U.File, R.Root)},
                      {"reason", U.Reason},
                      {"findingsNotReported", U.FindingsDropped}});
  json Partial = json::array();
  for (const PartialUnit &U : R.Partial)
    Partial.push_back(
        {{"file", relativeTo(U.File, R.Root)}, {"reason", U.Reason}});
  json ConfigErrors = json::array();
  for (const std::string &E : R.ConfigErrors) {
    ConfigError C = configError(E, R.Root);
    ConfigErrors.push_back({{"where", C.Where}, {"message", C.Message}});
  }
  json Out = {{"version", 1},
              {"tool", "fearless-check"},
              {"unitsChecked", R.UnitsChecked},
              {"unitsSkipped", R.UnitsSkipped},
              {"headerFindingsNotShown", R.HiddenHeaderFindings},
              {"failedUnits", Failed},
              {"partialUnits", Partial},
              {"configErrors", ConfigErrors},
              {"findings", Findings},
              {"summary",
               {{"findings", R.Findings.size()},
                {"new", countNew(R)},
                {"perCheck", PerCheck}}}};
  OS << Out.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

// Percent-encodes what may not appear in a URI reference path.
std::string uriPath(const std::string &Path) {
  std::string Out;
  for (unsigned char C : Path) {
    if (std::isalnum(C) ||
        std::string_view("/-._~").find(C) != std::string::npos)
      Out += static_cast<char>(C);
    else {
      char Buf[4];
      std::snprintf(Buf, sizeof(Buf), "%%%02X", C);
      Out += Buf;
    }
  }
  return Out;
}

static json physicalLocation(const Location &L, const std::string &Root) {
  std::string Rel = relativeTo(L.File, Root);
  json Artifact = {{"uri", uriPath(Rel)}};
  if (Rel != L.File)
    Artifact["uriBaseId"] = "%SRCROOT%";
  else
    Artifact["uri"] = "file://" + uriPath(L.File);
  json Region = {{"startLine", std::max(1u, L.Line)}};
  if (L.Column > 0)
    Region["startColumn"] = L.Column;
  return {{"artifactLocation", Artifact}, {"region", Region}};
}

void writeSarif(std::ostream &OS, const Report &R) {
  // Every documented check is a rule, plus any check that reported without
  // a doc page (so that every ruleIndex is valid).
  std::vector<std::string> RuleIds;
  for (const CheckDoc &D : CheckDocs)
    RuleIds.push_back(D.Name);
  for (const Finding &F : R.Findings)
    if (std::find(RuleIds.begin(), RuleIds.end(), F.Check) == RuleIds.end())
      RuleIds.push_back(F.Check);
  std::sort(RuleIds.begin(), RuleIds.end());

  json Rules = json::array();
  for (const std::string &Id : RuleIds) {
    json Rule = {{"id", Id},
                 {"name", Id},
                 {"defaultConfiguration", {{"level", "warning"}}},
                 {"properties", {{"tags", {"concurrency"}}}}};
    std::string Summary = checkSummary(Id);
    if (Summary.empty())
      Summary = Id;
    Rule["shortDescription"] = {{"text", Summary}};
    Rule["fullDescription"] = {{"text", Summary}};
    if (const CheckDoc *D = findDoc(Id))
      Rule["help"] = {{"text", D->Markdown}, {"markdown", D->Markdown}};
    if (std::string Uri = R.HelpUri ? R.HelpUri(Id) : ""; !Uri.empty())
      Rule["helpUri"] = Uri;
    Rules.push_back(Rule);
  }

  json Results = json::array();
  for (const Finding &F : R.Findings) {
    size_t RuleIndex =
        std::find(RuleIds.begin(), RuleIds.end(), F.Check) - RuleIds.begin();
    json Related = json::array();
    int Id = 0;
    for (const Note &N : F.Notes)
      Related.push_back({{"id", Id++},
                         {"physicalLocation", physicalLocation(N.Loc, R.Root)},
                         {"message", {{"text", N.Message}}}});
    json Result = {
        {"ruleId", F.Check},
        {"ruleIndex", RuleIndex},
        {"level", "warning"},
        {"message", {{"text", F.Message}}},
        {"locations",
         {{{"physicalLocation", physicalLocation(F.Loc, R.Root)}}}},
        {"partialFingerprints", {{"fearlessFingerprint/v1", F.Fingerprint}}}};
    if (!Related.empty())
      Result["relatedLocations"] = Related;
    if (R.BaselineUsed)
      Result["baselineState"] = F.InBaseline ? "unchanged" : "new";
    Results.push_back(Result);
  }

  // Units that could not be analysed are tool notifications, not results:
  // they are not findings in the code, but the run is not complete.
  json Notifications = json::array();
  for (const FailedUnit &U : R.Failed)
    Notifications.push_back(
        {{"level", "error"},
         {"message", {{"text", "translation unit not analysed: " + U.Reason}}},
         {"locations",
          {{{"physicalLocation",
             {{"artifactLocation",
               physicalLocation({U.File, 1, 0},
                                R.Root)["artifactLocation"]}}}}}}});
  for (const std::string &E : R.ConfigErrors)
    Notifications.push_back({{"level", "error"},
                             {"message",
                              {{"text", configError(E, R.Root).Where + ": " +
                                            configError(E, R.Root).Message}}}});
  for (const PartialUnit &U : R.Partial)
    Notifications.push_back(
        {{"level", "note"},
         {"message", {{"text", U.Reason}}},
         {"locations",
          {{{"physicalLocation",
             {{"artifactLocation",
               physicalLocation({U.File, 1, 0},
                                R.Root)["artifactLocation"]}}}}}}});
  json Invocation = {
      {"executionSuccessful", R.Failed.empty() && R.ConfigErrors.empty()},
      {"toolExecutionNotifications", Notifications}};

  json Run = {{"tool",
               {{"driver",
                 {{"name", "fearless"},
                  {"version", R.Version.empty() ? FEARLESS_VERSION : R.Version},
                  {"semanticVersion", FEARLESS_VERSION},
                  {"rules", Rules}}}}},
              {"invocations", {Invocation}},
              {"results", Results},
              {"columnKind", "utf16CodeUnits"}};
  if (!R.Root.empty())
    Run["originalUriBaseIds"] = {
        {"%SRCROOT%",
         {{"uri", "file://" +
                      uriPath(R.Root.back() == '/' ? R.Root : R.Root + "/")}}}};
  json Log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", {Run}}};
  OS << Log.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

void checkWritable(const std::string &Path, const std::string &What) {
  std::error_code EC;
  fs::path P(Path);
  if (fs::is_directory(P, EC))
    throw InputError("cannot write the " + What + " '" + Path +
                     "': it is a directory");
  fs::path Dir = P.parent_path().empty() ? fs::path(".") : P.parent_path();
  if (!fs::is_directory(Dir, EC))
    throw InputError("cannot write the " + What + " '" + Path + "': folder '" +
                     Dir.string() + "' does not exist");
  // The file is written through a new file in its folder (see below): the
  // folder must be writable, and an existing file too (not to replace a
  // read-only file behind its owner's back).
  if (access(Dir.c_str(), W_OK | X_OK) != 0 ||
      (fs::exists(P, EC) && access(P.c_str(), W_OK) != 0))
    throw InputError("cannot write the " + What + " '" + Path +
                     "': " + std::strerror(errno));
}

void writeFileAtomically(const std::string &Path, const std::string &What,
                         const std::function<void(std::ostream &)> &Write,
                         int Mode) {
  fs::path P(Path);
  fs::path Dir = P.parent_path().empty() ? fs::path(".") : P.parent_path();
  std::string Tmp = (Dir / ("." + P.filename().string() + ".XXXXXX")).string();
  int Fd = mkstemp(Tmp.data());
  if (Fd < 0)
    throw InputError("cannot write the " + What + " '" + Path +
                     "': " + std::strerror(errno));
  close(Fd);
  bool Ok;
  {
    std::ofstream Out(Tmp, std::ios::binary | std::ios::trunc);
    Write(Out);
    Out.flush();
    Ok = static_cast<bool>(Out);
  }
  // mkstemp makes the file 0600; a report is as readable as any new file.
  mode_t Mask = umask(0);
  umask(Mask);
  chmod(Tmp.c_str(), Mode >= 0 ? static_cast<mode_t>(Mode) : 0666 & ~Mask);
  if (!Ok || std::rename(Tmp.c_str(), Path.c_str()) != 0) {
    int Err = errno;
    std::remove(Tmp.c_str());
    throw InputError("cannot write the " + What + " '" + Path +
                     "': " + std::strerror(Ok ? Err : EIO));
  }
}

} // namespace fearless::driver
