// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/raw_mutex.h - the OS mutex and condition variable under
// fearless::Mutex, fearless::Condvar and RwLock<T>.
//
// On Linux: a futex mutex and a futex condition variable, as Rust's std
// and Abseil build theirs. Locking takes one compare-and-swap; unlocking a
// plain store and a load (see RawMutex); the kernel is called only when a
// thread has to sleep or wake one that sleeps. pthread_mutex_lock costs
// more (a call, the mutex kind checks, lock elision, a locked instruction
// to unlock), and the tracker's fast path is measured against what it adds
// to the lock, so the lock must be cheap.
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

#include "fearless/detail/cpu_relax.h"
#include "fearless/detail/futex.h"

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
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#define FEARLESS_DETAIL_FUTEX_ 0
#endif

// glibc's flag "this process has never started a thread" (2.32): while it
// is set, RawMutex locks with a plain store, as glibc's own mutexes and
// libstdc++'s shared_ptr do.
#if FEARLESS_DETAIL_FUTEX_ && defined(__GLIBC__) &&                            \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
#define FEARLESS_DETAIL_SINGLE_THREADED_ 1
#include <sys/single_threaded.h>
#else
#define FEARLESS_DETAIL_SINGLE_THREADED_ 0
#endif

#if defined(__GLIBC__) &&                                                      \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
#define FEARLESS_DETAIL_HAVE_CLOCKLOCK_ 1
#else
#define FEARLESS_DETAIL_HAVE_CLOCKLOCK_ 0
#endif

namespace fearless::detail {

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

// RawMutex and RawCondvar sleep and wake through detail/futex.h, as the
// channels do; what is theirs alone is the fence below.
namespace futex {

// --- the asymmetric fence behind RawMutex's unlock -------------------------
//
// An unlock that stores "free" and then loads "does anyone sleep?" races
// with a locker that adds itself to the sleepers and then loads "is it
// free?": without a full fence on both sides each may miss the other's
// store (store->load reordering), and the locker sleeps with nobody to
// wake it. Unlocks are frequent and sleeps rare, so the whole fence goes
// to the sleeper: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) runs a full
// fence on every CPU that runs a thread of this process, so an unlocker
// has either made its "free" visible or not yet loaded the sleeper count
// (Linux 4.14; what Folly's asymmetric fences and liburcu do). Where the
// call is missing or refused (old kernels, seccomp, valgrind) unlock keeps
// its atomic exchange and the sleeper a plain fence.
//
// The membarrier costs the sleeper microseconds (an interrupt to the other
// CPUs), so a mutex that once had a sleeper turns heavy (RawMutex below):
// its later holders unlock with an exchange, and sleeping behind them
// needs no membarrier. Uncontended mutexes stay light.
//
// Invariant: light_unlock() is true only once this process is registered,
// and a sleeper that finds a holder which may unlock light issues the
// membarrier after announcing itself and before it sleeps.
namespace asym {

/// 0: not asked yet; 1: registered, unlocks are light; -1: not available
/// (or switched off for a test): unlocks are atomic exchanges; kDegraded
/// (below): refused after registration.
inline std::atomic<int> g_mode{0};

/// Registers the process (once; racing callers register twice, which the
/// kernel allows) and returns whether unlocks are light.
[[gnu::noinline]] inline bool init() noexcept {
  int mode = g_mode.load(std::memory_order_acquire);
  if (mode != 0)
    return mode > 0;
  long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  bool ok = cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
            syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED,
                    0, 0) == 0;
  int expected = 0;
  g_mode.compare_exchange_strong(expected, ok ? 1 : -1,
                                 std::memory_order_acq_rel);
  return g_mode.load(std::memory_order_acquire) > 0;
}

/// Registered at start-up, before main's threads exist, so that the first
/// uncontended unlocks are already light. (A mutex unlocked during static
/// initialisation before this runs takes the atomic path: still correct.)
inline const bool g_started = init();

/// True if RawMutex::unlock may be a plain store and load.
[[gnu::always_inline]] inline bool light_unlock() noexcept {
  return g_mode.load(std::memory_order_relaxed) > 0;
}

/// The sleeper's side: a full fence on every CPU running this process.
/// Returns false if it could not be made while unlocks may be light: the
/// caller then sleeps in short slices. That cannot happen once registered,
/// unless a sandbox installed later (a seccomp filter) refuses the call;
/// then unlocks turn to exchanges for good (kDegraded), and sleepers keep
/// to slices, since an unlock that read the old mode may still be running.
inline constexpr int kDegraded = -2;
[[gnu::noinline]] inline bool heavy_fence() noexcept {
  if (init() &&
      syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) != 0)
    g_mode.store(kDegraded, std::memory_order_seq_cst);
  if (g_mode.load(std::memory_order_seq_cst) == kDegraded)
    return false;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return true;
}

/// For tests only, with no thread waiting on any RawMutex: as if
/// membarrier had been refused after registration (kDegraded).
inline void degrade_for_testing() noexcept {
  g_mode.store(kDegraded, std::memory_order_seq_cst);
}

/// For tests only, with no thread waiting on any RawMutex: false makes
/// every unlock an atomic exchange (the fallback path); true restores the
/// light unlock if the process is registered.
inline void set_light_unlock_for_testing(bool light) noexcept {
  if (!light) {
    g_mode.store(-1, std::memory_order_seq_cst);
    return;
  }
  g_mode.store(0, std::memory_order_seq_cst);
  init();
}

} // namespace asym

} // namespace futex

/// A non-recursive mutex on one futex word plus a count of the threads
/// that may sleep on it (Drepper, "Futexes Are Tricky"; Rust std's futex
/// mutex). An uncontended mutex unlocks without a locked instruction
/// (futex::asym above); once a thread had to sleep on it, it unlocks with
/// an atomic exchange, so that sleeping on it again costs no membarrier.
/// Not movable: waiters hold its address.
///
/// Invariant: state_ is one of
///   kFree          0  unlocked, light;
///   kLocked        1  locked by a thread that took it light: its unlock may
///                     be a plain store (which also wipes kHeavy);
///   kFreeHeavy     2  unlocked; a thread once slept on it;
///   kLockedLight   3  kLocked plus kHeavy: a sleeper came while it was held;
///   kLockedHeavy   7  locked by a thread that took it from kFreeHeavy: its
///                     unlock reads kHeavy and is an exchange;
///   kLockedWaited 15  kLockedHeavy, and a thread may sleep on it.
/// Every sleeper counts itself in sleepers_ from before it reads state_
/// for its sleep until after it wakes, and every unlock that finds
/// sleepers_ non-zero wakes one. Behind a heavy holder a thread sleeps as
/// in Drepper's mutex 3 -- it sets kLockedWaited (a compare-and-swap
/// orders it with the unlock's exchange) -- except that a woken thread
/// takes the lock as kLockedHeavy, not kLockedWaited: the count, not the
/// state, says whether others still sleep, so a lock handed back and forth
/// does not make every unlock a system call; and it spins before sleeping
/// again. Behind a light holder a sleeper marks the mutex heavy and makes
/// a membarrier. State 0 never comes back once the mutex is
/// heavy, except through a light holder's store, and no thread sleeps on
/// kLockedWaited then.
class RawMutex {
public:
  RawMutex() = default;
  RawMutex(const RawMutex &) = delete;
  RawMutex &operator=(const RawMutex &) = delete;

  bool try_lock() noexcept {
#if FEARLESS_DETAIL_SINGLE_THREADED_
    // No other thread exists, and none can start during this call (thread
    // creation then orders the store before the new thread's accesses).
    if (__libc_single_threaded) {
      std::uint32_t s = state_.load(std::memory_order_relaxed);
      if (s & kLockedBit)
        return false;
      state_.store(locked_from(s), std::memory_order_relaxed);
      return true;
    }
#endif
    // One compare-and-swap, from the free state this mutex is in.
    std::uint32_t s = state_.load(std::memory_order_relaxed);
    return !(s & kLockedBit) &&
           state_.compare_exchange_strong(s, locked_from(s),
                                          std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }
  void lock() noexcept {
    if (!try_lock() && !try_lock_spinning()) [[unlikely]]
      lock_sleeping();
  }
  void unlock() noexcept {
    if (state_.load(std::memory_order_relaxed) == kLocked &&
        futex::asym::light_unlock()) [[likely]] {
      state_.store(kFree, std::memory_order_release);
      // Keeps the compiler from loading first; the CPU's store->load
      // reordering is the sleeper's membarrier's business.
      std::atomic_signal_fence(std::memory_order_seq_cst);
      if (sleepers_.load(std::memory_order_relaxed) != 0) [[unlikely]]
        futex::wake(&state_, 1);
      return;
    }
    unlock_heavy();
  }

  /// After a failed try_lock: spins a while the holder runs (most
  /// critical sections are short), with backoff (see kSpinReads); true if
  /// that got the lock. Stops at once if threads already sleep on it: they
  /// are first in line.
  [[gnu::noinline]] bool try_lock_spinning() noexcept {
    for (int i = 0; i < kSpinReads; ++i) {
      std::uint32_t s = state_.load(std::memory_order_relaxed);
      if (s == kLockedWaited)
        return false;
      if (!(s & kLockedBit) &&
          state_.compare_exchange_weak(s, locked_from(s),
                                       std::memory_order_acquire,
                                       std::memory_order_relaxed))
        return true;
      back_off(i);
    }
    return false;
  }

  /// Locks, sleeping in the kernel until it is free (after try_lock and
  /// try_lock_spinning failed).
  [[gnu::noinline]] void lock_sleeping() noexcept {
    sleep_until_locked(nullptr);
  }

  /// Returns false if `deadline` passed before the lock was free.
  bool try_lock_until(std::chrono::steady_clock::time_point deadline) noexcept {
    if (try_lock())
      return true;
    if (deadline <= std::chrono::steady_clock::now())
      return false; // past already: one try, as std::timed_mutex
    if (try_lock_spinning())
      return true;
    timespec ts = to_steady_timespec(deadline);
    return sleep_until_locked(&ts);
  }

private:
  friend class RawCondvar;
  static constexpr std::uint32_t kLockedBit = 1, kHeavy = 2;
  static constexpr std::uint32_t kFree = 0, kLocked = kLockedBit,
                                 kFreeHeavy = kHeavy,
                                 kLockedLight = kLockedBit | kHeavy,
                                 kLockedHeavy = kLockedBit | kHeavy | 4,
                                 kLockedWaited = kLockedHeavy | 8;
  /// Spinning reads the state kSpinReads times, 1, 2, 4, ... and then
  /// 2^kMaxBackoff pauses apart: about a thousand pauses in all (~18 us on
  /// the development VM, where a pause takes ~19 ns; longer where it is
  /// slower, as on Intel since Skylake; Abseil's mutex spins 1500 loads). Every
  /// read takes the cache line of the futex word from the holder, whose next
  /// lock and unlock then wait for it to come back: a waiter that reads it
  /// every pause, as a plain spin does, slowed a holder that re-locks at once
  /// (two threads taking turns with one lock) several times over, and went
  /// to sleep sooner (bench/mutex_bench, `contended`).
  static constexpr int kSpinReads = 20, kMaxBackoff = 6;

  // The pause after the i-th read of a spin (exponential backoff).
  static void back_off(int i) noexcept {
    for (int n = 1 << (i < kMaxBackoff ? i : kMaxBackoff); n > 0; --n)
      cpu_relax();
  }

  static std::uint32_t locked_from(std::uint32_t free_state) noexcept {
    return free_state == kFree ? kLocked : kLockedHeavy;
  }

  [[gnu::noinline]] void unlock_heavy() noexcept {
    std::uint32_t old =
        state_.exchange(kFreeHeavy, std::memory_order_seq_cst);
    if (old == kLockedWaited ||
        sleepers_.load(std::memory_order_seq_cst) != 0)
      futex::wake(&state_, 1);
  }

  // Takes the lock, or sleeps while it is held (see the invariant). With
  // no fence possible behind a light holder it sleeps in 1 ms slices (a
  // missed wake-up then costs a slice, not a hang).
  bool sleep_until_locked(const timespec *deadline) noexcept {
    for (;;) {
      std::uint32_t s = state_.load(std::memory_order_relaxed);
      if (!(s & kLockedBit)) {
        if (state_.compare_exchange_strong(s, locked_from(s),
                                           std::memory_order_acquire,
                                           std::memory_order_relaxed))
          return true;
        continue;
      }
      if (s == kLockedHeavy || s == kLockedWaited) {
        if (!sleep_behind_heavy_holder(s, deadline))
          return false;
        // Woken (or the state changed before the sleep): the holder may
        // be about to unlock, so spin before sleeping again.
        spin_while_locked();
        continue;
      }
      if (!sleep_behind_light_holder(deadline))
        return false;
    }
  }

  // Spins while the mutex is held (any holder), as try_lock_spinning.
  void spin_while_locked() noexcept {
    for (int i = 0; i < kSpinReads; ++i) {
      if (!(state_.load(std::memory_order_relaxed) & kLockedBit))
        return;
      back_off(i);
    }
  }

  // One sleep behind a holder that took the lock heavy (`s` is
  // kLockedHeavy or kLockedWaited). Counted in sleepers_ from before it
  // marks the mutex waited until after it wakes, so that the lock can be
  // taken again as kLockedHeavy: an unlock wakes while sleepers_ is not 0.
  // False if the deadline passed.
  bool sleep_behind_heavy_holder(std::uint32_t s,
                                 const timespec *deadline) noexcept {
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    bool ok = true;
    if (s == kLockedWaited ||
        state_.compare_exchange_strong(s, kLockedWaited,
                                       std::memory_order_seq_cst,
                                       std::memory_order_relaxed) ||
        s == kLockedWaited)
      ok = futex::wait(state_, kLockedWaited, deadline);
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    return ok;
  }

  // One sleep behind a holder that took the lock light (kLocked or
  // kLockedLight). False if the deadline passed.
  [[gnu::noinline]] bool
  sleep_behind_light_holder(const timespec *deadline) noexcept {
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    std::uint32_t s = state_.load(std::memory_order_seq_cst);
    bool timed_out = false;
    if ((s == kLocked &&
         state_.compare_exchange_strong(s, kLockedLight,
                                        std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) ||
        s == kLockedLight) {
      const timespec *until = deadline;
      timespec slice;
      if (!futex::asym::heavy_fence()) {
        slice = to_steady_timespec(std::chrono::steady_clock::now() +
                                   std::chrono::milliseconds(1));
        if (!deadline || slice.tv_sec < deadline->tv_sec ||
            (slice.tv_sec == deadline->tv_sec &&
             slice.tv_nsec < deadline->tv_nsec))
          until = &slice;
      }
      timed_out = !futex::wait(state_, kLockedLight, until) && until == deadline;
    }
    sleepers_.fetch_sub(1, std::memory_order_relaxed);
    return !timed_out;
  }

  std::atomic<std::uint32_t> state_{kFree};
  std::atomic<std::uint32_t> sleepers_{0};
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
    futex::wake(&seq_, n);
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
