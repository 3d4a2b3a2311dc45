// spin_mutex.h - the seeds' spin mutex on an atomic bool, with both halves
// of fearless: the capability attributes for the static half (-Wthread-
// safety, fearless-check) and fearless/user_lock.h for the tracker, which
// then reports its lock-order inversions, double locks and foreign unlocks
// as it does fearless::Mutex's. Used by samples/runtime/spin_mutex.cpp and
// its buggy twin; docs/runtime/preload.md#your-own-locks.
//
// Nothing else from fearless: the same code runs untracked in a program
// that does not link fearless (define FEARLESS_USER_LOCK_WEAK), and tracked
// again under fearless-run.
#ifndef FEARLESS_SAMPLES_SPIN_MUTEX_H_
#define FEARLESS_SAMPLES_SPIN_MUTEX_H_

#include "fearless/thread_safety.h"
#include "fearless/user_lock.h"

#include <atomic>
#include <source_location>
#include <thread>

namespace samples {

class FEARLESS_CAPABILITY("mutex") SpinMutex {
public:
  /// The lock's class for the tracker: `name` (every SpinMutex given that
  /// name is one class), else the line that constructs it. (A member
  /// without an initialiser is constructed, for GCC, at its class's line:
  /// name such members.)
  explicit SpinMutex(
      const char *name = nullptr,
      std::source_location where = std::source_location::current()) {
    fearless_lock_init(this, name, where.file_name(), where.line());
  }
  ~SpinMutex() { fearless_lock_destroy(this); }
  SpinMutex(const SpinMutex &) = delete;
  SpinMutex &operator=(const SpinMutex &) = delete;

  void lock() FEARLESS_ACQUIRE() {
    fearless_lock_acquire(this, 0); // before spinning: an inversion first
    while (locked_.exchange(true, std::memory_order_acquire))
      while (locked_.load(std::memory_order_relaxed))
        std::this_thread::yield();
    fearless_lock_acquired(this, 0);
  }

  bool try_lock() FEARLESS_TRY_ACQUIRE(true) {
    if (locked_.exchange(true, std::memory_order_acquire))
      return false;
    fearless_lock_acquired(this, FEARLESS_LOCK_TRY);
    return true;
  }

  void unlock() FEARLESS_RELEASE() {
    fearless_lock_release(this, 0); // before another thread can take it
    locked_.store(false, std::memory_order_release);
  }

private:
  std::atomic<bool> locked_{false};
};

/// Holds a SpinMutex for a scope.
class FEARLESS_SCOPED_CAPABILITY SpinGuard {
public:
  explicit SpinGuard(SpinMutex &mu) FEARLESS_ACQUIRE(mu) : mu_(mu) {
    mu_.lock();
  }
  ~SpinGuard() FEARLESS_RELEASE() { mu_.unlock(); }
  SpinGuard(const SpinGuard &) = delete;
  SpinGuard &operator=(const SpinGuard &) = delete;

private:
  SpinMutex &mu_;
};

} // namespace samples

#endif // FEARLESS_SAMPLES_SPIN_MUTEX_H_
