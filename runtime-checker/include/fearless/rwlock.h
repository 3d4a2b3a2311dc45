// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/rwlock.h - RwLock<T>: many readers or one writer.
//
// Rust's std::sync::RwLock in C++: read() returns a ReadGuard giving const
// access (many at once), write() a WriteGuard giving mutable access (alone).
// Writer-preferring: once a writer waits, new readers wait behind it, so
// writers are not starved by a stream of readers. A WriteGuard destroyed by
// an exception poisons the lock (fearless/poison.h); a ReadGuard cannot.
//
//   fearless::RwLock<std::map<std::string, int>> cache;
//   if (auto r = cache.read(); r->count("x")) ...
//   cache.write()->emplace("x", 1);
#ifndef FEARLESS_RWLOCK_H_
#define FEARLESS_RWLOCK_H_

#include "fearless/detail/errors.h"
#include "fearless/detail/hooks.h"
#include "fearless/detail/raw_rwlock.h"
#include "fearless/detail/unwinding.h"
#include "fearless/poison.h"
#include "fearless/send_sync.h"
#include "fearless/thread_safety.h"

#include <atomic>
#include <chrono>
#include <concepts>
#include <initializer_list>
#include <optional>
#include <source_location>
#include <utility>

namespace fearless {

template <class T> class RwLock;

namespace detail {
/// Only RwLock can create its guards.
class RwLockGuardKey {
  explicit RwLockGuardKey() = default;
  template <class> friend class fearless::RwLock;
};
} // namespace detail

/// Shared (read) access to an RwLock<T>'s value; releases it when destroyed.
/// Not copyable, not movable, not Send.
///
/// Example: `auto r = lock.read(); use(*r);`
template <class T> class [[nodiscard]] FEARLESS_SCOPED_CAPABILITY ReadGuard {
  FEARLESS_NOT_SEND; // the thread that locked must unlock

public:
  /// Adopts a read lock the calling thread has just taken (RwLock only).
  ReadGuard(RwLock<T> &l, detail::RwLockGuardKey) noexcept
      FEARLESS_REQUIRES_SHARED(l)
      : lock_(l) {}
  ReadGuard(const ReadGuard &) = delete;
  ReadGuard &operator=(const ReadGuard &) = delete;
  /// Releases the read lock.
  ~ReadGuard() FEARLESS_RELEASE() { lock_.unlock_shared_raw(); }

  /// The protected value, read-only.
  const T &operator*() const noexcept { return lock_.value_; }
  /// The protected value's members, read-only.
  const T *operator->() const noexcept { return &lock_.value_; }
  /// True if the lock is poisoned.
  bool is_poisoned() const noexcept { return lock_.is_poisoned(); }

private:
  RwLock<T> &lock_;
};

/// Exclusive (write) access to an RwLock<T>'s value; releases it when
/// destroyed, poisoning the lock if an exception is unwinding.
/// Not copyable, not movable, not Send.
///
/// Example: `auto w = lock.write(); w->clear();`
template <class T> class [[nodiscard]] FEARLESS_SCOPED_CAPABILITY WriteGuard {
  FEARLESS_NOT_SEND; // the thread that locked must unlock

public:
  /// Adopts a write lock the calling thread has just taken (RwLock only).
  WriteGuard(RwLock<T> &l, detail::RwLockGuardKey) noexcept FEARLESS_REQUIRES(l)
      : lock_(l), exceptions_(detail::uncaught_exceptions()) {}
  WriteGuard(const WriteGuard &) = delete;
  WriteGuard &operator=(const WriteGuard &) = delete;
  /// Releases the write lock; poisons it first if unwinding.
  ~WriteGuard() FEARLESS_RELEASE() {
    if (detail::uncaught_exceptions() > exceptions_) [[unlikely]]
      lock_.poisoned_.store(true, std::memory_order_relaxed);
    lock_.unlock_raw();
  }

  /// The protected value.
  T &operator*() const noexcept { return lock_.value_; }
  /// The protected value's members.
  T *operator->() const noexcept { return &lock_.value_; }
  /// True if the lock is poisoned.
  bool is_poisoned() const noexcept { return lock_.is_poisoned(); }

private:
  RwLock<T> &lock_;
  int exceptions_; // uncaught exceptions when locked; more at exit = unwinding
};

/// A reader-writer lock owning the value it protects.
///
/// Send when T is Send; ThreadSafe (and Sync) when T is Send and Sync, as
/// in Rust (readers share `const T&` across threads).
template <class T> class FEARLESS_CAPABILITY("mutex") RwLock {
  FEARLESS_SEND_IF(fearless::Send<T>); // the value moves with the lock
  FEARLESS_SYNC_IF(fearless::Send<T> && fearless::Sync<T>);
  FEARLESS_THREAD_SAFE_IF(fearless::Send<T> && fearless::Sync<T>);

public:
  /// An RwLock holding a value-initialized T.
  RwLock(std::source_location where = std::source_location::current())
    requires std::default_initializable<T>
      : value_() {
    detail::on_create(track_, detail::LockSite{nullptr, where});
  }
  /// An RwLock holding `value`; `where` names the lock's class (see Mutex).
  explicit RwLock(T value,
                  std::source_location where = std::source_location::current())
    requires std::move_constructible<T>
      : value_(std::move(value)) {
    detail::on_create(track_, detail::LockSite{nullptr, where});
  }
  /// An RwLock holding T constructed in place from `args`.
  template <class... Args>
    requires(sizeof...(Args) > 0 && std::constructible_from<T, Args...> &&
             !detail::single_value_arg<T, Args...>)
  explicit RwLock(Args &&...args) : value_(std::forward<Args>(args)...) {
    detail::on_create(track_, detail::LockSite{});
  }
  /// An RwLock holding T constructed from an initializer list.
  template <class U>
    requires std::constructible_from<T, std::initializer_list<U> &>
  explicit RwLock(std::initializer_list<U> il,
                  std::source_location where = std::source_location::current())
      : value_(il) {
    detail::on_create(track_, detail::LockSite{nullptr, where});
  }
  RwLock(const RwLock &) = delete;
  RwLock &operator=(const RwLock &) = delete;
  /// Destroying a locked RwLock is undefined behaviour.
  ~RwLock() { detail::on_destroy(track_); }

  /// Takes a shared (read) lock.
  ///
  /// Blocks: while a writer holds the lock or is waiting for it (writer
  /// preference). Taking a read lock twice on one thread can deadlock if a
  /// writer queues in between. Errors: throws PoisonError if poisoned (the
  /// lock is released again).
  /// Example: `auto r = l.read(); std::cout << r->size();`
  //
  // Every acquiring member is always_inline, as Mutex's: reports name the
  // caller's line as where the lock was taken, at -O0 too.
  [[gnu::always_inline]] ReadGuard<T> read()
      FEARLESS_ACQUIRE_SHARED() FEARLESS_NO_THREAD_SAFETY_ANALYSIS {
    // The body implements the capability; the analysis checks callers.
    lock_shared_raw();
    throw_if_poisoned_shared();
    return ReadGuard<T>(*this, detail::RwLockGuardKey{});
  }
  /// Like read(), but also on a poisoned lock.
  [[gnu::always_inline]] ReadGuard<T> read(IgnorePoison)
      FEARLESS_ACQUIRE_SHARED() FEARLESS_NO_THREAD_SAFETY_ANALYSIS {
    lock_shared_raw();
    return ReadGuard<T>(*this, detail::RwLockGuardKey{});
  }

  /// Takes a shared lock if no writer holds or awaits it; empty otherwise.
  /// (Not annotated: the analysis cannot follow a guard in an optional.)
  ///
  /// Blocks: never. Errors: PoisonError as read().
  std::optional<ReadGuard<T>> try_read() {
    if (!raw_.try_lock_shared())
      return std::nullopt;
    detail::on_acquired(track_, detail::LockMode::shared, true);
    throw_if_poisoned_shared();
    return std::optional<ReadGuard<T>>(std::in_place, *this,
                                       detail::RwLockGuardKey{});
  }

  /// Takes a shared lock, waiting at most `timeout`; empty if it timed out.
  ///
  /// Blocks: up to `timeout`. Errors: PoisonError as read().
  template <class Rep, class Period>
  std::optional<ReadGuard<T>>
  try_read_for(std::chrono::duration<Rep, Period> timeout) {
    detail::on_block(&track_, detail::WaitKind::rwlock_read, true);
    bool ok = raw_.try_lock_shared_until(std::chrono::steady_clock::now() + timeout);
    detail::on_unblock(&track_);
    if (!ok)
      return std::nullopt;
    detail::on_acquired(track_, detail::LockMode::shared, true);
    throw_if_poisoned_shared();
    return std::optional<ReadGuard<T>>(std::in_place, *this,
                                       detail::RwLockGuardKey{});
  }

  /// Takes the exclusive (write) lock.
  ///
  /// Blocks: until no reader or writer holds the lock; while it waits, new
  /// readers wait too. Errors: throws PoisonError if poisoned.
  /// Example: `l.write()->push_back(1);`
  [[gnu::always_inline]] WriteGuard<T> write()
      FEARLESS_ACQUIRE() FEARLESS_NO_THREAD_SAFETY_ANALYSIS {
    lock_raw();
    throw_if_poisoned();
    return WriteGuard<T>(*this, detail::RwLockGuardKey{});
  }
  /// Like write(), but also on a poisoned lock.
  [[gnu::always_inline]] WriteGuard<T> write(IgnorePoison)
      FEARLESS_ACQUIRE() FEARLESS_NO_THREAD_SAFETY_ANALYSIS {
    lock_raw();
    return WriteGuard<T>(*this, detail::RwLockGuardKey{});
  }

  /// Takes the write lock if it is free; empty otherwise.
  ///
  /// Blocks: never. Errors: PoisonError as write().
  std::optional<WriteGuard<T>> try_write() {
    if (!raw_.try_lock())
      return std::nullopt;
    detail::on_acquired(track_, detail::LockMode::exclusive, true);
    throw_if_poisoned();
    return std::optional<WriteGuard<T>>(std::in_place, *this,
                                        detail::RwLockGuardKey{});
  }

  /// Takes the write lock, waiting at most `timeout`; empty if it timed out.
  ///
  /// Blocks: up to `timeout`. Errors: PoisonError as write().
  template <class Rep, class Period>
  std::optional<WriteGuard<T>>
  try_write_for(std::chrono::duration<Rep, Period> timeout) {
    detail::on_block(&track_, detail::WaitKind::rwlock_write, true);
    bool ok = raw_.try_lock_until(std::chrono::steady_clock::now() + timeout);
    detail::on_unblock(&track_);
    if (!ok)
      return std::nullopt;
    detail::on_acquired(track_, detail::LockMode::exclusive, true);
    throw_if_poisoned();
    return std::optional<WriteGuard<T>>(std::in_place, *this,
                                        detail::RwLockGuardKey{});
  }

  /// The value without locking; the caller promises exclusive access (see
  /// Mutex::get_mut). Errors: PoisonError if poisoned.
  T &get_mut() {
    if (is_poisoned())
      detail::throw_or_abort(PoisonError());
    return value_;
  }
  /// Moves the value out; the caller promises exclusive access.
  /// Errors: PoisonError if poisoned.
  T into_inner() && {
    if (is_poisoned())
      detail::throw_or_abort(PoisonError());
    return std::move(value_);
  }
  /// Like into_inner(), ignoring poison.
  T into_inner(IgnorePoison) && { return std::move(value_); }

  /// True if a WriteGuard was destroyed by an exception since the last
  /// clear_poison().
  bool is_poisoned() const noexcept {
    return poisoned_.load(std::memory_order_relaxed);
  }
  /// Marks the lock as not poisoned.
  void clear_poison() noexcept { poisoned_.store(false, std::memory_order_relaxed); }

  /// Number of writers waiting right now. For tests and diagnostics only:
  /// it may change as soon as it returns.
  std::size_t writers_waiting() noexcept { return raw_.writers_waiting(); }

private:
  friend class ReadGuard<T>;
  friend class WriteGuard<T>;

  [[gnu::always_inline]] void lock_shared_raw() noexcept {
    auto a = detail::on_acquire(track_, detail::LockMode::shared);
    if (!raw_.try_lock_shared()) {
      detail::on_block(&track_, detail::WaitKind::rwlock_read, false);
      raw_.lock_shared();
      detail::on_unblock(&track_);
    }
    detail::on_acquired(track_, detail::LockMode::shared, a);
  }
  void unlock_shared_raw() noexcept {
    detail::on_release(track_, detail::LockMode::shared);
    raw_.unlock_shared();
  }
  [[gnu::always_inline]] void lock_raw() noexcept {
    auto a = detail::on_acquire(track_, detail::LockMode::exclusive);
    if (!raw_.try_lock()) {
      detail::on_block(&track_, detail::WaitKind::rwlock_write, false);
      raw_.lock();
      detail::on_unblock(&track_);
    }
    detail::on_acquired(track_, detail::LockMode::exclusive, a);
  }
  void unlock_raw() noexcept {
    detail::on_release(track_, detail::LockMode::exclusive);
    raw_.unlock();
  }

  // Called with the lock held (shared / exclusive): releases it before
  // throwing, so a poisoned lock is never left locked.
  void throw_if_poisoned_shared() {
    if (is_poisoned()) [[unlikely]] {
      unlock_shared_raw();
      detail::throw_or_abort(PoisonError());
    }
  }
  void throw_if_poisoned() {
    if (is_poisoned()) [[unlikely]] {
      unlock_raw();
      detail::throw_or_abort(PoisonError());
    }
  }

  detail::RawRwLock raw_;
  [[no_unique_address]] detail::LockState track_; // the tracker's view
  std::atomic<bool> poisoned_{false};
  T value_;
};

} // namespace fearless

#endif // FEARLESS_RWLOCK_H_
