//===--- Driver.h - fearless-check's data model ---------------------------===//
//
// fearless-check runs every fearless check on each translation unit of a
// compilation database and reports the findings for CI. These are the values
// passed between its stages: compile database -> clang-tidy runs -> findings
// (fingerprinted, matched against a baseline) -> text, JSON or SARIF.
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_DRIVER_DRIVER_H
#define FEARLESS_DRIVER_DRIVER_H

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace fearless::driver {

/// A usage or input error: reported on stderr, exit code 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One place a diagnostic points at; Line and Column are 1-based.
struct Location {
  std::string File; ///< absolute path
  unsigned Line = 0;
  unsigned Column = 0;
};

/// A secondary place of a finding (a clang-tidy note).
struct Note {
  Location Loc;
  std::string Message;
};

/// One warning of a fearless check.
struct Finding {
  std::string Check; ///< "fearless-lock-order"
  Location Loc;
  std::string Message;
  std::vector<Note> Notes;
  std::string Fingerprint; ///< stable across line shifts, see Findings.cpp
  bool InBaseline = false;
};

/// A translation unit clang-tidy could not analyse (compile errors, crash).
struct FailedUnit {
  std::string File;
  std::string Reason; ///< the first compiler errors, or the exit status
};

/// One translation unit to check: a compile database entry.
struct Unit {
  std::string File;      ///< absolute path of the source file
  std::string Directory; ///< the entry's working directory
};

/// What the clang-tidy run of one translation unit produced.
struct UnitResult {
  std::vector<Finding> Findings;
  bool Failed = false;
  std::string FailureReason;
  /// Errors in a .clang-tidy file, which clang-tidy then ignored: the unit
  /// was analysed, without that file's options ("path:line:col: message").
  std::vector<std::string> ConfigErrors;
};

/// The whole run, as the output formats see it.
struct Report {
  std::vector<Finding> Findings; ///< sorted by file, line, column, check
  std::vector<FailedUnit> Failed;
  /// Distinct .clang-tidy errors of all units, sorted; they fail the run.
  std::vector<std::string> ConfigErrors;
  size_t UnitsChecked = 0;
  bool BaselineUsed = false;
  std::string Root; ///< paths are printed relative to this directory
};

/// \p Path relative to \p Root when it lies below it, else unchanged.
std::string relativeTo(const std::string &Path, const std::string &Root);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_DRIVER_H
