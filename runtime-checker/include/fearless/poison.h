// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/poison.h - lock poisoning, the C++ form of Rust's PoisonError.
//
// A Mutex or RwLock is poisoned when a guard that gives write access is
// destroyed by an exception thrown while it was held: the protected value
// may be half-updated. Every later acquisition then throws PoisonError
// (after releasing the lock again), unless the caller passes
// fearless::ignore_poison to say it will check or repair the value itself:
//
//   try {
//     auto g = m.lock();
//     ...
//   } catch (const fearless::PoisonError &) {
//     auto g = m.lock(fearless::ignore_poison); // g.is_poisoned() is true
//     repair(*g);
//     m.clear_poison();
//   }
#ifndef FEARLESS_POISON_H_
#define FEARLESS_POISON_H_

#include <stdexcept>

namespace fearless {

/// Thrown by an acquisition of a poisoned lock. The lock is not held when
/// it is thrown; acquire it with fearless::ignore_poison to reach the value.
class PoisonError : public std::runtime_error {
public:
  PoisonError()
      : std::runtime_error("fearless: lock poisoned: a thread threw while "
                           "holding it") {}
};

/// Tag type of fearless::ignore_poison.
struct IgnorePoison {
  explicit IgnorePoison() = default;
};

/// Pass to lock(), try_lock(), read(), write(), ... to acquire a poisoned
/// lock without throwing PoisonError (Rust: `PoisonError::into_inner`).
inline constexpr IgnorePoison ignore_poison{};

} // namespace fearless

#endif // FEARLESS_POISON_H_
