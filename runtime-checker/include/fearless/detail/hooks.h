// fearless/detail/hooks.h - the primitives' calls into the tracker.
//
// Every fearless primitive reports what it does here: acquisitions and
// releases of locks, and what a thread is about to block on. The tracker
// (tracker.h) implements these; with FEARLESS_LOCK_TRACKING=0 they are empty
// inline functions and cost nothing.
//
// Invariant: hooks never block and never call back into a primitive.
#ifndef FEARLESS_DETAIL_HOOKS_H_
#define FEARLESS_DETAIL_HOOKS_H_

#include <cstdint>
#include <source_location>
#include <type_traits>

#ifndef FEARLESS_LOCK_TRACKING
#define FEARLESS_LOCK_TRACKING 1
#endif

namespace fearless::detail {

/// How a lock is held.
enum class LockMode : std::uint8_t { exclusive, shared };

/// What a thread is about to wait for.
enum class WaitKind : std::uint8_t {
  mutex,        ///< a Mutex owned by another thread
  rwlock_read,  ///< an RwLock, for reading
  rwlock_write, ///< an RwLock, for writing
  condvar,      ///< a Condvar notification
  channel_send, ///< room in a channel (or a receiver, for a rendezvous)
  channel_recv, ///< a message from any live sender of a channel
  join,         ///< a thread to finish
};

/// Identity of a lock class: where the lock was constructed, or a name.
/// With neither (`LockSite{}`: a default-constructed source_location has
/// line 0), the lock is a class of its own (per-instance).
struct LockSite {
  const char *name = nullptr;  ///< explicit name, or nullptr
  std::source_location where{}; ///< construction site, or line 0 if unknown
};

/// True when a lock's constructor gets exactly one argument convertible to
/// the value type: that case takes the value by copy/move together with the
/// caller's source_location, which a parameter pack cannot carry.
template <class T, class... Args>
inline constexpr bool single_value_arg = false;
template <class T, class Arg>
inline constexpr bool single_value_arg<T, Arg> =
    std::is_convertible_v<Arg, T> && std::is_move_constructible_v<T>;

#if FEARLESS_LOCK_TRACKING
/// A lock object was constructed at `site` (defines its class).
void on_create(const void *lock, const LockSite &site) noexcept;
/// A lock object is being destroyed; its edges are forgotten.
void on_destroy(const void *lock) noexcept;
/// The calling thread is about to acquire `lock` (blocking acquisitions
/// only; called before blocking so that an inversion is reported first).
/// Returns true if, as far as the tracker knows, another thread holds `lock`
/// exclusively: the caller will probably block and should report it with
/// on_block (a cheap hint that spares an uncontended lock a try_lock).
bool on_acquire(const void *lock, LockMode mode) noexcept;
/// The calling thread now holds `lock` (after any acquisition, try_lock
/// included; `tried` is true for try_lock, which adds no ordering edge).
void on_acquired(const void *lock, LockMode mode, bool tried) noexcept;
/// The calling thread released `lock`.
void on_release(const void *lock) noexcept;
/// The calling thread is about to block on `object`; `timed` waits cannot
/// deadlock forever. For channel_send/channel_recv, `object` is a
/// `const fearless::detail::ChannelCore*` (see detail/channel_core.h).
void on_block(const void *object, WaitKind kind, bool timed) noexcept;
/// The calling thread stopped waiting on `object`.
void on_unblock(const void *object) noexcept;
/// The acquisitions between these two (lock_all) take their locks in a
/// global order: no ordering edges among them, only from locks held before.
void on_batch_begin() noexcept;
void on_batch_end() noexcept;
/// The calling thread starts / stops running the thread that `handle`
/// (passed to on_block with WaitKind::join) stands for: a join waits for it.
void on_thread_start(const void *handle) noexcept;
void on_thread_end(const void *handle) noexcept;
#else
inline void on_create(const void *, const LockSite &) noexcept {}
inline void on_destroy(const void *) noexcept {}
inline bool on_acquire(const void *, LockMode) noexcept { return false; }
inline void on_acquired(const void *, LockMode, bool) noexcept {}
inline void on_release(const void *) noexcept {}
inline void on_block(const void *, WaitKind, bool) noexcept {}
inline void on_unblock(const void *) noexcept {}
inline void on_batch_begin() noexcept {}
inline void on_batch_end() noexcept {}
inline void on_thread_start(const void *) noexcept {}
inline void on_thread_end(const void *) noexcept {}
#endif

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_HOOKS_H_
