// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// What the preload's lock interposers share (locks.cpp: mutexes and condvar
// waits; rwlocks.cpp: reader-writer and spin locks): a lock's class from the
// code that first takes it, the tracker's on_acquired with where the user
// took the lock, and the "try, then tell the tracker and wait" step.
#ifndef FEARLESS_PRELOAD_LOCK_HOOKS_H_
#define FEARLESS_PRELOAD_LOCK_HOOKS_H_

#include "preload.h"

#include "foreign_lock.h"

#include <cerrno>

namespace fd = fearless::detail;
using fd::LockMode;
using fd::LockState;
using fd::WaitKind;

namespace fearless::preload {

[[gnu::always_inline]] inline void ensure_class(LockState &s,
                                                const void *ret) noexcept {
  if (s.cls.load(std::memory_order_relaxed) == 0) [[unlikely]]
    fd::class_from_code(s, ret);
}

// The tracker's on_acquired, with `at` (user_caller of the interposer's
// return address) as where the user took the lock: the interposer's own
// frame, and the standard library's between it and the user's code
// (std::lock_guard's constructor at -O0), say nothing.
template <class How>
[[gnu::always_inline]] inline void
acquired(LockState &s, LockMode mode, const How &how, const void *at) noexcept {
  fd::acquired_at(s, mode, how, 0, nullptr, at);
}

// Try once, and if the lock is taken, tell the tracker this thread is about
// to wait at `at` (its deadlock check; `timed`: a wait that cannot last
// forever) and wait. Out of line: the uncontended path stays small.
template <class Try, class Wait>
[[gnu::noinline]] int wait_for(LockState &s, WaitKind kind, bool timed,
                               const void *at, Try try_lock,
                               Wait lock) noexcept {
  int rc = try_lock();
  if (rc != EBUSY)
    return rc;
  fd::on_block_at(&s, kind, timed, at);
  rc = lock();
  fd::on_unblock(&s);
  return rc;
}


} // namespace fearless::preload

#endif // FEARLESS_PRELOAD_LOCK_HOOKS_H_
