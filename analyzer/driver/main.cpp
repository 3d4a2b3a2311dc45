//===--- main.cpp - fearless-check, the CI driver -------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// fearless-check -p BUILD_DIR [paths...]: runs every fearless check on each
// translation unit of BUILD_DIR/compile_commands.json in parallel, merges
// the per-unit lock-order facts, and reports as text, JSON or SARIF.
// Exit status: 0 clean, 1 findings (or units that could not be analysed),
// 2 usage or input error, 128+N killed by signal N. docs/driver.md is the
// manual.
//
//=== ---------------------------------------------------------------------===//

#include "ClangTidyRunner.h"
#include "CompileDatabase.h"
#include "Findings.h"
#include "GuardFix.h"
#include "LockFacts.h"
#include "Output.h"
#include "Process.h"
#include "WholeProgram.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string_view>
#include <thread>

namespace fs = std::filesystem;
using namespace fearless::driver;

namespace {

/// The check whose guard facts --fix joins.
const char *const FixCheck = "fearless-missing-guarded-by";

const char *const Usage =
    R"(usage: fearless-check -p BUILD_DIR [options] [paths...]

Runs every fearless check on the translation units of
BUILD_DIR/compile_commands.json (only those below PATHS, when given).

options:
  -p DIR                 build directory holding compile_commands.json
                         (without -p, --merge-facts only merges facts)
  -j N, --jobs=N         parallel clang-tidy processes (default: cores)
  --format=text|json|sarif
                         report format (default: text)
  -o FILE, --output=FILE write the report to FILE instead of stdout
  --baseline=FILE        report only findings not recorded in FILE
  --write-baseline=FILE  record every current finding in FILE and exit 0
  --root=DIR             report paths relative to DIR (default: current dir)
  --checks=GLOB          checks to run (default: fearless-*, less what the
                         project's .clang-tidy turns off by name)
  --header-filter=REGEX  report findings in headers matching REGEX
                         (default: .clang-tidy's HeaderFilterRegex, else
                         every header below --root)
  --extra-arg=ARG        add ARG to every compile command (repeatable)
  --facts-dir=DIR        keep the per-unit lock-order facts in DIR
  --merge-facts=DIR      also merge lock-order facts from DIR (repeatable)
  --fix                  annotate the codebase: FEARLESS_GUARDED_BY on the
                         fields its locks protect, FEARLESS_REQUIRES on the
                         private helpers only called with a lock held
                         (evidence joined across units; docs/driver.md)
  --fix-dry-run          the same annotations as a unified diff, on stdout
                         (or -o FILE); no file changes
  --clang-tidy=PATH      clang-tidy to run (env FEARLESS_CLANG_TIDY)
  --plugin=PATH          libfearless-tidy.so (env FEARLESS_PLUGIN)
  --progress / --no-progress
                         progress line (default: on a terminal, not in CI)
  -q, --quiet            no progress and no per-unit lines
  --exit-zero            exit 0 on findings (report only); errors still
                         exit 1 or 2
  --skip-unlisted        a path in no unit of the database is a note, not
                         an error (hooks that pass new files)
  -h, --help             this text
  --version              the version

exit status: 0 no findings, 1 findings or units not analysed, 2 usage or
input error, 128+N stopped by signal N (130: Ctrl-C).
)";

struct Options {
  std::string BuildDir;
  std::vector<std::string> Paths;
  unsigned Jobs = 0;
  std::string Format = "text";
  std::string Output, Baseline, WriteBaseline, Root;
  std::string Checks = "fearless-*", HeaderFilter, FactsDir;
  bool ChecksGiven = false; ///< --checks given: .clang-tidy does not narrow it
  std::vector<std::string> ExtraArgs, MergeFacts;
  std::string ClangTidy, Plugin;
  std::optional<bool> Progress;
  bool Quiet = false;
  bool ExitZero = false;
  bool SkipUnlisted = false; ///< a path in no unit is a note, not an error
  bool Fix = false, FixDryRun = false;
};

unsigned parseJobs(const std::string &V) {
  if (V.empty() || V.size() > 4 ||
      V.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(V) == 0)
    throw InputError("-j needs a positive number of jobs, got '" + V + "'");
  return std::stoul(V);
}

Options parseArgs(int Argc, char **Argv) {
  Options O;
  std::vector<std::string> Args(Argv + 1, Argv + Argc);
  for (size_t I = 0; I < Args.size(); ++I) {
    const std::string &A = Args[I];
    // --name=value, --name value, and for short options -xvalue too.
    auto Value = [&](const std::string &Long, const std::string &Short,
                     std::string &Out) {
      for (const std::string &N : {Long, Short}) {
        if (N.empty())
          continue;
        if (A == N) {
          if (I + 1 >= Args.size())
            throw InputError("option '" + N + "' needs a value");
          Out = Args[++I];
          return true;
        }
        std::string Prefix = N.size() == 2 ? N : N + "=";
        if (A.rfind(Prefix, 0) == 0 && A.size() > Prefix.size()) {
          Out =
              A.substr(Prefix.size() + (N.size() == 2 && A[2] == '=' ? 1 : 0));
          return true;
        }
      }
      return false;
    };
    std::string V;
    if (A == "-h" || A == "--help") {
      std::cout << Usage;
      std::exit(0);
    } else if (A == "--version") {
      std::cout << "fearless-check " << FEARLESS_VERSION << "\n";
      std::exit(0);
    } else if (Value("--build-dir", "-p", V)) {
      O.BuildDir = V;
    } else if (Value("--jobs", "-j", V)) {
      O.Jobs = parseJobs(V);
    } else if (Value("--format", "", V)) {
      if (V != "text" && V != "json" && V != "sarif")
        throw InputError("--format must be text, json or sarif, got '" + V +
                         "'");
      O.Format = V;
    } else if (Value("--output", "-o", V)) {
      O.Output = V;
    } else if (Value("--baseline", "", V)) {
      O.Baseline = V;
    } else if (Value("--write-baseline", "", V)) {
      O.WriteBaseline = V;
    } else if (Value("--root", "", V)) {
      O.Root = V;
    } else if (Value("--checks", "", V)) {
      O.Checks = V;
      O.ChecksGiven = true;
    } else if (Value("--header-filter", "", V)) {
      O.HeaderFilter = V;
    } else if (Value("--extra-arg", "", V)) {
      O.ExtraArgs.push_back(V);
    } else if (Value("--facts-dir", "", V)) {
      O.FactsDir = V;
    } else if (Value("--merge-facts", "", V)) {
      O.MergeFacts.push_back(V);
    } else if (Value("--clang-tidy", "", V)) {
      O.ClangTidy = V;
    } else if (Value("--plugin", "", V)) {
      O.Plugin = V;
    } else if (A == "--progress") {
      O.Progress = true;
    } else if (A == "--no-progress") {
      O.Progress = false;
    } else if (A == "-q" || A == "--quiet") {
      O.Quiet = true;
    } else if (A == "--exit-zero") {
      O.ExitZero = true;
    } else if (A == "--skip-unlisted") {
      O.SkipUnlisted = true;
    } else if (A == "--fix") {
      O.Fix = true;
    } else if (A == "--fix-dry-run") {
      O.FixDryRun = true;
    } else if (A == "--") {
      O.Paths.insert(O.Paths.end(), Args.begin() + I + 1, Args.end());
      break;
    } else if (!A.empty() && A[0] == '-') {
      throw InputError("unknown option '" + A +
                       "' (see fearless-check --help)");
    } else {
      O.Paths.push_back(A);
    }
  }
  // --merge-facts alone (no -p) only merges facts other runs wrote.
  if (O.BuildDir.empty() && O.MergeFacts.empty())
    throw InputError("no build directory: pass -p BUILD_DIR (the directory "
                     "holding compile_commands.json)");
  if (O.BuildDir.empty() && !O.Paths.empty())
    throw InputError(
        "paths select units of a compile database: pass -p BUILD_DIR");
  if (O.Fix && O.FixDryRun)
    throw InputError("--fix and --fix-dry-run exclude each other");
  if ((O.Fix || O.FixDryRun) &&
      (!O.Baseline.empty() || !O.WriteBaseline.empty() || O.Format != "text"))
    throw InputError(std::string(O.Fix ? "--fix" : "--fix-dry-run") +
                     " writes annotations, not a report: it takes no "
                     "--baseline, --write-baseline or --format");
  // A helper gets REQUIRES when no unit calls it unlocked: every unit.
  if ((O.Fix || O.FixDryRun) && !O.Paths.empty())
    throw InputError(std::string(O.Fix ? "--fix" : "--fix-dry-run") +
                     " joins the evidence of every unit: it takes no paths");
  if (O.Fix && !O.Output.empty())
    throw InputError("--fix changes the sources in place: -o is for "
                     "--fix-dry-run's diff");
  return O;
}

bool executable(const fs::path &P) {
  std::error_code EC;
  return fs::is_regular_file(P, EC) && access(P.c_str(), X_OK) == 0;
}

fs::path selfDir() {
  std::error_code EC;
  fs::path Exe = fs::read_symlink("/proc/self/exe", EC);
  return EC ? fs::path() : Exe.parent_path();
}

// The page of \p Check for SARIF's helpUri: under FEARLESS_DOCS_URL when the
// build names one, else the installed page (bin/../share/doc/fearless), else
// the source tree's, when they exist.
std::string docsUri(const std::string &Check) {
  std::string Url = FEARLESS_DOCS_URL;
  if (!Url.empty())
    return Url + (Url.back() == '/' ? "" : "/") + Check + ".md";
  fs::path Dir = selfDir();
  for (const fs::path &P :
       {Dir / FEARLESS_BIN_TO_DOC / "checks" / (Check + ".md"),
        fs::path(FEARLESS_SOURCE_DOCS) / (Check + ".md")}) {
    std::error_code EC;
    if (fs::is_regular_file(P, EC))
      return "file://" + uriPath(fs::absolute(P).lexically_normal().string());
  }
  return "";
}

// Flag, then environment, then next to the driver (build tree:
// analyzer/driver/../; install tree: bin/../lib/, or the multiarch
// bin/../lib/x86_64-linux-gnu/ of a /usr install).
std::string findPlugin(const Options &O) {
  std::string Named = O.Plugin;
  if (Named.empty())
    if (const char *E = std::getenv("FEARLESS_PLUGIN"); E && *E)
      Named = E;
  if (!Named.empty()) {
    std::error_code EC;
    if (!fs::is_regular_file(Named, EC))
      throw InputError("plugin '" + Named + "' does not exist");
    return Named;
  }
  fs::path Dir = selfDir();
  for (const fs::path &P : {Dir.parent_path() / FEARLESS_PLUGIN_NAME,
                            Dir / FEARLESS_BIN_TO_LIB / FEARLESS_PLUGIN_NAME,
                            Dir.parent_path() / "lib" / FEARLESS_PLUGIN_NAME,
                            Dir / FEARLESS_PLUGIN_NAME})
    if (fs::exists(P))
      return P.lexically_normal().string();
  throw InputError("cannot find " FEARLESS_PLUGIN_NAME
                   " next to fearless-check; pass --plugin=PATH or set "
                   "FEARLESS_PLUGIN");
}

// Flag, then environment, then the clang-tidy this build was configured
// with, then PATH.
std::string findClangTidy(const Options &O) {
  std::string Named = O.ClangTidy;
  if (Named.empty())
    if (const char *E = std::getenv("FEARLESS_CLANG_TIDY"); E && *E)
      Named = E;
  if (!Named.empty()) {
    if (Named.find('/') != std::string::npos) {
      if (!executable(Named))
        throw InputError("clang-tidy '" + Named + "' is not an executable");
      return Named;
    }
  } else if (executable(FEARLESS_DEFAULT_CLANG_TIDY)) {
    return FEARLESS_DEFAULT_CLANG_TIDY;
  }
  const char *Path = std::getenv("PATH");
  std::string Dirs = Path ? Path : "/usr/bin";
  for (const std::string &Name :
       Named.empty()
           ? std::vector<std::string>{FEARLESS_CLANG_TIDY_NAME, "clang-tidy"}
           : std::vector<std::string>{Named}) {
    size_t Start = 0;
    while (Start <= Dirs.size()) {
      size_t End = Dirs.find(':', Start);
      if (End == std::string::npos)
        End = Dirs.size();
      fs::path P = fs::path(Dirs.substr(Start, End - Start)) / Name;
      if (executable(P))
        return P.string();
      Start = End + 1;
    }
  }
  throw InputError("cannot find clang-tidy (" FEARLESS_CLANG_TIDY_NAME
                   "); pass --clang-tidy=PATH or set FEARLESS_CLANG_TIDY");
}

bool inCI() {
  const char *CI = std::getenv("CI");
  return CI && (std::string(CI) == "true" || std::string(CI) == "1");
}

// A regex (POSIX ERE, as clang-tidy's --header-filter) matching the paths
// below \p Dir.
std::string belowRegex(const std::string &Dir) {
  std::string R = "^";
  for (char C : Dir) {
    if (std::string_view(".[]{}()\\*+?^$|").find(C) != std::string_view::npos)
      R += '\\';
    R += C;
  }
  return R + (Dir.empty() || Dir.back() != '/' ? "/" : "");
}

// Per distinct folder of the units' files: what its .clang-tidy says.
std::map<std::string, ProjectConfig>
readProjectConfigs(const RunnerConfig &Config, const std::vector<Unit> &Units,
                   unsigned Jobs) {
  std::map<std::string, ProjectConfig> Configs;
  std::vector<std::string> Files; // one unit per folder
  for (const Unit &U : Units) {
    std::string Dir = fs::path(U.File).parent_path().string();
    if (Configs.emplace(Dir, ProjectConfig()).second)
      Files.push_back(U.File);
  }
  std::vector<ProjectConfig> Read(Files.size());
  std::atomic<size_t> Next{0};
  std::vector<std::thread> Threads;
  for (unsigned T = 0; T < std::min<size_t>(Jobs, Files.size()); ++T)
    Threads.emplace_back([&] {
      for (size_t I; (I = Next++) < Files.size() && !interruptedBy();)
        Read[I] = dumpConfig(Config, Files[I], I);
    });
  for (std::thread &T : Threads)
    T.join();
  // A value that is clang-tidy's own default is no project's choice.
  ProjectConfig Defaults = dumpConfig(Config, "", Files.size());
  for (size_t I = 0; I < Files.size(); ++I) {
    if (Read[I].HeaderFilterRegex == Defaults.HeaderFilterRegex)
      Read[I].HeaderFilterRegex.clear();
    Configs[fs::path(Files[I]).parent_path().string()] = Read[I];
  }
  return Configs;
}

int interrupted(size_t Done, size_t Total) {
  int Signal = interruptedBy();
  std::cerr << "fearless-check: interrupted by " << signalName(Signal) << " ("
            << Done << " of " << Total
            << " translation unit(s) done): no report written\n";
  return 128 + Signal;
}

// --fix and --fix-dry-run, once every unit ran: the guard facts of every
// unit (and of --merge-facts) joined, then written or shown as a diff.
int fix(const Options &O, const std::vector<Unit> &Units,
        const std::vector<UnitResult> &Results, const std::vector<bool> &Ran,
        const std::string &Root, const std::string &FactsDir) {
  const char *Mode = O.Fix ? "--fix" : "--fix-dry-run";
  // A unit that was not analysed may hold the one unlocked call that keeps
  // a helper from FEARLESS_REQUIRES: nothing is annotated on half the
  // evidence.
  Report Failures;
  Failures.Root = Root;
  for (size_t I = 0; I < Units.size(); ++I)
    if (Ran[I] && Results[I].Failed)
      Failures.Failed.push_back({Units[I].File, Results[I].FailureReason,
                                 Results[I].Findings.size()});
  if (!Failures.Failed.empty()) {
    writeFailures(std::cerr, Failures);
    std::cerr << "fearless-check: " << Mode << ": " << Failures.Failed.size()
              << " translation unit(s) not analysed: nothing was annotated\n";
    return 1;
  }
  GuardFacts Facts;
  readGuardFacts(FactsDir, Facts);
  for (const std::string &Dir : O.MergeFacts)
    readGuardFacts(Dir, Facts);
  FixPlan Plan = planFix(Facts, Root);
  if (O.FixDryRun && !O.Output.empty()) {
    checkWritable(O.Output, "diff");
    std::ostringstream Diff;
    applyFix(Plan, Root, true, Diff);
    writeFileAtomically(O.Output, "diff",
                        [&](std::ostream &OS) { OS << Diff.str(); });
  } else {
    applyFix(Plan, Root, O.FixDryRun, std::cout);
  }
  std::cerr << "fearless-check: " << Mode << ": "
            << (O.Fix ? "added " : "would add ") << Plan.Fields
            << " FEARLESS_GUARDED_BY, " << Plan.Helpers
            << " FEARLESS_REQUIRES and " << Plan.Includes << " include(s) in "
            << Plan.Files << " file(s); " << Facts.Units
            << " translation unit(s) joined";
  if (Plan.Outside)
    std::cerr << "; " << Plan.Outside
              << " annotation(s) in files outside --root left out";
  std::cerr << "\n";
  for (const Note &N : Plan.Unguarded)
    std::cerr << relativeTo(N.Loc.File, Root) << ":" << N.Loc.Line << ":"
              << N.Loc.Column << ": note: " << N.Message << "\n";
  if (!Plan.Unguarded.empty())
    std::cerr << "fearless-check: " << Plan.Unguarded.size()
              << " access(es) of the newly guarded fields without their "
                 "lock: fearless-guarded-by reports them "
              << (O.Fix ? "now" : "once the annotations are in") << "\n";
  return 0;
}

int run(const Options &O) {
  // Every output is checked before the analysis, so that a typo in a path
  // does not cost a whole run.
  if (!O.Output.empty())
    checkWritable(O.Output, O.FixDryRun ? "diff" : "report");
  if (!O.WriteBaseline.empty())
    checkWritable(O.WriteBaseline, "baseline");
  std::string DbDir;
  std::vector<Unit> Units;
  if (!O.BuildDir.empty()) {
    std::vector<std::string> Unlisted;
    Units = readCompileDatabase(O.BuildDir, O.Paths, DbDir,
                                O.SkipUnlisted ? &Unlisted : nullptr);
    for (const std::string &P : Unlisted)
      std::cerr << "fearless-check: note: '" << P
                << "' is in no unit of the compile database: not checked "
                   "(re-run the build system's configure step to add it)\n";
    if (Units.empty() && !Unlisted.empty()) {
      std::cerr << "fearless-check: nothing to check\n";
      return 0;
    }
    if (Units.empty())
      throw InputError("the compile database in '" + O.BuildDir +
                       "' has no entries");
  }
  std::set<std::string> Baseline;
  if (!O.Baseline.empty())
    Baseline = readBaseline(O.Baseline);
  std::string Root = O.Root.empty()
                         ? fs::current_path().string()
                         : fs::absolute(O.Root).lexically_normal().string();

  RunnerConfig Config;
  if (!Units.empty()) {
    Config.ClangTidy = findClangTidy(O);
    Config.Plugin = findPlugin(O);
  }
  // Checked before any unit runs; the join applies it to its own findings.
  std::optional<std::regex> HeaderFilter;
  std::string HeaderRegex =
      O.HeaderFilter.empty() ? belowRegex(Root) : O.HeaderFilter;
  try {
    HeaderFilter.emplace(HeaderRegex, std::regex::extended);
  } catch (const std::regex_error &E) {
    throw InputError("invalid --header-filter '" + O.HeaderFilter +
                     "': " + E.what());
  }
  Config.ExtraArgs = O.ExtraArgs;

  std::string Tmp =
      (fs::temp_directory_path() / "fearless-check-XXXXXX").string();
  if (!mkdtemp(Tmp.data()))
    throw InputError("cannot create a temporary directory in " +
                     fs::temp_directory_path().string() + ": " +
                     std::strerror(errno));
  Config.TempDir = Tmp;
  struct Cleanup {
    std::string Dir;
    ~Cleanup() {
      std::error_code EC;
      fs::remove_all(Dir, EC);
    }
  } RemoveTmp{Tmp};
  std::string FactsDir = O.FactsDir.empty() ? Tmp + "/facts" : O.FactsDir;
  std::error_code EC;
  fs::create_directories(FactsDir, EC);
  if (EC)
    throw InputError("cannot create the facts directory '" + FactsDir +
                     "': " + EC.message());
  // Read by fearless-lock-order in each clang-tidy process (it inherits the
  // environment): where to write the unit's lock-order facts.
  setenv("FEARLESS_LOCK_ORDER_FACTS", fs::absolute(FactsDir).c_str(), 1);

  unsigned Jobs =
      O.Jobs ? O.Jobs : std::max(1u, std::thread::hardware_concurrency());

  // The checks, validated once: clang-tidy loads the plugin and lists what
  // --checks selects.
  std::vector<std::string> Selected;
  std::vector<UnitPlan> Plans(Units.size());
  if (!Units.empty()) {
    Selected = listChecks(Config, O.Checks);
    if (interruptedBy())
      return interrupted(0, Units.size());
    if (Selected.empty())
      throw InputError("--checks '" + O.Checks +
                       "' selects no fearless check (see clang-tidy --load=" +
                       Config.Plugin +
                       " --checks='-*,fearless-*' --list-checks)");
    if ((O.Fix || O.FixDryRun) &&
        std::find(Selected.begin(), Selected.end(), FixCheck) == Selected.end())
      throw InputError(std::string(O.Fix ? "--fix" : "--fix-dry-run") +
                       " needs " + FixCheck + ", which --checks '" + O.Checks +
                       "' leaves out");
    fs::create_directories(Tmp + "/db");
    writeCompileDatabase(Tmp + "/db", Units);
    Config.DatabaseDir = Tmp + "/db";
    std::map<std::string, ProjectConfig> Configs =
        readProjectConfigs(Config, Units, Jobs);
    if (interruptedBy())
      return interrupted(0, Units.size());
    for (size_t I = 0; I < Units.size(); ++I) {
      const ProjectConfig &C =
          Configs[fs::path(Units[I].File).parent_path().string()];
      for (const std::string &Check : Selected)
        // --fix joins every unit's guard facts: no .clang-tidy turns off
        // the check that writes them.
        if (O.ChecksGiven || !disablesCheck(C.Checks, Check) ||
            ((O.Fix || O.FixDryRun) && Check == FixCheck))
          Plans[I].Checks.push_back(Check);
      // --header-filter, else the .clang-tidy's (clang-tidy reads it), else
      // the project's own headers: clang-tidy reports every header and the
      // driver keeps those below --root, on absolute paths (clang-tidy
      // would match a regex against "../include/x.h" when the compile
      // command names the folder relatively).
      if (!O.HeaderFilter.empty())
        Plans[I].HeaderFilter = O.HeaderFilter;
      else if (C.HeaderFilterRegex.empty())
        Plans[I].HeaderFilter = ".*", Plans[I].OwnHeadersOnly = true;
    }
  }

  Jobs = std::min<unsigned>(Jobs, std::max<size_t>(1, Units.size()));
  bool Tty = isatty(STDERR_FILENO) && !inCI();
  bool Progress = !O.Quiet && O.Progress.value_or(Tty);
  bool Lines = !O.Quiet && !Progress;

  std::vector<UnitResult> Results(Units.size());
  std::vector<bool> Ran(Units.size(), false);
  std::atomic<size_t> Next{0};
  std::mutex OutputMutex;
  size_t Done = 0;
  auto Worker = [&] {
    for (size_t I; (I = Next++) < Units.size();) {
      if (interruptedBy())
        return;
      std::string Status;
      if (Plans[I].Checks.empty()) {
        Status = "skipped: its .clang-tidy turns off every selected check";
      } else {
        Results[I] = runClangTidy(Config, Units[I], Plans[I], I);
        Ran[I] = true;
        if (interruptedBy())
          return;
        Status =
            Results[I].Failed ? "not analysed: " + Results[I].FailureReason
            : Results[I].Findings.empty()
                ? "ok"
                : std::to_string(Results[I].Findings.size()) + " finding(s)";
      }
      std::lock_guard<std::mutex> Lock(OutputMutex);
      ++Done;
      std::string Name = relativeTo(Units[I].File, Root);
      if (Progress)
        std::cerr << "\r\033[K[" << Done << "/" << Units.size() << "] " << Name
                  << std::flush;
      else if (Lines)
        std::cerr << "[" << Done << "/" << Units.size() << "] " << Name << ": "
                  << Status << "\n";
    }
  };
  std::vector<std::thread> Threads;
  for (unsigned T = 0; T < Jobs; ++T)
    Threads.emplace_back(Worker);
  for (std::thread &T : Threads)
    T.join();
  if (Progress)
    std::cerr << "\r\033[K" << std::flush;
  if (interruptedBy())
    return interrupted(Done, Units.size());

  if (O.Fix || O.FixDryRun)
    return fix(O, Units, Results, Ran, Root, FactsDir);

  Report R;
  R.Root = Root;
  R.Version = FEARLESS_VERSION;
  R.HelpUri = docsUri;
  std::set<std::string> ConfigErrors, HiddenHeaderFindings;
  bool OnlyGuardedBy = true;
  for (const std::string &Check : Selected)
    OnlyGuardedBy &= Check == "fearless-guarded-by";
  for (size_t I = 0; I < Units.size(); ++I) {
    if (!Ran[I]) {
      ++R.UnitsSkipped;
      continue;
    }
    ++R.UnitsChecked;
    ConfigErrors.insert(Results[I].ConfigErrors.begin(),
                        Results[I].ConfigErrors.end());
    // A unit that did not compile was not analysed whole: what it printed
    // is not reported as if it had been.
    if (Results[I].Failed) {
      R.Failed.push_back({Units[I].File, Results[I].FailureReason,
                          Results[I].Findings.size()});
      continue;
    }
    if (!Units[I].OldStandard.empty() && !OnlyGuardedBy)
      R.Partial.push_back(
          {Units[I].File,
           Units[I].OldStandard == "C"
               ? "compiled as C: only fearless-guarded-by applies (the other "
                 "checks need C++11)"
               : "compiled with " + Units[I].OldStandard +
                     ": only fearless-guarded-by applies (the other checks "
                     "need C++11)"});
    for (Finding &F : Results[I].Findings) {
      if (Plans[I].OwnHeadersOnly && F.Loc.File != Units[I].File &&
          relativeTo(F.Loc.File, Root) == F.Loc.File) {
        HiddenHeaderFindings.insert(
            F.Loc.File + ":" + std::to_string(F.Loc.Line) + ":" +
            std::to_string(F.Loc.Column) + F.Check + F.Message);
        continue;
      }
      R.Findings.push_back(std::move(F));
    }
  }
  R.HiddenHeaderFindings = HiddenHeaderFindings.size();
  R.ConfigErrors.assign(ConfigErrors.begin(), ConfigErrors.end());
  Facts AllFacts;
  readFacts(FactsDir, AllFacts);
  for (const std::string &Dir : O.MergeFacts)
    readFacts(Dir, AllFacts);
  JoinOptions Join;
  std::string JoinChecks = O.Checks;
  Join.LockOrder = enablesCheck(JoinChecks, "fearless-lock-order");
  Join.Blocking = enablesCheck(JoinChecks, "fearless-blocking-under-lock");
  // The join's findings follow the rule clang-tidy applies to the units':
  // in a unit's main file, or in a header the header filter selects.
  std::set<std::string> MainFiles;
  for (const auto &[Unit, Checks] : AllFacts.Checks)
    MainFiles.insert(Unit);
  for (const LockEdge &E : AllFacts.Edges)
    MainFiles.insert(E.Unit);
  for (Finding &F : joinFacts(AllFacts, Root, Join))
    if (MainFiles.count(F.Loc.File) ||
        (HeaderFilter && std::regex_search(F.Loc.File, *HeaderFilter)))
      R.Findings.push_back(std::move(F));
  finalizeFindings(R.Findings, Root);
  // A signal during the join (or a --merge-facts run, which has no units):
  // no report either.
  if (interruptedBy())
    return interrupted(Units.size(), Units.size());

  if (!O.WriteBaseline.empty()) {
    writeBaseline(O.WriteBaseline, R);
    std::cerr << "fearless-check: wrote " << R.Findings.size()
              << " finding(s) to baseline '" << O.WriteBaseline << "'\n";
    writeFailures(std::cerr, R);
    return R.Failed.empty() && R.ConfigErrors.empty() ? 0 : 1;
  }
  if (!O.Baseline.empty()) {
    R.BaselineUsed = true;
    for (Finding &F : R.Findings)
      F.InBaseline = Baseline.count(F.Fingerprint) > 0;
  }

  auto Write = [&](std::ostream &OS) {
    if (O.Format == "text")
      writeText(OS, R);
    else
      O.Format == "json" ? writeJson(OS, R) : writeSarif(OS, R);
  };
  if (O.Output.empty()) {
    Write(std::cout);
  } else {
    writeFileAtomically(O.Output, "report", Write);
  }
  if (O.Format != "text")
    writeFailures(std::cerr, R);
  if (O.Format != "text" || !O.Output.empty())
    writeSummary(std::cerr, R);
  bool NewFindings =
      std::any_of(R.Findings.begin(), R.Findings.end(),
                  [](const Finding &F) { return !F.InBaseline; });
  if (!R.Failed.empty() || !R.ConfigErrors.empty())
    return 1;
  return NewFindings && !O.ExitZero ? 1 : 0;
}

} // namespace

int main(int Argc, char **Argv) {
  // Before any thread starts: every thread then blocks the stop signals and
  // one thread handles them (Process.h).
  startSignalWatcher();
  try {
    return run(parseArgs(Argc, Argv));
  } catch (const InputError &E) {
    std::cerr << "fearless-check: error: " << E.what() << "\n";
    return 2;
  } catch (const std::exception &E) {
    std::cerr << "fearless-check: error: " << E.what() << "\n";
    return 2;
  }
}
