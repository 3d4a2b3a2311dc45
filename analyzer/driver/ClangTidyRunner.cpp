//===--- ClangTidyRunner.cpp - one clang-tidy process per unit ------------===//
//
// Why a process per unit rather than linking the checks in: the plugin is the
// same binary users load by hand, the driver builds in seconds without a
// static LLVM link, and a crash in one unit cannot take the run down; the
// cost is one process start (~50 ms) per unit, small next to the parse.
//
//=== ---------------------------------------------------------------------===//

#include "ClangTidyRunner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

extern char **environ;

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
  static const std::regex ConfigFile(R"(^(.*[/\\])?[._]clang-tidy:[0-9]+:[0-9]+: .*)");
  return std::regex_match(Error, ConfigFile);
}

std::vector<Finding> parseDiagnostics(const std::string &Text,
                                      std::vector<std::string> &Errors) {
  // path:line:col: severity: message [check(,check)*]
  static const std::regex Diag(
      R"(^(.+?):([0-9]+):([0-9]+): (warning|error|note): (.*?)(?: \[([^\] ]+)\])?$)");
  std::vector<Finding> Findings;
  bool InFinding = false; // notes attach to the last fearless warning
  std::istringstream In(Text);
  std::string Line;
  std::smatch M;
  while (std::getline(In, Line)) {
    if (!Line.empty() && Line.back() == '\r')
      Line.pop_back();
    if (!std::regex_match(Line, M, Diag))
      continue; // source snippets, carets, "N warnings generated."
    Location Loc{M[1].str(), static_cast<unsigned>(std::stoul(M[2].str())),
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

UnitResult runClangTidy(const RunnerConfig &Config, const Unit &U,
                        size_t Index) {
  std::vector<std::string> Args = {
      Config.ClangTidy,
      "--load=" + Config.Plugin,
      "--checks=-*," + Config.Checks,
      // A user's WarningsAsErrors would turn findings into "errors" and make
      // clang-tidy's exit status mean nothing; findings are ours to count.
      "--warnings-as-errors=-*",
      "--quiet",
      "-p",
      Config.DatabaseDir,
  };
  if (!Config.HeaderFilter.empty())
    Args.push_back("--header-filter=" + Config.HeaderFilter);
  for (const std::string &A : Config.ExtraArgs)
    Args.push_back("--extra-arg=" + A);
  Args.push_back(U.File);

  std::string Base = Config.TempDir + "/unit" + std::to_string(Index);
  std::string OutPath = Base + ".out", ErrPath = Base + ".err";
  posix_spawn_file_actions_t Actions;
  posix_spawn_file_actions_init(&Actions);
  posix_spawn_file_actions_addopen(&Actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&Actions, 1, OutPath.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&Actions, 2, ErrPath.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char *> Argv;
  for (std::string &A : Args)
    Argv.push_back(A.data());
  Argv.push_back(nullptr);

  UnitResult R;
  pid_t Pid;
  int Err = posix_spawn(&Pid, Argv[0], &Actions, nullptr, Argv.data(), environ);
  posix_spawn_file_actions_destroy(&Actions);
  if (Err != 0) {
    R.Failed = true;
    R.FailureReason =
        "cannot run '" + Config.ClangTidy + "': " + std::strerror(Err);
    return R;
  }
  int Status = 0;
  while (waitpid(Pid, &Status, 0) < 0 && errno == EINTR) {
  }
  std::string Out = readFile(OutPath), ErrText = readFile(ErrPath);
  std::remove(OutPath.c_str());
  std::remove(ErrPath.c_str());

  std::vector<std::string> Errors;
  R.Findings = parseDiagnostics(Out, Errors);
  // Configuration errors ("unknown option ... [clang-tidy-config]") and
  // plugin load failures are printed on stderr.
  parseDiagnostics(ErrText, Errors);
  // A .clang-tidy that does not parse ("unknown key ...") is reported by
  // clang-tidy, which then goes on without it: the unit was analysed, but
  // the run must say that the project's options did not apply.
  if (ErrText.find("Error parsing ") != std::string::npos)
    Errors.erase(std::remove_if(Errors.begin(), Errors.end(),
                                [&](const std::string &E) {
                                  if (!isConfigFileError(E))
                                    return false;
                                  R.ConfigErrors.push_back(E);
                                  return true;
                                }),
                 Errors.end());
  if (WIFSIGNALED(Status)) {
    R.Failed = true;
    R.FailureReason =
        "clang-tidy was killed by signal " + std::to_string(WTERMSIG(Status));
  } else if (!Errors.empty() || WEXITSTATUS(Status) != 0) {
    R.Failed = true;
    if (!Errors.empty()) {
      R.FailureReason = Errors.front();
      if (Errors.size() > 1)
        R.FailureReason +=
            " (and " + std::to_string(Errors.size() - 1) + " more error(s))";
    } else {
      // The last non-empty line of stderr says most ("Error: ...").
      std::istringstream In(ErrText);
      std::string Line, Last;
      while (std::getline(In, Line))
        if (!Line.empty() &&
            Line.find("warnings generated") == std::string::npos)
          Last = Line;
      R.FailureReason = "clang-tidy exited with status " +
                        std::to_string(WEXITSTATUS(Status)) +
                        (Last.empty() ? "" : ": " + Last);
    }
  }
  return R;
}

} // namespace fearless::driver
