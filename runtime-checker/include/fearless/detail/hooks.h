// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/hooks.h - the primitives' calls into the tracker.
//
// Every fearless primitive reports what it does here: acquisitions and
// releases of locks, and what a thread is about to block on. The tracker
// (tracker.h) implements these; with FEARLESS_LOCK_TRACKING=0 they are empty
// inline functions and cost nothing.
//
// Locks embed a LockState (their class and exclusive owner) and report with
// it. The common case of an acquisition -- a chain of held lock classes the
// tracker validated before -- is inline here (detail/tracker_fast.h): no
// call, no global lock, no shared counter. Everything else goes out of line.
//
// Invariant: hooks never block and never call back into a primitive.
#ifndef FEARLESS_DETAIL_HOOKS_H_
#define FEARLESS_DETAIL_HOOKS_H_

#ifndef FEARLESS_LOCK_TRACKING
#define FEARLESS_LOCK_TRACKING 1
#endif

#include "fearless/detail/race_hooks.h"

#include <atomic>
#include <cstdint>
#include <source_location>
#include <type_traits>

namespace fearless::detail {

using ClassId = std::uint32_t;
using ThreadId = std::uint32_t;

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

/// Nest levels a lock may be taken at (`Mutex::lock_nested`): 0 (the
/// default) to kMaxSubclass, as lockdep's subclasses.
inline constexpr unsigned kMaxSubclass = 7;

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

/// A condvar's reach stamp (race_hooks.h): threads that did not learn of
/// it since it was constructed cannot notify it.
struct ReachStamp {
  std::uint64_t value = reach_stamp();
};

#if FEARLESS_LOCK_TRACKING
/// What the tracker keeps inside every lock object. Its address is the
/// lock's identity for the tracker (and the `object` of on_block for the
/// lock wait kinds).
struct LockState {
  std::atomic<ClassId> cls{0};     ///< 0 until on_create gave it a class
  std::atomic<ThreadId> owner{0};  ///< exclusive holder, 0 if none (a hint)
  RaceSyncCell race; ///< happens-before: race detector and reach
};

/// Threads in a channel or condvar wait without a timeout: while there are
/// any, a dropped channel handle makes the deadlock check look again.
inline constinit std::atomic<int> g_or_waiters{0};
void on_handle_dropped_slow() noexcept;
/// A channel handle was dropped (the last sender gone may leave a receiver
/// that nobody can wake, or wake it).
inline void on_handle_dropped() noexcept {
  if (g_or_waiters.load(std::memory_order_relaxed) != 0) [[unlikely]]
    on_handle_dropped_slow();
}

/// A lock object was constructed at `site` (defines its class).
void on_create(LockState &lock, const LockSite &site) noexcept;
/// A lock object is being destroyed; a per-instance class is forgotten.
void on_destroy(LockState &lock) noexcept;
/// The calling thread is about to block on `object`; `timed` waits cannot
/// deadlock forever. For mutex/rwlock_*, `object` is the lock's
/// `const LockState*`; for channel_send/channel_recv a
/// `const fearless::detail::ChannelCore*` (see detail/channel_core.h); for
/// condvar the condvar's `const ReachStamp*`; for join the handle passed to
/// on_thread_start.
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
struct LockState {};
inline void on_handle_dropped() noexcept {}
inline void on_create(LockState &, const LockSite &) noexcept {}
inline void on_destroy(LockState &) noexcept {}
inline void on_block(const void *, WaitKind, bool) noexcept {}
inline void on_unblock(const void *) noexcept {}
inline void on_batch_begin() noexcept {}
inline void on_batch_end() noexcept {}
inline void on_thread_start(const void *) noexcept {}
inline void on_thread_end(const void *) noexcept {}
#endif

} // namespace fearless::detail

#if FEARLESS_LOCK_TRACKING
// on_acquire / on_acquired / on_release: inline fast paths.
#include "fearless/detail/tracker_fast.h"
#else
namespace fearless::detail {
/// What on_acquire learnt; see tracker_fast.h.
struct Acquisition {
  bool held_elsewhere = false;
};
inline Acquisition on_acquire(LockState &, LockMode, unsigned = 0,
                              bool = true) noexcept {
  return {};
}
inline void on_acquired(LockState &, LockMode, bool, unsigned = 0) noexcept {}
inline void on_acquired(LockState &, LockMode, const Acquisition &,
                        unsigned = 0) noexcept {}
inline void on_release(LockState &, LockMode) noexcept {}
} // namespace fearless::detail
#endif

#endif // FEARLESS_DETAIL_HOOKS_H_
