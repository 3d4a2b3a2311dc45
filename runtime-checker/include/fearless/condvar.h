// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/condvar.h - Condvar: wait for a condition on a Mutex<T>'s value.
//
// Rust's std::sync::Condvar: a thread holding a MutexGuard waits (the mutex
// is released while it sleeps and re-acquired before wait returns) until
// another thread notifies it. Waits may wake spuriously, so wait in a loop
// on a predicate, or use wait_while.
//
//   fearless::Mutex<std::deque<int>> queue;
//   fearless::Condvar ready;
//   auto g = queue.lock();
//   ready.wait_while(g, [](auto &q) { return q.empty(); });
//
// One Condvar must always be used with the same mutex; using it with a
// second one is reported as misuse (fearless/report.h).
#ifndef FEARLESS_CONDVAR_H_
#define FEARLESS_CONDVAR_H_

#include "fearless/detail/hooks.h"
#include "fearless/detail/raw_mutex.h"
#include "fearless/mutex.h"
#include "fearless/send_sync.h"

#include <atomic>
#include <chrono>
#include <concepts>
#include <functional>

namespace fearless {

/// Whether a timed wait returned because its time ran out.
class WaitTimeoutResult {
public:
  explicit WaitTimeoutResult(bool timed_out) noexcept : timed_out_(timed_out) {}
  /// True if the wait ended because the timeout passed.
  bool timed_out() const noexcept { return timed_out_; }

private:
  bool timed_out_;
};

/// A condition variable for fearless::Mutex.
///
/// ThreadSafe: wait and notify may be called from any thread at once.
class Condvar {
  FEARLESS_THREAD_SAFE; // every operation goes through the OS condvar

public:
  Condvar() = default;
  Condvar(const Condvar &) = delete;
  Condvar &operator=(const Condvar &) = delete;

  /// Releases the guard's mutex, sleeps until notified, re-acquires it.
  ///
  /// Blocks: until notify_one/notify_all wakes this thread, or spuriously.
  /// Errors: none thrown; a poisoned mutex is not checked (see
  /// guard.is_poisoned()). Using this Condvar with a second mutex is
  /// reported as misuse.
  /// Example: `while (q->empty()) cv.wait(q);`
  template <class T> [[gnu::always_inline]] void wait(MutexGuard<T> &guard) {
    Mutex<T> &m = guard.mutex_;
    check_mutex(&m);
    unsigned level = before_wait(m.track_, false);
    raw_.wait(m.raw_);
    after_wait(m.track_, level);
  }

  /// Waits while `pred(value)` is true (Rust: `wait_while`); returns with
  /// the mutex held and `pred(value)` false.
  ///
  /// Blocks: until a notification finds `pred` false. Errors: as wait().
  /// Example: `cv.wait_while(g, [](auto &q) { return q.empty(); });`
  template <class T, class Pred>
  requires std::predicate<Pred &, T &>
  void wait_while(MutexGuard<T> &guard, Pred pred) {
    while (std::invoke(pred, *guard))
      wait(guard);
  }

  /// Like wait(), but gives up after `timeout`.
  ///
  /// Blocks: up to `timeout`. Errors: as wait().
  /// Example: `if (cv.wait_for(g, 10ms).timed_out()) ...`
  template <class T, class Rep, class Period>
  WaitTimeoutResult wait_for(MutexGuard<T> &guard,
                             std::chrono::duration<Rep, Period> timeout) {
    return wait_until(guard, std::chrono::steady_clock::now() + timeout);
  }

  /// Like wait(), but gives up at `deadline`.
  ///
  /// Blocks: until `deadline`. Errors: as wait().
  template <class T, class Clock, class Duration>
  [[gnu::always_inline]] WaitTimeoutResult
  wait_until(MutexGuard<T> &guard,
             std::chrono::time_point<Clock, Duration> deadline) {
    Mutex<T> &m = guard.mutex_;
    check_mutex(&m);
    auto steady = std::chrono::steady_clock::now() +
                  std::chrono::ceil<std::chrono::steady_clock::duration>(
                      deadline - Clock::now());
    unsigned level = before_wait(m.track_, true);
    bool notified = raw_.wait_until(m.raw_, steady);
    after_wait(m.track_, level);
    return WaitTimeoutResult(!notified);
  }

  /// Waits while `pred(value)` is true, for at most `timeout` (Rust:
  /// `wait_timeout_while`). timed_out() is true only if `pred` was still
  /// true when the time ran out.
  ///
  /// Blocks: up to `timeout`. Errors: as wait().
  template <class T, class Rep, class Period, class Pred>
  requires std::predicate<Pred &, T &> WaitTimeoutResult
  wait_while_for(MutexGuard<T> &guard,
                 std::chrono::duration<Rep, Period> timeout, Pred pred) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::invoke(pred, *guard)) {
      if (wait_until(guard, deadline).timed_out())
        return WaitTimeoutResult(std::invoke(pred, *guard));
    }
    return WaitTimeoutResult(false);
  }

  /// Wakes one waiting thread, if any. Blocks: never. Errors: none.
  void notify_one() noexcept { raw_.notify_one(); }
  /// Wakes every waiting thread. Blocks: never. Errors: none.
  void notify_all() noexcept { raw_.notify_all(); }

private:
  // Records the first mutex used; reports any other (once per Condvar).
  void check_mutex(const void *mutex) {
    if (mutex_.load(std::memory_order_relaxed) != mutex) [[unlikely]]
      check_mutex_slow(mutex);
  }
  void check_mutex_slow(const void *mutex);

  // Returns the nest level the mutex was locked at (Mutex::lock_nested).
  unsigned before_wait(detail::LockState &mutex, bool timed) noexcept {
    unsigned level = nest_level(mutex);
    detail::on_release(mutex, detail::LockMode::exclusive);
    detail::on_block(&reach_, detail::WaitKind::condvar, timed);
    return level;
  }
  // The mutex is re-acquired inside the OS wait, so there is no "about to
  // acquire" point: only the acquisition itself is reported, at the level
  // the guard took it.
  [[gnu::always_inline]] void after_wait(detail::LockState &mutex,
                                         unsigned level) noexcept {
    detail::on_unblock(&reach_);
    detail::on_acquired(mutex, detail::LockMode::exclusive, false, level);
  }
  // The nest level at which the calling thread holds `mutex` (0 if the
  // tracker does not know it). Out of line: a wait is a slow path.
  static unsigned nest_level(const detail::LockState &mutex) noexcept;

  detail::RawCondvar raw_;
  detail::ReachStamp reach_; // who may notify it: the deadlock check's view
  std::atomic<const void *> mutex_{nullptr};
  std::atomic<bool> reported_{false};
};

} // namespace fearless

#endif // FEARLESS_CONDVAR_H_
