//===--- ClangTidyRunner.h - one clang-tidy process per translation unit --===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_DRIVER_CLANGTIDYRUNNER_H
#define FEARLESS_DRIVER_CLANGTIDYRUNNER_H

#include "Driver.h"

namespace fearless::driver {

struct RunnerConfig {
  std::string ClangTidy;   ///< the clang-tidy executable
  std::string Plugin;      ///< libfearless-tidy.so
  std::string DatabaseDir; ///< -p for clang-tidy: the sanitised database
  std::vector<std::string> ExtraArgs; ///< --extra-arg values
  std::string TempDir;                ///< where the outputs of the processes go
};

/// What one unit is checked with.
struct UnitPlan {
  std::vector<std::string> Checks; ///< fearless checks to run, never empty
  std::string HeaderFilter;        ///< empty: the .clang-tidy's own
  /// The driver keeps the findings in headers below --root only.
  bool OwnHeadersOnly = false;
};

/// Runs clang-tidy on \p U (blocking) and collects its fearless findings.
/// A compiler error, a configuration error or an abnormal exit makes the
/// unit Failed, with the reason in the result (its findings are then only
/// counted); a .clang-tidy file that clang-tidy could not parse (and
/// ignored) goes to ConfigErrors instead. Flags clang rejects as unknown
/// are removed and the unit is run once more.
UnitResult runClangTidy(const RunnerConfig &Config, Unit &U,
                        const UnitPlan &Plan, size_t Index);

/// The fearless checks that clang-tidy with the plugin enables for
/// --checks=-*,\p Globs. Throws InputError when clang-tidy cannot run or
/// cannot load the plugin, with its own message.
std::vector<std::string> listChecks(const RunnerConfig &Config,
                                    const std::string &Globs);

/// What a project's .clang-tidy says for \p File (clang-tidy --dump-config).
struct ProjectConfig {
  std::string Checks;            ///< the Checks globs, as written
  std::string HeaderFilterRegex; ///< empty when unset
};
/// \p File empty: clang-tidy's own defaults (no .clang-tidy read), to tell
/// a project's choice from them (clang-tidy 22 defaults HeaderFilterRegex
/// to '.*', 19 to '').
ProjectConfig dumpConfig(const RunnerConfig &Config, const std::string &File,
                         size_t Index);

/// Whether the glob list \p Globs ("-*,bugprone-*,-fearless-send") turns
/// \p Check off by name: the last glob that matches it is negative and is
/// not the catch-all "-*" (which clears clang-tidy's defaults; it does not
/// mean "no fearless checks").
bool disablesCheck(const std::string &Globs, const std::string &Check);

/// Whether clang-tidy's globs enable \p Check: the last match decides.
bool enablesCheck(const std::string &Globs, const std::string &Check);

/// Parses clang-tidy's text diagnostics: warnings of checks matching
/// "fearless-" with their following notes. Compiler errors (located or not)
/// go to \p Errors. Relative paths are made absolute against \p Directory
/// (clang prints paths as the compile command names them).
std::vector<Finding> parseDiagnostics(const std::string &Text,
                                      std::vector<std::string> &Errors,
                                      const std::string &Directory = "");

/// True for an error located in a .clang-tidy (or _clang-tidy) file.
bool isConfigFileError(const std::string &Error);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_CLANGTIDYRUNNER_H
