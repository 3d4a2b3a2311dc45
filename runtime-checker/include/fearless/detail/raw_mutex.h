// fearless/detail/raw_mutex.h - the OS mutex and condition variable under
// fearless::Mutex and fearless::Condvar.
//
// Thin inline wrappers over pthreads, so that the lock fast path costs what
// std::mutex costs, timed locking works on the same mutex a condition
// variable waits with (std::mutex has no timed lock, std::timed_mutex cannot
// be used with std::condition_variable), and ThreadSanitizer sees every
// operation through its pthread interceptors.
//
// Invariant: no thread-safety attributes here; the public types carry them.
#ifndef FEARLESS_DETAIL_RAW_MUTEX_H_
#define FEARLESS_DETAIL_RAW_MUTEX_H_

#include <chrono>
#include <ctime>
#include <pthread.h>

#if defined(__GLIBC__) &&                                                      \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
#define FEARLESS_DETAIL_HAVE_CLOCKLOCK_ 1
#else
#define FEARLESS_DETAIL_HAVE_CLOCKLOCK_ 0
#endif

namespace fearless::detail {

/// Converts a steady_clock deadline to the timespec the OS calls take:
/// CLOCK_MONOTONIC where the clock can be chosen, CLOCK_REALTIME otherwise.
inline timespec to_os_deadline(std::chrono::steady_clock::time_point t) {
  using namespace std::chrono;
#if FEARLESS_DETAIL_HAVE_CLOCKLOCK_
  auto since_epoch = t.time_since_epoch();
#else
  auto since_epoch =
      (system_clock::now() +
       duration_cast<system_clock::duration>(t - steady_clock::now()))
          .time_since_epoch();
#endif
  if (since_epoch < nanoseconds::zero())
    since_epoch = nanoseconds::zero();
  auto secs = duration_cast<seconds>(since_epoch);
  timespec ts{};
  ts.tv_sec = static_cast<std::time_t>(secs.count());
  ts.tv_nsec =
      static_cast<long>(duration_cast<nanoseconds>(since_epoch - secs).count());
  return ts;
}

/// A non-recursive OS mutex. Not movable: waiters hold its address.
class RawMutex {
public:
  RawMutex() = default;
  RawMutex(const RawMutex &) = delete;
  RawMutex &operator=(const RawMutex &) = delete;
  ~RawMutex() { pthread_mutex_destroy(&m_); }

  void lock() noexcept { pthread_mutex_lock(&m_); }
  bool try_lock() noexcept { return pthread_mutex_trylock(&m_) == 0; }
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

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_RAW_MUTEX_H_
