// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/raw_rwlock.h - the writer-preferring lock under RwLock<T>.
//
// std::shared_mutex (pthread_rwlock_t) prefers readers on glibc, so a steady
// stream of readers starves writers. This lock makes new readers wait as
// soon as a writer is waiting. Built on RawMutex and RawCondvar (futexes on
// Linux). Under ThreadSanitizer those are the pthread ones, so TSan sees
// its happens-before edges through the pthread interceptors; the lock also
// announces itself as a reader-writer lock (TSan's dynamic annotations), so
// that TSan's own reports (lock-order inversions, "unlock of an unlocked
// mutex") name it as one and agree with fearless' tracker.
//
// Invariant (under m_): writer_ implies readers_ == 0; a reader enters only
// when !writer_ && writers_waiting_ == 0.
#ifndef FEARLESS_DETAIL_RAW_RWLOCK_H_
#define FEARLESS_DETAIL_RAW_RWLOCK_H_

#include "fearless/detail/raw_mutex.h"

#include <chrono>
#include <cstddef>

#if FEARLESS_DETAIL_TSAN_
// ThreadSanitizer's dynamic annotations (compiler-rt, tsan_interface_ann).
extern "C" {
void AnnotateRWLockCreate(const char *file, int line,
                          const volatile void *lock);
void AnnotateRWLockDestroy(const char *file, int line,
                           const volatile void *lock);
void AnnotateRWLockAcquired(const char *file, int line,
                            const volatile void *lock, long is_w);
void AnnotateRWLockReleased(const char *file, int line,
                            const volatile void *lock, long is_w);
}
#endif

namespace fearless::detail {

class RawRwLock {
public:
  RawRwLock() noexcept { annotate_create(); }
  ~RawRwLock() { annotate_destroy(); }
  RawRwLock(const RawRwLock &) = delete;
  RawRwLock &operator=(const RawRwLock &) = delete;

  /// Returns false if it had to wait (for the tracker's on_block).
  bool try_lock_shared() noexcept {
    return acquired(try_lock_shared_impl(), false);
  }
  void lock_shared() noexcept {
    lock_shared_impl();
    acquired(true, false);
  }
  bool try_lock_shared_until(
      std::chrono::steady_clock::time_point deadline) noexcept {
    return acquired(try_lock_shared_until_impl(deadline), false);
  }
  void unlock_shared() noexcept {
    annotate_released(false);
    unlock_shared_impl();
  }
  bool try_lock() noexcept { return acquired(try_lock_impl(), true); }
  void lock() noexcept {
    lock_impl();
    acquired(true, true);
  }
  bool try_lock_until(std::chrono::steady_clock::time_point deadline) noexcept {
    return acquired(try_lock_until_impl(deadline), true);
  }
  void unlock() noexcept {
    annotate_released(true);
    unlock_impl();
  }

  /// Writers currently waiting (for tests: lets them see a writer queued).
  std::size_t writers_waiting() noexcept {
    Locked l(m_);
    return writers_waiting_;
  }

private:
  // Returns false if it had to wait (for the tracker's on_block).
  bool try_lock_shared_impl() noexcept {
    Locked l(m_);
    if (writer_ || writers_waiting_ > 0)
      return false;
    ++readers_;
    return true;
  }
  void lock_shared_impl() noexcept {
    Locked l(m_);
    while (writer_ || writers_waiting_ > 0)
      readers_cv_.wait(m_);
    ++readers_;
  }
  bool try_lock_shared_until_impl(
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
  void unlock_shared_impl() noexcept {
    Locked l(m_);
    if (--readers_ == 0 && writers_waiting_ > 0)
      writers_cv_.notify_one();
  }

  bool try_lock_impl() noexcept {
    Locked l(m_);
    if (writer_ || readers_ > 0)
      return false;
    writer_ = true;
    return true;
  }
  void lock_impl() noexcept {
    Locked l(m_);
    ++writers_waiting_;
    while (writer_ || readers_ > 0)
      writers_cv_.wait(m_);
    --writers_waiting_;
    writer_ = true;
  }
  bool try_lock_until_impl(std::chrono::steady_clock::time_point deadline) noexcept {
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
  void unlock_impl() noexcept {
    Locked l(m_);
    writer_ = false;
    if (writers_waiting_ > 0)
      writers_cv_.notify_one();
    else
      readers_cv_.notify_all();
  }

  // The annotations are made outside m_: inside, ThreadSanitizer would see
  // m_ and the lock itself taken in both orders.
  bool acquired(bool ok, bool write) noexcept {
    if (ok)
      annotate_acquired(write);
    return ok;
  }
  // The annotated address is &tsan_id_, a byte nothing reads or writes:
  // `this` is also m_, which ThreadSanitizer knows as a pthread mutex, and
  // a counter's address would make TSan see its accesses as races.
#if FEARLESS_DETAIL_TSAN_
  void annotate_create() noexcept {
    AnnotateRWLockCreate(__FILE__, __LINE__, &tsan_id_);
  }
  void annotate_destroy() noexcept {
    AnnotateRWLockDestroy(__FILE__, __LINE__, &tsan_id_);
  }
  void annotate_acquired(bool write) noexcept {
    AnnotateRWLockAcquired(__FILE__, __LINE__, &tsan_id_, write);
  }
  void annotate_released(bool write) noexcept {
    AnnotateRWLockReleased(__FILE__, __LINE__, &tsan_id_, write);
  }
#else
  void annotate_create() noexcept {}
  void annotate_destroy() noexcept {}
  void annotate_acquired(bool) noexcept {}
  void annotate_released(bool) noexcept {}
#endif

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
  [[maybe_unused]] char tsan_id_ = 0; // ThreadSanitizer's name for the lock
};

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_RAW_RWLOCK_H_
