//===--- WholeProgram.h - joining every unit's facts ----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The whole-program half of fearless-lock-order and
// fearless-blocking-under-lock. From every unit's facts (LockFacts.h) it
// computes each function's summary across units -- the lock classes it may
// acquire and the blocking calls it may reach, each with its call path --
// by a worklist over the reverse call graph (functions identified by USR; a
// function defined in several units, inline or a template, is read once).
// Then it reports what no single unit could see: lock-order cycles whose
// edges come from several units or pass through a function defined in
// another unit, self-deadlocks and blocking calls reached through such
// calls. The join is linear in the facts (each summary only grows, bounded
// by the lock classes and blocking callees), so facts written by shards of a
// build farm can be merged in one step.
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_DRIVER_WHOLEPROGRAM_H
#define FEARLESS_DRIVER_WHOLEPROGRAM_H

#include "LockFacts.h"

namespace fearless::driver {

struct JoinOptions {
  bool LockOrder = true; ///< fearless-lock-order is enabled
  bool Blocking = true;  ///< fearless-blocking-under-lock is enabled
};

/// The findings of the join of \p F; paths in notes relative to \p Root.
std::vector<Finding> joinFacts(const Facts &F, const std::string &Root,
                               const JoinOptions &Options);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_WHOLEPROGRAM_H
