//===--- ClangTidyRunner.h - one clang-tidy process per translation unit --===//

#ifndef FEARLESS_DRIVER_CLANGTIDYRUNNER_H
#define FEARLESS_DRIVER_CLANGTIDYRUNNER_H

#include "Driver.h"

namespace fearless::driver {

struct RunnerConfig {
  std::string ClangTidy;   ///< the clang-tidy executable
  std::string Plugin;      ///< libfearless-tidy.so
  std::string DatabaseDir; ///< -p for clang-tidy
  std::string Checks = "fearless-*";
  std::string HeaderFilter; ///< empty: clang-tidy's default (main file only)
  std::vector<std::string> ExtraArgs; ///< --extra-arg values
  std::string TempDir;                ///< where the outputs of the processes go
};

/// Runs clang-tidy on \p U (blocking) and collects its fearless findings.
/// A compiler error, a configuration error or an abnormal exit makes the
/// unit Failed, with the reason in the result; a .clang-tidy file that
/// clang-tidy could not parse (and ignored) goes to ConfigErrors instead.
UnitResult runClangTidy(const RunnerConfig &Config, const Unit &U,
                        size_t Index);

/// Parses clang-tidy's text diagnostics: warnings of checks matching
/// "fearless-" with their following notes. Compiler errors go to \p Errors.
std::vector<Finding> parseDiagnostics(const std::string &Text,
                                      std::vector<std::string> &Errors);

/// True for an error located in a .clang-tidy (or _clang-tidy) file.
bool isConfigFileError(const std::string &Error);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_CLANGTIDYRUNNER_H
