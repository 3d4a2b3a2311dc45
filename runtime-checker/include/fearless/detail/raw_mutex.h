// fearless/detail/raw_mutex.h - the OS mutex and condition variable under
// fearless::Mutex, fearless::Condvar and RwLock<T>.
//
// On Linux: a futex mutex and a futex condition variable, as Rust's std
// and Abseil build theirs. Locking takes one compare-and-swap, unlocking
// one atomic exchange; the kernel is called only when a thread has to
// sleep or wake one that sleeps. pthread_mutex_lock costs more (a call,
// the mutex kind checks, lock elision), and the tracker's fast path is
// measured against what it adds to the lock, so the lock must be cheap.
//
// Under ThreadSanitizer, and where there is no futex: thin wrappers over
// pthreads, so that TSan sees every operation through its pthread
// interceptors (its happens-before edges, lock-order and misuse reports
// then agree with the tracker's).
//
// Both give timed locking on the same mutex a condition variable waits
// with (std::mutex has no timed lock, std::timed_mutex cannot be used with
// std::condition_variable), with deadlines on the steady clock.
//
// Invariant: no thread-safety attributes here; the public types carry them.
#ifndef FEARLESS_DETAIL_RAW_MUTEX_H_
#define FEARLESS_DETAIL_RAW_MUTEX_H_

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <ctime>
#include <pthread.h>

#if defined(__SANITIZE_THREAD__)
#define FEARLESS_DETAIL_TSAN_ 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FEARLESS_DETAIL_TSAN_ 1
#endif
#endif
#ifndef FEARLESS_DETAIL_TSAN_
#define FEARLESS_DETAIL_TSAN_ 0
#endif

#if defined(__linux__) && !FEARLESS_DETAIL_TSAN_
#define FEARLESS_DETAIL_FUTEX_ 1
#include <cerrno>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#define FEARLESS_DETAIL_FUTEX_ 0
#endif

#if defined(__GLIBC__) &&                                                      \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
#define FEARLESS_DETAIL_HAVE_CLOCKLOCK_ 1
#else
#define FEARLESS_DETAIL_HAVE_CLOCKLOCK_ 0
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

/// Converts a steady_clock deadline to the timespec the pthread calls take:
/// CLOCK_MONOTONIC where the clock can be chosen, CLOCK_REALTIME otherwise.
inline timespec to_os_deadline(std::chrono::steady_clock::time_point t) {
#if FEARLESS_DETAIL_HAVE_CLOCKLOCK_
  return to_steady_timespec(t);
#else
  using namespace std::chrono;
  auto real = system_clock::now() +
              duration_cast<system_clock::duration>(t - steady_clock::now());
  return to_steady_timespec(steady_clock::time_point(
      duration_cast<steady_clock::duration>(real.time_since_epoch())));
#endif
}

#if FEARLESS_DETAIL_FUTEX_

// The futex calls of RawMutex and RawCondvar (the channels have their own,
// out of line: these stay inline, so that the primitives need no library).
namespace futex {

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

/// Wakes up to `n` threads sleeping in wait() on `word`.
inline void wake(std::atomic<std::uint32_t> &word, int n) noexcept {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(&word),
          FUTEX_WAKE | FUTEX_PRIVATE_FLAG, n);
}

/// A hint to the CPU inside a spin loop (channel_core.h has its own).
inline void spin_hint() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

} // namespace futex

/// A non-recursive mutex on one futex word (Drepper, "Futexes Are Tricky",
/// mutex 3; Rust std's futex mutex). Not movable: waiters hold its address.
///
/// Invariant: state_ is 0 (unlocked), 1 (locked, nobody sleeps) or 2
/// (locked, a thread may sleep on it). A thread sets 2 before it sleeps, so
/// the unlock that finds 2 wakes one; a woken thread takes the lock with 2
/// again, since others may still sleep (at worst one wake-up too many).
class RawMutex {
public:
  RawMutex() = default;
  RawMutex(const RawMutex &) = delete;
  RawMutex &operator=(const RawMutex &) = delete;

  bool try_lock() noexcept {
    std::uint32_t expected = kUnlocked;
    return state_.compare_exchange_strong(expected, kLocked,
                                          std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }
  void lock() noexcept {
    if (!try_lock() && !try_lock_spinning()) [[unlikely]]
      lock_sleeping();
  }
  void unlock() noexcept {
    if (state_.exchange(kUnlocked, std::memory_order_release) == kContended)
        [[unlikely]]
      futex::wake(state_, 1);
  }

  /// After a failed try_lock: spins briefly while the holder runs (most
  /// critical sections are short); true if that got the lock. Stops at
  /// once if threads already sleep on it: they are first in line.
  [[gnu::noinline]] bool try_lock_spinning() noexcept {
    for (int i = 0; i < kSpins; ++i) {
      std::uint32_t s = state_.load(std::memory_order_relaxed);
      if (s == kContended)
        return false;
      if (s == kUnlocked &&
          state_.compare_exchange_weak(s, kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed))
        return true;
      futex::spin_hint();
    }
    return false;
  }

  /// Locks, sleeping in the kernel until it is free (after try_lock and
  /// try_lock_spinning failed).
  [[gnu::noinline]] void lock_sleeping() noexcept {
    while (state_.exchange(kContended, std::memory_order_acquire) != kUnlocked)
      futex::wait(state_, kContended, nullptr);
  }

  /// Returns false if `deadline` passed before the lock was free.
  bool try_lock_until(std::chrono::steady_clock::time_point deadline) noexcept {
    if (try_lock() || try_lock_spinning())
      return true;
    timespec ts = to_steady_timespec(deadline);
    while (state_.exchange(kContended, std::memory_order_acquire) !=
           kUnlocked) {
      // Timed out with state_ left at 2: the next unlock wakes someone
      // who may not be there, which is harmless.
      if (!futex::wait(state_, kContended, &ts))
        return false;
    }
    return true;
  }

private:
  friend class RawCondvar;
  static constexpr std::uint32_t kUnlocked = 0, kLocked = 1, kContended = 2;
  static constexpr int kSpins = 100; // as Rust's std
  std::atomic<std::uint32_t> state_{kUnlocked};
};

/// A condition variable on one futex word: a sequence number that every
/// notification bumps (Rust std's futex condvar), plus a count of waiters
/// so that a notification nobody waits for costs no system call.
///
/// A waiter reads the sequence number before it unlocks the mutex and
/// sleeps only while it is unchanged, so a notification that comes after
/// the unlock is never lost. Invariant: waiters_ counts the threads between
/// the increment in wait (made with the mutex held) and the decrement after
/// it; a notifier that changed the condition under the same mutex sees the
/// increment (the mutex orders them).
class RawCondvar {
public:
  RawCondvar() = default;
  RawCondvar(const RawCondvar &) = delete;
  RawCondvar &operator=(const RawCondvar &) = delete;

  /// Unlocks `m`, sleeps until notified (or spuriously), locks `m`.
  void wait(RawMutex &m) noexcept { wait_impl(m, nullptr); }
  /// The same with a deadline. Returns false if the deadline passed.
  bool wait_until(RawMutex &m,
                  std::chrono::steady_clock::time_point deadline) noexcept {
    timespec ts = to_steady_timespec(deadline);
    return wait_impl(m, &ts);
  }
  void notify_one() noexcept { notify(1); }
  void notify_all() noexcept { notify(INT_MAX); }

private:
  void notify(int n) noexcept {
    if (waiters_.load(std::memory_order_seq_cst) == 0)
      return;
    seq_.fetch_add(1, std::memory_order_seq_cst);
    futex::wake(seq_, n);
  }

  [[gnu::noinline]] bool wait_impl(RawMutex &m, const timespec *ts) noexcept {
    waiters_.fetch_add(1, std::memory_order_seq_cst);
    std::uint32_t seen = seq_.load(std::memory_order_seq_cst);
    m.unlock();
    bool woken = futex::wait(seq_, seen, ts);
    m.lock();
    waiters_.fetch_sub(1, std::memory_order_relaxed);
    return woken;
  }

  std::atomic<std::uint32_t> seq_{0};
  std::atomic<std::uint32_t> waiters_{0};
};

#else // pthreads: ThreadSanitizer, or no futex

/// A non-recursive OS mutex. Not movable: waiters hold its address.
class RawMutex {
public:
  RawMutex() = default;
  RawMutex(const RawMutex &) = delete;
  RawMutex &operator=(const RawMutex &) = delete;
  ~RawMutex() { pthread_mutex_destroy(&m_); }

  void lock() noexcept { pthread_mutex_lock(&m_); }
  bool try_lock() noexcept { return pthread_mutex_trylock(&m_) == 0; }
  /// No spinning of its own here (the OS mutex may spin): always false.
  bool try_lock_spinning() noexcept { return false; }
  /// Locks, waiting as long as it takes.
  void lock_sleeping() noexcept { pthread_mutex_lock(&m_); }
  bool try_lock_until(std::chrono::steady_clock::time_point deadline) noexcept {
    timespec ts = to_os_deadline(deadline);
#if FEARLESS_DETAIL_HAVE_CLOCKLOCK_
    return pthread_mutex_clocklock(&m_, CLOCK_MONOTONIC, &ts) == 0;
#else
    return pthread_mutex_timedlock(&m_, &ts) == 0;
#endif
  }
  void unlock() noexcept { pthread_mutex_unlock(&m_); }
  pthread_mutex_t *native() noexcept { return &m_; }

private:
  pthread_mutex_t m_ = PTHREAD_MUTEX_INITIALIZER;
};

/// An OS condition variable waiting on a RawMutex.
class RawCondvar {
public:
  RawCondvar() = default;
  RawCondvar(const RawCondvar &) = delete;
  RawCondvar &operator=(const RawCondvar &) = delete;
  ~RawCondvar() { pthread_cond_destroy(&c_); }

  void wait(RawMutex &m) noexcept { pthread_cond_wait(&c_, m.native()); }
  /// Returns false if the deadline passed.
  bool wait_until(RawMutex &m,
                  std::chrono::steady_clock::time_point deadline) noexcept {
    timespec ts = to_os_deadline(deadline);
#if FEARLESS_DETAIL_HAVE_CLOCKLOCK_
    return pthread_cond_clockwait(&c_, m.native(), CLOCK_MONOTONIC, &ts) == 0;
#else
    return pthread_cond_timedwait(&c_, m.native(), &ts) == 0;
#endif
  }
  void notify_one() noexcept { pthread_cond_signal(&c_); }
  void notify_all() noexcept { pthread_cond_broadcast(&c_); }

private:
  pthread_cond_t c_ = PTHREAD_COND_INITIALIZER;
};

#endif // FEARLESS_DETAIL_FUTEX_

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_RAW_MUTEX_H_
