//===--- GuardFix.h - fearless-check --fix: annotating a whole codebase ---===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// fearless-missing-guarded-by writes, for every unit, the guard facts
// (docs/facts.md): each field it could guard with the accesses that count
// and the candidate mutexes held at each, and each private helper with the
// locks held at all its calls. --fix joins them across units -- a field
// written under its lock in a.cpp and read without it in b.cpp, a field
// locked at every access -- applies the check's own rule (GuardChoice.h) to
// the union, and inserts FEARLESS_GUARDED_BY, FEARLESS_REQUIRES and the
// include, once per place however many units saw it.
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_DRIVER_GUARDFIX_H
#define FEARLESS_DRIVER_GUARDFIX_H

#include "LockFacts.h"

#include <ostream>

namespace fearless::driver {

/// The annotations the join decides, for the files below Root.
struct FixPlan {
  std::vector<Insertion> Edits; ///< sorted by file, then offset
  size_t Fields = 0, Helpers = 0, Includes = 0, Files = 0;
  /// Annotations in files outside Root, not made.
  size_t Outside = 0;
  /// The accesses of the newly guarded fields made without their lock:
  /// what fearless-guarded-by reports once the annotations are in.
  std::vector<Note> Unguarded;
};

FixPlan planFix(const GuardFacts &Facts, const std::string &Root);

/// Checks every file of \p Plan against what the analysis read (size,
/// time, the text before each insertion) and that it can be written, then
/// either writes each file atomically (DryRun false) or writes a unified
/// diff of every file to \p Diff (paths relative to \p Root). Throws
/// InputError, having changed nothing, when a file changed since it was
/// analysed or cannot be written.
void applyFix(const FixPlan &Plan, const std::string &Root, bool DryRun,
              std::ostream &Diff);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_GUARDFIX_H
