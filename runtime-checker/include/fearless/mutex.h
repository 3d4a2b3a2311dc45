// fearless/mutex.h - Mutex<T>: a value reachable only while a lock is held.
//
// Rust's std::sync::Mutex in C++: the protected value lives inside the
// mutex, and the only way to reach it is through the MutexGuard that lock()
// returns, so forgetting the lock cannot be written by accident. A guard
// destroyed by an exception poisons the mutex (fearless/poison.h).
//
//   fearless::Mutex<std::vector<int>> jobs{1, 2, 3};
//   {
//     auto g = jobs.lock(); // blocks until the mutex is free
//     g->push_back(4);
//   } // unlocked here
//
// Every acquisition carries Clang's thread-safety attributes, so
// `clang++ -Wthread-safety` checks code using it (double locking, functions
// that FEARLESS_REQUIRES(m) called without the lock, ...). docs/runtime/mutex.md
// has the full story.
#ifndef FEARLESS_MUTEX_H_
#define FEARLESS_MUTEX_H_

#include "fearless/detail/errors.h"
#include "fearless/detail/hooks.h"
#include "fearless/detail/raw_mutex.h"
#include "fearless/detail/unwinding.h"
#include "fearless/poison.h"
#include "fearless/send_sync.h"
#include "fearless/thread_safety.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <concepts>
#include <functional>
#include <initializer_list>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

namespace fearless {

template <class T> class Mutex;
template <class T> class MutexGuard;
class Condvar;

namespace detail {
struct LockAll;
/// Only Mutex (and lock_all) can create guards; the key keeps the guard
/// constructor callable from std::optional's in-place construction.
class MutexGuardKey {
  explicit MutexGuardKey() = default;
  template <class> friend class fearless::Mutex;
  friend struct LockAll;
};
/// A mutex the calling thread has just locked, for a guard to adopt (one
/// argument, so that std::tuple can construct guards in place).
template <class T> struct AdoptedMutex {
  Mutex<T> &mutex;
  MutexGuardKey key;
};
} // namespace detail

/// Proof that the calling thread holds a Mutex<T>, and the way to its value.
///
/// Returned by Mutex<T>::lock() and friends; unlocks when destroyed. Not
/// copyable and not movable (a guard stays in the scope that locked), and
/// not Send: the thread that locked the mutex must unlock it.
///
/// Errors: if it is destroyed by an exception thrown after it was created
/// (stack unwinding), the mutex becomes poisoned.
///
/// Example:
///
///   auto g = m.lock();
///   *g += 1;
template <class T> class [[nodiscard]] FEARLESS_SCOPED_CAPABILITY MutexGuard {
  FEARLESS_NOT_SEND; // a mutex must be unlocked by the thread that locked it

public:
  /// Adopts `m`, which the calling thread has just locked. Only Mutex calls
  /// this (the key is private to it).
  MutexGuard(Mutex<T> &m, detail::MutexGuardKey) noexcept FEARLESS_REQUIRES(m)
      : mutex_(m), exceptions_(detail::uncaught_exceptions()) {}

  /// Adopts a mutex lock_all() has just locked.
  explicit MutexGuard(detail::AdoptedMutex<T> adopted) noexcept
      : mutex_(adopted.mutex), exceptions_(detail::uncaught_exceptions()) {}

  MutexGuard(const MutexGuard &) = delete;
  MutexGuard &operator=(const MutexGuard &) = delete;

  /// Unlocks the mutex; poisons it first if an exception is unwinding
  /// through this guard's scope.
  ~MutexGuard() FEARLESS_RELEASE() {
    if (detail::uncaught_exceptions() > exceptions_) [[unlikely]]
      mutex_.poisoned_.store(true, std::memory_order_relaxed);
    mutex_.unlock_raw();
  }

  /// The protected value.
  T &operator*() const noexcept { return mutex_.value_; }
  /// The protected value's members.
  T *operator->() const noexcept { return &mutex_.value_; }

  /// True if the mutex is poisoned (only possible for a guard obtained with
  /// fearless::ignore_poison, or after a nested exception).
  bool is_poisoned() const noexcept { return mutex_.is_poisoned(); }

private:
  friend class Condvar;
  Mutex<T> &mutex_;
  int exceptions_; // uncaught exceptions when locked; more at exit = unwinding
};

/// A mutual-exclusion lock owning the value it protects.
///
/// Send and ThreadSafe (so `Arc<Mutex<T>>` = `std::shared_ptr<Mutex<T>>` may
/// cross threads) when T is Send, as in Rust.
///
/// Example:
///
///   auto counter = std::make_shared<fearless::Mutex<long>>(0);
///   auto h = fearless::spawn([counter] { *counter->lock() += 1; });
template <class T> class FEARLESS_CAPABILITY("mutex") Mutex {
  FEARLESS_SEND_IF(fearless::Send<T>);   // the value moves with the mutex
  FEARLESS_SYNC_IF(fearless::Send<T>);   // Rust: Mutex<T>: Sync iff T: Send
  FEARLESS_THREAD_SAFE_IF(fearless::Send<T>); // every access is locked

public:
  /// A mutex holding a value-initialized T. `where` names the lock's class
  /// for the tracker (the caller's source line).
  Mutex(std::source_location where = std::source_location::current())
    requires std::default_initializable<T>
      : value_() {
    detail::on_create(track_, detail::LockSite{nullptr, where});
  }

  /// A mutex holding `value` (`Mutex<long> m(0)`). `where` names the lock's
  /// class for the tracker (the caller's source line), which a constructor
  /// with a parameter pack cannot do: one value goes through here.
  explicit Mutex(T value,
                 std::source_location where = std::source_location::current())
    requires std::move_constructible<T>
      : value_(std::move(value)) {
    detail::on_create(track_, detail::LockSite{nullptr, where});
  }

  /// A mutex holding T constructed in place from `args` (parentheses:
  /// `Mutex<std::string> m(3, 'x')` holds "xxx").
  template <class... Args>
    requires(sizeof...(Args) > 0 && std::constructible_from<T, Args...> &&
             !detail::single_value_arg<T, Args...>)
  explicit Mutex(Args &&...args) : value_(std::forward<Args>(args)...) {
    detail::on_create(track_, detail::LockSite{});
  }

  /// A mutex holding T constructed from an initializer list
  /// (`Mutex<std::vector<int>> m{1, 2, 3}`).
  template <class U>
    requires std::constructible_from<T, std::initializer_list<U> &>
  explicit Mutex(std::initializer_list<U> il,
                  std::source_location where = std::source_location::current())
      : value_(il) {
    detail::on_create(track_, detail::LockSite{nullptr, where});
  }

  Mutex(const Mutex &) = delete;
  Mutex &operator=(const Mutex &) = delete;

  /// Destroys the value. Destroying a locked mutex is undefined behaviour
  /// (the tracker reports it).
  ~Mutex() { detail::on_destroy(track_); }

  /// Locks the mutex and returns the guard that unlocks it.
  ///
  /// Blocks: until no other thread holds the mutex. Locking a mutex the
  /// calling thread already holds deadlocks (-Wthread-safety warns).
  /// Errors: throws PoisonError (with the mutex unlocked again) if the mutex
  /// is poisoned.
  /// Example: `auto g = m.lock(); g->push_back(1);`
  //
  // Every acquiring member is always_inline, at -O0 too: the tracker names
  // the code its hooks are inlined into as where the lock was taken, which
  // must be the caller's (docs/runtime/tracker.md).
  [[gnu::always_inline]] MutexGuard<T> lock()
      FEARLESS_ACQUIRE() FEARLESS_NO_THREAD_SAFETY_ANALYSIS {
    // The body implements the capability; the analysis checks callers.
    lock_raw();
    throw_if_poisoned();
    return MutexGuard<T>(*this, detail::MutexGuardKey{});
  }

  /// Like lock(), but returns the guard even if the mutex is poisoned.
  ///
  /// Blocks: as lock(). Errors: none.
  /// Example: `auto g = m.lock(fearless::ignore_poison);`
  [[gnu::always_inline]] MutexGuard<T> lock(IgnorePoison)
      FEARLESS_ACQUIRE() FEARLESS_NO_THREAD_SAFETY_ANALYSIS {
    lock_raw();
    return MutexGuard<T>(*this, detail::MutexGuardKey{});
  }

  /// Locks the mutex at nest level `subclass` (1 to 7): an annotation for
  /// the tracker, as lockdep's mutex_lock_nested. Locks of one class taken
  /// at different levels are different classes for lock ordering, so a
  /// parent-then-child nesting of two locks made at one line is allowed and
  /// an inversion of the levels is still reported.
  ///
  /// Blocks: as lock(). Errors: as lock(); std::invalid_argument if
  /// `subclass` is above 7 (before locking).
  /// Not guaranteed: that the levels match the data structure; the tracker
  /// believes them.
  /// Example: `auto p = parent.lock(); auto c = child.lock_nested(1);`
  [[gnu::always_inline]] MutexGuard<T> lock_nested(unsigned subclass)
      FEARLESS_ACQUIRE() FEARLESS_NO_THREAD_SAFETY_ANALYSIS {
    if (subclass > detail::kMaxSubclass)
      detail::throw_or_abort(
          std::invalid_argument("fearless::Mutex::lock_nested: subclass > 7"));
    lock_raw(subclass);
    throw_if_poisoned();
    return MutexGuard<T>(*this, detail::MutexGuardKey{});
  }

  /// Locks the mutex if it is free; returns an empty optional otherwise.
  ///
  /// Not annotated: Clang's analysis cannot follow a guard inside a
  /// std::optional, so inside `if (auto g = m.try_lock())` it does not know
  /// the mutex is held (it gives no false warning either).
  /// Blocks: never. Errors: throws PoisonError if it acquired a poisoned
  /// mutex (and releases it).
  /// Example: `if (auto g = m.try_lock()) **g += 1;`
  [[gnu::always_inline]] std::optional<MutexGuard<T>> try_lock() {
    if (!try_lock_raw())
      return std::nullopt;
    throw_if_poisoned();
    return std::optional<MutexGuard<T>>(std::in_place, *this,
                                        detail::MutexGuardKey{});
  }

  /// Like try_lock(), but also returns a guard to a poisoned mutex.
  [[gnu::always_inline]] std::optional<MutexGuard<T>> try_lock(IgnorePoison) {
    if (!try_lock_raw())
      return std::nullopt;
    return std::optional<MutexGuard<T>>(std::in_place, *this,
                                        detail::MutexGuardKey{});
  }

  /// Locks the mutex, waiting at most `timeout`; empty if it timed out.
  ///
  /// Blocks: up to `timeout` (steady clock). Errors: as try_lock().
  /// Example: `if (auto g = m.try_lock_for(10ms)) ...`
  template <class Rep, class Period>
  std::optional<MutexGuard<T>>
  try_lock_for(std::chrono::duration<Rep, Period> timeout) {
    return try_lock_until(std::chrono::steady_clock::now() + timeout);
  }

  /// Locks the mutex, waiting until `deadline` at most; empty if it passed.
  ///
  /// Blocks: until `deadline`. Errors: as try_lock().
  template <class Clock, class Duration>
  [[gnu::always_inline]] std::optional<MutexGuard<T>>
  try_lock_until(std::chrono::time_point<Clock, Duration> deadline) {
    auto steady = std::chrono::steady_clock::now() +
                  std::chrono::ceil<std::chrono::steady_clock::duration>(
                      deadline - Clock::now());
    if (!try_lock_until_raw(steady))
      return std::nullopt;
    throw_if_poisoned();
    return std::optional<MutexGuard<T>>(std::in_place, *this,
                                        detail::MutexGuardKey{});
  }

  /// Calls `f(value)` with the mutex locked and returns what it returns.
  ///
  /// Blocks: as lock(). Errors: PoisonError as lock(); an exception from
  /// `f` propagates and poisons the mutex.
  /// Example: `int n = m.with_lock([](auto &v) { return v.size(); });`
  template <class F>
    requires std::invocable<F, T &>
  decltype(auto) with_lock(F &&f) FEARLESS_EXCLUDES(this)
      FEARLESS_NO_THREAD_SAFETY_ANALYSIS {
    auto guard = lock();
    return std::invoke(std::forward<F>(f), *guard);
  }

  /// The value, without locking. The caller promises that no other thread
  /// can reach this mutex now (before it is shared, or after every thread
  /// using it was joined) -- Rust's `&mut self`, which C++ cannot check.
  ///
  /// Blocks: never. Errors: throws PoisonError if poisoned.
  T &get_mut() {
    throw_if_poisoned_unlocked();
    return value_;
  }
  /// Like get_mut(), ignoring poison.
  T &get_mut(IgnorePoison) noexcept { return value_; }

  /// Moves the value out (the mutex keeps a moved-from T). The caller
  /// promises exclusive access, as for get_mut().
  ///
  /// Errors: throws PoisonError if poisoned.
  /// Example: `std::vector<int> v = std::move(m).into_inner();`
  T into_inner() && {
    throw_if_poisoned_unlocked();
    return std::move(value_);
  }
  /// Like into_inner(), ignoring poison.
  T into_inner(IgnorePoison) && { return std::move(value_); }

  /// True if a guard was destroyed by an exception and clear_poison() was
  /// not called since. Another thread may change it at any moment.
  bool is_poisoned() const noexcept {
    return poisoned_.load(std::memory_order_relaxed);
  }

  /// Marks the mutex as not poisoned (after repairing the value).
  void clear_poison() noexcept {
    poisoned_.store(false, std::memory_order_relaxed);
  }

private:
  friend class MutexGuard<T>;
  friend class Condvar;
  friend struct detail::LockAll;

  [[gnu::always_inline]] void lock_raw(unsigned subclass = 0) noexcept {
#if FEARLESS_LOCK_TRACKING
    // A lock taken at once or after a brief spin never sleeps; one that is
    // about to sleep tells the tracker first (its deadlock check).
    auto a = detail::on_acquire(track_, detail::LockMode::exclusive, subclass,
                                /*shareable=*/false);
#if FEARLESS_DETAIL_TSAN_
    // ThreadSanitizer orders only blocking acquisitions, never a
    // try_lock: lock at once, announcing a wait when the tracker knows of
    // a holder, so that TSan's lock-order checks see every Mutex.
    if (a.held_elsewhere) {
      detail::on_block(&track_, detail::WaitKind::mutex, false);
      raw_.lock();
      detail::on_unblock(&track_);
    } else {
      raw_.lock();
    }
#else
    if (!raw_.try_lock() && !raw_.try_lock_spinning()) [[unlikely]] {
      detail::on_block(&track_, detail::WaitKind::mutex, false);
      raw_.lock_sleeping();
      detail::on_unblock(&track_);
    }
#endif
    detail::on_acquired(track_, detail::LockMode::exclusive, a, subclass);
#else
    (void)subclass;
    raw_.lock();
#endif
  }

  [[gnu::always_inline]] bool try_lock_raw() noexcept {
    if (!raw_.try_lock())
      return false;
    detail::on_acquired(track_, detail::LockMode::exclusive, true);
    return true;
  }

  // A timed acquisition cannot deadlock forever: reported like a try.
  [[gnu::always_inline]] bool
  try_lock_until_raw(std::chrono::steady_clock::time_point deadline) noexcept {
    if (!raw_.try_lock()) {
      detail::on_block(&track_, detail::WaitKind::mutex, true);
      bool locked = raw_.try_lock_until(deadline);
      detail::on_unblock(&track_);
      if (!locked)
        return false;
    }
    detail::on_acquired(track_, detail::LockMode::exclusive, true);
    return true;
  }

  void unlock_raw() noexcept {
    detail::on_release(track_, detail::LockMode::exclusive);
    raw_.unlock();
  }

  // Called with the mutex held: releases it before throwing.
  void throw_if_poisoned() {
    if (poisoned_.load(std::memory_order_relaxed)) [[unlikely]] {
      unlock_raw();
      detail::throw_or_abort(PoisonError());
    }
  }

  void throw_if_poisoned_unlocked() const {
    if (poisoned_.load(std::memory_order_relaxed)) [[unlikely]]
      detail::throw_or_abort(PoisonError());
  }

  detail::RawMutex raw_;
  [[no_unique_address]] detail::LockState track_; // the tracker's view
  std::atomic<bool> poisoned_{false};
  T value_;
};

namespace detail {
// lock_all's access to the mutexes' raw operations.
struct LockAll {
  struct Entry {
    const void *address;
    void (*lock)(const void *);
    void (*unlock)(const void *);
    bool (*poisoned)(const void *);
  };

  template <class T> static Entry entry(Mutex<T> &m) {
    return {&m,
            [](const void *p) {
              const_cast<Mutex<T> *>(static_cast<const Mutex<T> *>(p))
                  ->lock_raw();
            },
            [](const void *p) {
              const_cast<Mutex<T> *>(static_cast<const Mutex<T> *>(p))
                  ->unlock_raw();
            },
            [](const void *p) {
              return static_cast<const Mutex<T> *>(p)->is_poisoned();
            }};
  }

  template <class T> static MutexGuardKey key() { return MutexGuardKey(); }
};
} // namespace detail

/// Locks every mutex in `ms` and returns their guards, as a tuple:
///
///   auto [from_guard, to_guard] = fearless::lock_all(from, to);
///
/// The mutexes are taken in one global order (by address), whatever order
/// the arguments come in, so two threads calling lock_all(a, b) and
/// lock_all(b, a) cannot deadlock, and the tracker records no lock-order
/// edges between them (two accounts created at one line can be locked
/// together without a same-class nesting report).
///
/// Blocks: until every mutex is free. Errors: throws PoisonError (with all
/// of them unlocked again) if any is poisoned; std::logic_error if one mutex
/// is passed twice.
/// Not guaranteed: ordering against mutexes locked one at a time elsewhere;
/// lock those in one order too.
template <class... Ts>
  requires(sizeof...(Ts) >= 2)
[[gnu::always_inline]] inline std::tuple<MutexGuard<Ts>...>
lock_all(Mutex<Ts> &...ms) FEARLESS_NO_THREAD_SAFETY_ANALYSIS {
  detail::LockAll::Entry entries[] = {detail::LockAll::entry(ms)...};
  std::sort(std::begin(entries), std::end(entries),
            [](const auto &a, const auto &b) {
              return std::less<const void *>()(a.address, b.address);
            });
  for (std::size_t i = 1; i < sizeof...(Ts); ++i)
    if (entries[i].address == entries[i - 1].address)
      detail::throw_or_abort(
          std::logic_error("fearless::lock_all: a mutex is passed twice"));
  detail::on_batch_begin();
  for (const auto &e : entries)
    e.lock(e.address);
  detail::on_batch_end();
  for (const auto &e : entries) {
    if (e.poisoned(e.address)) {
      for (auto it = std::rbegin(entries); it != std::rend(entries); ++it)
        it->unlock(it->address);
      detail::throw_or_abort(PoisonError());
    }
  }
  return std::tuple<MutexGuard<Ts>...>(
      detail::AdoptedMutex<Ts>{ms, detail::LockAll::key<Ts>()}...);
}

} // namespace fearless

#endif // FEARLESS_MUTEX_H_
