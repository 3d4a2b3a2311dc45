//===--- LockFacts.h - merging per-unit lock-order facts ------------------===//
//
// fearless-lock-order writes, for each translation unit, the lock-order
// edges it saw ("holding A, acquires B") as a JSON file (the format is in
// docs/checks/fearless-lock-order.md). Merging the files of every unit gives
// the whole-program graph; a cycle whose edges come from more than one unit
// is an inversion no single clang-tidy run can see.
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_DRIVER_LOCKFACTS_H
#define FEARLESS_DRIVER_LOCKFACTS_H

#include "Driver.h"

namespace fearless::driver {

/// One lock-order edge: while holding lock class From, To is acquired.
struct LockEdge {
  std::string From, To; ///< lock classes ("Bank::mu_")
  Location Held;        ///< where From was acquired
  Location Acquired;    ///< where To was acquired
  std::string Function; ///< the function that nests them
  std::string Unit;     ///< the translation unit that saw it
};

/// Reads every *.json fact file in \p Dir. A malformed file throws
/// InputError naming it.
std::vector<LockEdge> readLockFacts(const std::string &Dir);

/// Cycles of \p Edges that span more than one translation unit, one finding
/// per distinct cycle, with each edge's acquisition sites as notes.
std::vector<Finding> crossUnitCycles(const std::vector<LockEdge> &Edges,
                                     const std::string &Root);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_LOCKFACTS_H
