// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/futex.h - the one futex layer of the runtime: RawMutex and
// RawCondvar (raw_mutex.h) and the channels' parking (channel_core.h) sleep
// and wake through futex::wait and futex::wake (as Abseil's
// internal/futex.h serves its Mutex and its waiters).
//
// On Linux: the system call, inline, so that the primitives need no
// library. Elsewhere: an address-keyed table of condition variables in the
// runtime library (src/futex.cpp); only the channels use it there, RawMutex
// being pthreads.
#ifndef FEARLESS_DETAIL_FUTEX_H_
#define FEARLESS_DETAIL_FUTEX_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>

#if defined(__linux__)
#include <cerrno>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace fearless::detail {

/// A steady_clock time point as a timespec on that clock's epoch
/// (CLOCK_MONOTONIC on Linux); negative times become zero.
inline timespec to_steady_timespec(std::chrono::steady_clock::time_point t) {
  using namespace std::chrono;
  auto since_epoch = t.time_since_epoch();
  if (since_epoch < nanoseconds::zero())
    since_epoch = nanoseconds::zero();
  auto secs = duration_cast<seconds>(since_epoch);
  timespec ts{};
  ts.tv_sec = static_cast<std::time_t>(secs.count());
  ts.tv_nsec =
      static_cast<long>(duration_cast<nanoseconds>(since_epoch - secs).count());
  return ts;
}

namespace futex {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "a futex word is a plain 32-bit integer");

#if defined(__linux__)

/// Sleeps while `*word == expected`, until woken or the absolute
/// CLOCK_MONOTONIC `deadline` (nullptr: none). Returns false only if the
/// deadline passed; a wake-up, a changed value or a signal return true
/// (callers re-check their condition in a loop).
inline bool wait(std::atomic<std::uint32_t> &word, std::uint32_t expected,
                 const timespec *deadline) noexcept {
  // FUTEX_WAIT_BITSET takes an absolute time on CLOCK_MONOTONIC (plain
  // FUTEX_WAIT a relative one, which a loop would have to recompute).
  long r = syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word),
                   FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, expected, deadline,
                   nullptr, FUTEX_BITSET_MATCH_ANY);
  return !(r == -1 && errno == ETIMEDOUT);
}

/// Wakes up to `n` threads sleeping in wait() on `word`. Only the address
/// is used: `word` may already be destroyed (its waiter saw the wake-up and
/// returned); the worst case is a spurious wake-up of a later waiter at the
/// same address, which every waiter tolerates.
inline void wake(const std::atomic<std::uint32_t> *word, int n) noexcept {
  syscall(SYS_futex,
          reinterpret_cast<std::uint32_t *>(
              const_cast<std::atomic<std::uint32_t> *>(word)),
          FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n);
}

#else

bool wait(std::atomic<std::uint32_t> &word, std::uint32_t expected,
          const timespec *deadline) noexcept;
void wake(const std::atomic<std::uint32_t> *word, int n) noexcept;

#endif

} // namespace futex
} // namespace fearless::detail

#endif // FEARLESS_DETAIL_FUTEX_H_
