// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Reach, as the deadlock check reads it (deadlock.cpp): who may end a
// channel or condvar wait. The stamps and what each thread knows are kept
// by the primitives (detail/race_hooks.h); this reads them for one waiting
// thread, safely against the channel going away.
#ifndef FEARLESS_SRC_REACH_H_
#define FEARLESS_SRC_REACH_H_

#include "fearless/detail/hooks.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {

/// Address ranges of every loaded object's writable segments: its globals
/// and statics, which any thread may reach without synchronising (a
/// function-local static's guard is an atomic fearless does not see).
/// dl_iterate_phdr takes the loader's lock, which a thread blocking on a
/// fearless lock may hold: call it from the watchdog thread only.
using Ranges = std::vector<std::pair<std::uintptr_t, std::uintptr_t>>;
Ranges static_storage();

/// Who may end the wait of the thread of record `r` on `waits` (a channel
/// or condvar wait of kind `kind`).
struct WaitReach {
  /// A thread may end it only if it knows this stamp (0: any thread).
  std::uint64_t stamp = 0;
  /// For the report: the other side's live handles and who made them.
  std::string note;
  /// The thread left the wait, or the channel has no handle on the other
  /// side (disconnected): the wait ends by itself.
  bool ended = false;
};

/// The oldest stamp among the other side's live handles (the condvar's
/// stamp). A handle or condvar in `statics` (nullptr: not known) is
/// anyone's. The channel is read under a pin on `r` that on_unblock waits
/// out, so it cannot be freed meanwhile.
WaitReach wait_reach(ThreadRecord &r, const void *waits, WaitKind kind,
                     const Ranges *statics);

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING
#endif // FEARLESS_SRC_REACH_H_
