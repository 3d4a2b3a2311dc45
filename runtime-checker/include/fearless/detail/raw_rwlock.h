// fearless/detail/raw_rwlock.h - the writer-preferring lock under RwLock<T>.
//
// std::shared_mutex (pthread_rwlock_t) prefers readers on glibc, so a steady
// stream of readers starves writers. This lock makes new readers wait as
// soon as a writer is waiting. Built on the OS mutex and condition
// variables, so ThreadSanitizer understands it with no annotations.
//
// Invariant (under m_): writer_ implies readers_ == 0; a reader enters only
// when !writer_ && writers_waiting_ == 0.
#ifndef FEARLESS_DETAIL_RAW_RWLOCK_H_
#define FEARLESS_DETAIL_RAW_RWLOCK_H_

#include "fearless/detail/raw_mutex.h"

#include <chrono>
#include <cstddef>

namespace fearless::detail {

class RawRwLock {
public:
  RawRwLock() = default;
  RawRwLock(const RawRwLock &) = delete;
  RawRwLock &operator=(const RawRwLock &) = delete;

  /// Returns false if it had to wait (for the tracker's on_block).
  bool try_lock_shared() noexcept {
    Locked l(m_);
    if (writer_ || writers_waiting_ > 0)
      return false;
    ++readers_;
    return true;
  }
  void lock_shared() noexcept {
    Locked l(m_);
    while (writer_ || writers_waiting_ > 0)
      readers_cv_.wait(m_);
    ++readers_;
  }
  bool try_lock_shared_until(
      std::chrono::steady_clock::time_point deadline) noexcept {
    Locked l(m_);
    while (writer_ || writers_waiting_ > 0) {
      if (!readers_cv_.wait_until(m_, deadline) &&
          (writer_ || writers_waiting_ > 0))
        return false;
    }
    ++readers_;
    return true;
  }
  void unlock_shared() noexcept {
    Locked l(m_);
    if (--readers_ == 0 && writers_waiting_ > 0)
      writers_cv_.notify_one();
  }

  bool try_lock() noexcept {
    Locked l(m_);
    if (writer_ || readers_ > 0)
      return false;
    writer_ = true;
    return true;
  }
  void lock() noexcept {
    Locked l(m_);
    ++writers_waiting_;
    while (writer_ || readers_ > 0)
      writers_cv_.wait(m_);
    --writers_waiting_;
    writer_ = true;
  }
  bool try_lock_until(std::chrono::steady_clock::time_point deadline) noexcept {
    Locked l(m_);
    ++writers_waiting_;
    while (writer_ || readers_ > 0) {
      if (!writers_cv_.wait_until(m_, deadline) && (writer_ || readers_ > 0)) {
        // Gave up: readers held back for this writer may enter again.
        if (--writers_waiting_ == 0 && !writer_)
          readers_cv_.notify_all();
        return false;
      }
    }
    --writers_waiting_;
    writer_ = true;
    return true;
  }
  void unlock() noexcept {
    Locked l(m_);
    writer_ = false;
    if (writers_waiting_ > 0)
      writers_cv_.notify_one();
    else
      readers_cv_.notify_all();
  }

  /// Writers currently waiting (for tests: lets them see a writer queued).
  std::size_t writers_waiting() noexcept {
    Locked l(m_);
    return writers_waiting_;
  }

private:
  struct Locked {
    explicit Locked(RawMutex &m) noexcept : m_(m) { m_.lock(); }
    ~Locked() { m_.unlock(); }
    Locked(const Locked &) = delete;
    Locked &operator=(const Locked &) = delete;
    RawMutex &m_;
  };

  RawMutex m_;
  RawCondvar readers_cv_; // readers waiting for writers to finish
  RawCondvar writers_cv_; // writers waiting for the lock to be free
  std::size_t readers_ = 0;
  std::size_t writers_waiting_ = 0;
  bool writer_ = false;
};

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_RAW_RWLOCK_H_
