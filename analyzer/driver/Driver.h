//===--- Driver.h - fearless-check's data model ---------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
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
#include <functional>
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
  /// Findings clang-tidy printed before it gave up: not reported (the unit
  /// was not analysed whole), only counted.
  size_t FindingsDropped = 0;
};

/// A unit analysed with fewer checks than asked for, and why.
struct PartialUnit {
  std::string File;
  std::string Reason;
};

/// One translation unit to check: a compile database entry.
struct Unit {
  std::string File;      ///< absolute path of the source file
  std::string Directory; ///< the entry's working directory, absolute
  /// The compile command as clang-tidy gets it: "command" split like a
  /// shell would, GCC-only flags and -Werror removed (CompileDatabase.cpp).
  std::vector<std::string> Arguments;
  /// The flags removed from Arguments, for the per-unit line.
  std::vector<std::string> Removed;
  /// "-std=c++03" when the unit is compiled at a language level below
  /// C++11, where every check but fearless-guarded-by is off.
  std::string OldStandard;
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
  /// Units analysed at a language level where some checks are off.
  std::vector<PartialUnit> Partial;
  size_t UnitsChecked = 0;
  /// Units whose .clang-tidy disables every selected fearless check.
  size_t UnitsSkipped = 0;
  /// Distinct findings in headers outside --root, not reported (by default
  /// only the project's own headers are).
  size_t HiddenHeaderFindings = 0;
  bool BaselineUsed = false;
  std::string Root;    ///< paths are printed relative to this directory
  std::string Version; ///< fearless-check's, for SARIF's tool.driver
  /// Check -> the URI of its documentation page (SARIF helpUri), "" when
  /// there is none to point at.
  std::function<std::string(const std::string &)> HelpUri;
};

/// \p Path relative to \p Root when it lies below it, else unchanged.
std::string relativeTo(const std::string &Path, const std::string &Root);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_DRIVER_H
