//===--- ClangTidyRunner.cpp - one clang-tidy process per unit ------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Why a process per unit rather than linking the checks in: the plugin is the
// same binary users load by hand, the driver builds in seconds without a
// static LLVM link, and a crash in one unit cannot take the run down; the
// cost is one process start (~50 ms) per unit, small next to the parse.
//
//=== ---------------------------------------------------------------------===//

#include "ClangTidyRunner.h"
#include "CompileDatabase.h"
#include "Process.h"

#include <fnmatch.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace fearless::driver {

static std::string readFile(const std::string &Path) {
  std::ifstream In(Path, std::ios::binary);
  std::stringstream S;
  S << In.rdbuf();
  return S.str();
}

bool isConfigFileError(const std::string &Error) {
  // "path/.clang-tidy:2:1: unknown key ..." (or _clang-tidy, clang-tidy's
  // other accepted name).
  static const std::regex ConfigFile(
      R"(^(.*[/\\])?[._]clang-tidy:[0-9]+:[0-9]+: .*)");
  return std::regex_match(Error, ConfigFile);
}

std::vector<Finding> parseDiagnostics(const std::string &Text,
                                      std::vector<std::string> &Errors,
                                      const std::string &Directory) {
  // path:line:col: severity: message [check(,check)*]
  static const std::regex Diag(
      R"(^(.+?):([0-9]+):([0-9]+): (warning|error|note): (.*?)(?: \[([^\] ]+)\])?$)");
  // An error with no place: a bad flag, a missing file, a plugin that does
  // not load ("error: unknown argument: '-fx' [clang-diagnostic-error]").
  static const std::regex Unlocated(
      R"(^(?:error|Error): (.*?)(?: \[[^\] ]+\])?$)");
  std::vector<Finding> Findings;
  bool InFinding = false; // notes attach to the last fearless warning
  std::istringstream In(Text);
  std::string Line;
  std::smatch M;
  while (std::getline(In, Line)) {
    if (!Line.empty() && Line.back() == '\r')
      Line.pop_back();
    if (!std::regex_match(Line, M, Diag)) {
      // "Error while processing" repeats what the errors above said.
      if (std::regex_match(Line, M, Unlocated) &&
          M[1].str().rfind("while processing ", 0) != 0)
        Errors.push_back(M[1].str());
      continue; // source snippets, carets, "N warnings generated."
    }
    std::string Path = M[1].str();
    if (!Directory.empty() && fs::path(Path).is_relative())
      Path = (fs::path(Directory) / Path).lexically_normal().string();
    Location Loc{Path, static_cast<unsigned>(std::stoul(M[2].str())),
                 static_cast<unsigned>(std::stoul(M[3].str()))};
    std::string Severity = M[4].str(), Message = M[5].str();
    std::string Check = M[6].str();
    // "[fearless-x,-warnings-as-errors]" when a .clang-tidy promotes it.
    if (auto Comma = Check.find(','); Comma != std::string::npos)
      Check.resize(Comma);
    if (Severity == "note") {
      if (InFinding)
        Findings.back().Notes.push_back({Loc, Message});
      continue;
    }
    InFinding = false;
    if (Check.rfind("fearless-", 0) == 0) {
      Findings.push_back({Check, Loc, Message, {}, "", false});
      InFinding = true;
    } else if (Severity == "error") {
      Errors.push_back(Loc.File + ":" + std::to_string(Loc.Line) + ":" +
                       std::to_string(Loc.Column) + ": " + Message);
    }
  }
  return Findings;
}

// The last glob of the comma-separated \p Globs that matches \p Check, with
// its '-' when negative ("" when none does): clang-tidy's rule, the last
// match decides.
static std::string lastMatch(const std::string &Globs,
                             const std::string &Check) {
  std::string Last;
  size_t Begin = 0;
  while (Begin <= Globs.size()) {
    size_t End = std::min(Globs.find(',', Begin), Globs.size());
    std::string G = Globs.substr(Begin, End - Begin);
    G.erase(0, G.find_first_not_of(" \t\n"));
    G.erase(G.find_last_not_of(" \t\n") + 1);
    std::string Pattern = !G.empty() && G[0] == '-' ? G.substr(1) : G;
    if (!Pattern.empty() && fnmatch(Pattern.c_str(), Check.c_str(), 0) == 0)
      Last = G;
    Begin = End + 1;
  }
  return Last;
}

bool enablesCheck(const std::string &Globs, const std::string &Check) {
  std::string G = lastMatch(Globs, Check);
  return !G.empty() && G[0] != '-';
}

bool disablesCheck(const std::string &Globs, const std::string &Check) {
  std::string G = lastMatch(Globs, Check);
  return !G.empty() && G[0] == '-' && G != "-*";
}

namespace {

// One clang-tidy run: its stdout and stderr, read back and removed.
struct TidyRun {
  ProcessResult Process;
  std::string Out, Err;
};

TidyRun runTidy(const std::vector<std::string> &Args, const std::string &Base) {
  TidyRun R;
  std::string OutPath = Base + ".out", ErrPath = Base + ".err";
  R.Process = runProcess(Args, OutPath, ErrPath);
  if (R.Process.Started) {
    R.Out = readFile(OutPath);
    R.Err = readFile(ErrPath);
  }
  std::remove(OutPath.c_str());
  std::remove(ErrPath.c_str());
  return R;
}

// The first error of a run that could not do its job, for an InputError.
std::string firstError(const TidyRun &R) {
  if (!R.Process.Started)
    return R.Process.Error;
  std::vector<std::string> Errors;
  parseDiagnostics(R.Err + "\n" + R.Out, Errors);
  if (!Errors.empty())
    return Errors.front();
  std::istringstream In(R.Err);
  std::string Line;
  while (std::getline(In, Line))
    if (!Line.empty())
      return Line;
  if (WIFSIGNALED(R.Process.Status))
    return "killed by " + signalName(WTERMSIG(R.Process.Status));
  return "exit status " + std::to_string(WEXITSTATUS(R.Process.Status));
}

bool succeeded(const TidyRun &R) {
  return R.Process.Started && WIFEXITED(R.Process.Status) &&
         WEXITSTATUS(R.Process.Status) == 0;
}

std::string join(const std::vector<std::string> &V, const std::string &Sep) {
  std::string Out;
  for (const std::string &S : V)
    Out += (Out.empty() ? "" : Sep) + S;
  return Out;
}

} // namespace

std::vector<std::string> listChecks(const RunnerConfig &Config,
                                    const std::string &Globs) {
  TidyRun R = runTidy({Config.ClangTidy, "--load=" + Config.Plugin,
                       "--checks=-*," + Globs, "--list-checks"},
                      Config.TempDir + "/list-checks");
  if (interruptedBy())
    return {};
  // clang-tidy goes on without a plugin it cannot open: "Error opening
  // 'x.so': x.so: file too short" then "-load request ignored.".
  if (size_t At = R.Err.find("Error opening '"); At != std::string::npos) {
    std::string Why = R.Err.substr(At + 6);
    Why = Why.substr(0, Why.find('\n'));
    throw InputError("clang-tidy '" + Config.ClangTidy +
                     "' cannot load the plugin '" + Config.Plugin +
                     "': " + Why);
  }
  if ((R.Out + R.Err).find("No checks enabled.") != std::string::npos)
    return {};
  if (!succeeded(R))
    throw InputError("clang-tidy '" + Config.ClangTidy +
                     "' cannot load the plugin '" + Config.Plugin +
                     "': " + firstError(R));
  // "Enabled checks:\n    fearless-send\n..."
  std::vector<std::string> Checks;
  std::istringstream In(R.Out);
  std::string Line;
  while (std::getline(In, Line)) {
    Line.erase(0, Line.find_first_not_of(" \t"));
    Line.erase(Line.find_last_not_of(" \t\r") + 1);
    if (Line.rfind("fearless-", 0) == 0)
      Checks.push_back(Line);
  }
  return Checks;
}

ProjectConfig dumpConfig(const RunnerConfig &Config, const std::string &File,
                         size_t Index) {
  std::vector<std::string> Args = {Config.ClangTidy, "--load=" + Config.Plugin,
                                   "--dump-config"};
  Args.push_back(File.empty() ? "--config={}" : File);
  TidyRun R = runTidy(Args, Config.TempDir + "/config" + std::to_string(Index));
  ProjectConfig C;
  // A .clang-tidy that does not parse is reported by the unit's own run.
  std::istringstream In(R.Out);
  std::string Line;
  auto Value = [](std::string V) {
    V.erase(0, V.find_first_not_of(" \t"));
    V.erase(V.find_last_not_of(" \t\r") + 1);
    if (V.size() >= 2 && (V[0] == '\'' || V[0] == '"') && V.back() == V[0]) {
      char Q = V[0];
      V = V.substr(1, V.size() - 2);
      if (Q == '\'') // YAML: '' is a quote inside '...'
        for (size_t P = 0; (P = V.find("''", P)) != std::string::npos; ++P)
          V.erase(P, 1);
    }
    return V;
  };
  while (std::getline(In, Line)) {
    if (Line.rfind("Checks:", 0) == 0)
      C.Checks = Value(Line.substr(7));
    else if (Line.rfind("HeaderFilterRegex:", 0) == 0)
      C.HeaderFilterRegex = Value(Line.substr(18));
  }
  return C;
}

UnitResult runClangTidy(const RunnerConfig &Config, Unit &U,
                        const UnitPlan &Plan, size_t Index) {
  UnitResult R;
  // What clang would say in three errors, said once: generated sources
  // (a .pb.cc) that the build has not made yet, files the run cannot read.
  if (access(U.File.c_str(), R_OK) != 0) {
    R.Failed = true;
    R.FailureReason =
        errno == ENOENT
            ? "source file does not exist (a generated source? build the "
              "project before the analysis)"
            : "cannot read the source file: " + std::string(strerror(errno));
    return R;
  }
  std::string Base = Config.TempDir + "/unit" + std::to_string(Index);
  std::string OwnDb; // the unit's own database, once a flag was dropped
  struct RemoveDb {
    std::string &Dir;
    ~RemoveDb() {
      std::error_code EC;
      if (!Dir.empty())
        fs::remove_all(Dir, EC);
    }
  } Remove{OwnDb};
  for (int Attempt = 0;; ++Attempt) {
    std::vector<std::string> Args = {
        Config.ClangTidy,
        "--load=" + Config.Plugin,
        "--checks=-*," + join(Plan.Checks, ","),
        // A user's WarningsAsErrors would turn findings into "errors" and
        // make clang-tidy's exit status mean nothing; findings are ours.
        "--warnings-as-errors=-*",
        "--quiet",
        "-p",
        OwnDb.empty() ? Config.DatabaseDir : OwnDb,
    };
    if (!Plan.HeaderFilter.empty())
      Args.push_back("--header-filter=" + Plan.HeaderFilter);
    for (const std::string &A : Config.ExtraArgs)
      Args.push_back("--extra-arg=" + A);
    Args.push_back(U.File);

    TidyRun Run = runTidy(Args, Base);
    R = UnitResult();
    if (!Run.Process.Started) {
      R.Failed = true;
      R.FailureReason = Run.Process.Error;
      return R;
    }
    std::vector<std::string> Errors;
    R.Findings = parseDiagnostics(Run.Out, Errors, U.Directory);
    // Configuration errors ("unknown option ... [clang-tidy-config]") and
    // plugin load failures are printed on stderr.
    parseDiagnostics(Run.Err, Errors, U.Directory);
    // A .clang-tidy that does not parse ("unknown key ...") is reported by
    // clang-tidy, which then goes on without it: the unit was analysed,
    // but the run must say that the project's options did not apply.
    if (Run.Err.find("Error parsing ") != std::string::npos)
      Errors.erase(std::remove_if(Errors.begin(), Errors.end(),
                                  [&](const std::string &E) {
                                    if (!isConfigFileError(E))
                                      return false;
                                    R.ConfigErrors.push_back(E);
                                    return true;
                                  }),
                   Errors.end());
    // A flag that only the project's compiler knows (GCC's, beyond the list
    // CompileDatabase.cpp strips): drop it and run once more.
    static const std::regex UnknownArg(
        R"(^unknown argument:? '([^']*)'(?:; did you mean .*)?$)");
    std::set<std::string> NewUnknown;
    bool OnlyUnknown = !Errors.empty();
    for (const std::string &E : Errors) {
      std::smatch M;
      if (std::regex_match(E, M, UnknownArg))
        NewUnknown.insert(M[1].str());
      else
        OnlyUnknown = false;
    }
    bool Present = std::any_of(
        U.Arguments.begin() + 1, U.Arguments.end(),
        [&](const std::string &A) { return NewUnknown.count(A) > 0; });
    if (Attempt < 2 && OnlyUnknown && Present && !interruptedBy()) {
      auto Drop = [&](const std::string &A) { return NewUnknown.count(A) > 0; };
      for (size_t I = 1; I < U.Arguments.size(); ++I)
        if (Drop(U.Arguments[I]))
          U.Removed.push_back(U.Arguments[I]);
      U.Arguments.erase(
          std::remove_if(U.Arguments.begin() + 1, U.Arguments.end(), Drop),
          U.Arguments.end());
      // The database clang-tidy reads is shared: this unit gets its own.
      OwnDb = Base + ".db";
      fs::create_directories(OwnDb);
      writeCompileDatabase(OwnDb, {U});
      continue;
    }

    int Status = Run.Process.Status;
    if (WIFSIGNALED(Status)) {
      R.Failed = true;
      R.FailureReason = interruptedBy() ? "interrupted"
                                        : "clang-tidy was killed by " +
                                              signalName(WTERMSIG(Status));
    } else if (!Errors.empty() || WEXITSTATUS(Status) != 0) {
      R.Failed = true;
      // The driver's "no input files" and "expected exactly one compiler
      // job" follow from an error before them: name that one first.
      std::stable_partition(Errors.begin(), Errors.end(),
                            [](const std::string &E) {
                              return E != "no input files" &&
                                     E.find("expected exactly one compiler "
                                            "job") == std::string::npos;
                            });
      if (!Errors.empty()) {
        R.FailureReason = Errors.front();
        if (Errors.size() > 1)
          R.FailureReason +=
              " (and " + std::to_string(Errors.size() - 1) + " more error(s))";
      } else {
        // The last non-empty line of stderr says most ("Error: ...").
        std::istringstream In(Run.Err);
        std::string Line, Last;
        while (std::getline(In, Line))
          if (!Line.empty() &&
              Line.find("warnings generated") == std::string::npos &&
              Line.find("errors generated") == std::string::npos)
            Last = Line;
        R.FailureReason = "clang-tidy exited with status " +
                          std::to_string(WEXITSTATUS(Status)) +
                          (Last.empty() ? "" : ": " + Last);
      }
    }
    return R;
  }
}

} // namespace fearless::driver
