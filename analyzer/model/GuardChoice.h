//===--- GuardChoice.h - which mutex guards a field -----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The one rule that names the mutex guarding a field from the accesses to
// it: fearless-missing-guarded-by applies it to the accesses one unit sees,
// fearless-check --fix to the accesses of every unit joined (docs/facts.md).
// Plain C++ (no LLVM), so that the driver shares it.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MODEL_GUARDCHOICE_H
#define FEARLESS_ANALYZER_MODEL_GUARDCHOICE_H

#include <cstddef>

namespace fearless {

/// The accesses to one field that hold one candidate mutex. Only accesses
/// that count (not in constructors) are tallied.
struct GuardVotes {
  unsigned Writes = 0; ///< writes with the mutex held
  unsigned All = 0;    ///< reads and writes with the mutex held
};

/// The index of the guarding mutex among \p Votes (one per candidate, in
/// the order the candidates were met), or -1 when no write holds any: the
/// mutex held at the most writes; of two held at as many writes, the one
/// held at more of the other accesses (a field written under `a` and `b`
/// and read under `b` is guarded by `b`); of equals, the first.
template <class Range> int chooseGuard(const Range &Votes) {
  int Best = -1, Index = 0;
  unsigned BestWrites = 0, BestAll = 0;
  for (const GuardVotes &V : Votes) {
    if (V.Writes > BestWrites ||
        (V.Writes && V.Writes == BestWrites && V.All > BestAll)) {
      Best = Index;
      BestWrites = V.Writes;
      BestAll = V.All;
    }
    ++Index;
  }
  return Best;
}

} // namespace fearless

#endif // FEARLESS_ANALYZER_MODEL_GUARDCHOICE_H
