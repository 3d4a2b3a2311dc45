// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The race detector's threads: each thread's clock state (FullThread),
// indexed by the clock slot the thread registry (threads.h) hands out and
// given back at the thread's exit.
#include "race_internal.h"

#include <string>
#include <utility>

#if FEARLESS_RACE_DETECTION

namespace fearless::detail::race {
namespace {

thread_local bool t_race_dead = false; // trivially destructible

// Owns the calling thread's slot; gives it back at thread exit.
struct RaceThreadOwner {
  FullThread t;
  bool ok = false;

  RaceThreadOwner() {
    std::uint64_t last = 0;
    const std::uint32_t i = take_clock_slot(&last);
    if (i == 0)
      return; // every slot is taken: this thread is not checked
    t.tid = i;
    // Invariant: a slot's clock only grows, so the epochs of the thread
    // that had it before stay below this one's.
    t.clock.set(i, last);
    t.tick();
    ok = true;
  }
  ~RaceThreadOwner() {
    t_race_dead = true;
    t_race = nullptr;
    t_epoch = kNoEpoch;
    if (ok)
      give_back_clock_slot(t.tid, t.clock.get(t.tid));
  }
};

} // namespace

FEARLESS_SLOW_PATH
FullThread *make_race_thread() {
  if (t_race_dead)
    return nullptr;
  thread_local RaceThreadOwner owner;
  if (!owner.ok)
    return nullptr;
  t_race = &owner.t;
  return &owner.t;
}

} // namespace fearless::detail::race

#endif // FEARLESS_RACE_DETECTION
