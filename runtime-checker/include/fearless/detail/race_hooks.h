// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/race_hooks.h - happens-before from the primitives.
//
// The race detector (detail/race.h, src/race/) orders accesses by the
// synchronisation the fearless primitives do: each thread has a vector
// clock, each synchronisation object (a lock, a channel, a thread's join
// state) a RaceSyncCell holding the clocks released into it. A release
// joins the thread's clock into the object and ticks the thread's own
// component; an acquire joins the object's clock into the thread's.
//
//   Mutex            unlock -> lock                   (on_release/on_acquired)
//   RwLock           write-unlock -> read-/write-lock, read-unlock ->
//   write-lock Condvar          notify -> wake, through its mutex (the wait
//   re-locks it) channels         send -> recv; a rendezvous also recv -> send
//   returning spawn / scope    spawn -> thread start, thread end -> join /
//   scope end
//
// Until the first Watched or watch_* call (g_race_on) no clock work is done
// at all: a relaxed load and a branch per hook. That is sound because a
// thread that skips an acquire has not seen g_race_on set, so nothing it
// acquires from was released after any watched access (the store of
// g_race_on precedes every watched access in its thread, and the primitive
// itself orders the release before the acquire).
//
// Invariant: a RaceSyncCell's clocks are touched under its own spin lock
// (src/race/sync.cpp), or, for RaceAccess::exclusive, under the lock they
// belong to; its pointer is installed once, lazily, by a release.
#ifndef FEARLESS_DETAIL_RACE_HOOKS_H_
#define FEARLESS_DETAIL_RACE_HOOKS_H_

#include <atomic>
#include <cstdint>

#ifndef FEARLESS_LOCK_TRACKING
#define FEARLESS_LOCK_TRACKING 1
#endif

// Under ThreadSanitizer the race detector steps aside: TSan sees the
// primitives' own synchronisation and checks Watched's plain accesses.
#if defined(__SANITIZE_THREAD__)
#define FEARLESS_DETAIL_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FEARLESS_DETAIL_UNDER_TSAN 1
#endif
#endif
#ifndef FEARLESS_DETAIL_UNDER_TSAN
#define FEARLESS_DETAIL_UNDER_TSAN 0
#endif

// The runtime library is built for one mode: with ThreadSanitizer (the
// fearless_runtime_tsan variant) or without. The two differ in layout (this
// file's RaceSyncCell, RawMutex) and in what TSan can see of their
// synchronisation, so a unit built with -fsanitize=thread references a
// symbol only the TSan variant defines (src/abi_tag.cpp): linking the other
// one is a link error that names the fix, not a false race on every
// spawn/join and a crash at run time.
#if FEARLESS_DETAIL_UNDER_TSAN
namespace fearless::detail {
extern const char link_fearless_runtime_tsan_when_building_with_fsanitize_thread;
[[gnu::used]] static const char *const tsan_runtime_required_ =
    &link_fearless_runtime_tsan_when_building_with_fsanitize_thread;
} // namespace fearless::detail
#endif

/// 1 when fearless's own race detector is compiled in. A build of the
/// runtime that nothing can watch memory through -- the preload
/// (runtime-checker/preload/CMakeLists.txt) -- sets it to 0 itself.
#ifndef FEARLESS_RACE_DETECTION
#if FEARLESS_LOCK_TRACKING && !FEARLESS_DETAIL_UNDER_TSAN
#define FEARLESS_RACE_DETECTION 1
#else
#define FEARLESS_RACE_DETECTION 0
#endif
#endif

namespace fearless::detail {

/// How the calling thread holds a synchronisation object while it
/// releases into it or acquires from it.
enum class RaceAccess : unsigned char {
  exclusive, ///< alone: a locked Mutex, a write-locked RwLock (no spin lock)
  shared,    ///< an RwLock read lock: orders only against writers
  any,       ///< alongside other threads: channels, thread states
};

#if FEARLESS_LOCK_TRACKING
// Reach (src/deadlock.cpp): which channel handles and condvars a thread may
// have learnt of. Making or moving a handle, and constructing a condvar,
// takes a stamp from one global clock; a thread's `knows` is the newest
// stamp it may have learnt of, and it travels along the same edges as the
// race detector's clocks (into a RaceSyncCell at a release, out of it at an
// acquire). A thread whose `knows` is below a handle's stamp has not
// synchronised, through anything fearless sees, with whoever made the
// handle since it was made: it cannot hold or reach it. One number per
// thread and per cell over-approximates a vector clock (a thread that
// learnt of a newer stamp is assumed to know every older one): it may keep
// a deadlock unreported, never report one that is not.
//
// A thread the tracker does not know (t_reach null) is assumed to know
// everything made so far.
inline constinit std::atomic<std::uint64_t> g_reach_clock{1};
inline constinit thread_local std::atomic<std::uint64_t> *t_reach = nullptr;

/// The calling thread's knowledge (everything so far if it is untracked).
inline std::uint64_t reach_known() noexcept {
  std::atomic<std::uint64_t> *me = t_reach;
  return (me ? *me : g_reach_clock).load(std::memory_order_relaxed);
}
/// The calling thread learnt of everything stamped up to `k`.
inline void reach_learn(std::uint64_t k) noexcept {
  if (std::atomic<std::uint64_t> *me = t_reach)
    if (k > me->load(std::memory_order_relaxed))
      me->store(k, std::memory_order_relaxed);
}
/// A new stamp, known to the calling thread (a handle made or moved, a
/// condvar constructed).
inline std::uint64_t reach_stamp() noexcept {
  std::uint64_t k = g_reach_clock.fetch_add(1, std::memory_order_relaxed) + 1;
  reach_learn(k);
  return k;
}
#else
inline std::uint64_t reach_stamp() noexcept { return 0; }
#endif

#if FEARLESS_RACE_DETECTION
struct RaceSync; // src/race/sync.cpp

inline constinit std::atomic<bool> g_race_on{false};

void race_release_slow(std::atomic<RaceSync *> &cell, RaceAccess how) noexcept;
void race_acquire_slow(std::atomic<RaceSync *> &cell, RaceAccess how) noexcept;
void race_sync_free(RaceSync *sync) noexcept;

inline bool race_idle() noexcept {
  return !g_race_on.load(std::memory_order_relaxed);
}
#else
inline bool race_idle() noexcept { return true; }
#endif

/// A synchronisation object's side of happens-before: the race detector's
/// clocks (once data is watched) and the tracker's reach.
class RaceSyncCell {
public:
  RaceSyncCell() = default;
  RaceSyncCell(const RaceSyncCell &) = delete;
  RaceSyncCell &operator=(const RaceSyncCell &) = delete;
#if FEARLESS_RACE_DETECTION
  ~RaceSyncCell() {
    if (RaceSync *s = sync_.load(std::memory_order_acquire)) [[unlikely]]
      race_sync_free(s);
  }
#endif

  /// The calling thread releases (unlock, send, spawn, thread end).
  void release([[maybe_unused]] RaceAccess how = RaceAccess::any) noexcept {
#if FEARLESS_LOCK_TRACKING
    // Relaxed: the primitive orders this release before the acquire that
    // reads it. A max, as readers of an RwLock release at once.
    std::uint64_t k = reach_known();
    std::uint64_t cur = known_.load(std::memory_order_relaxed);
    while (k > cur &&
           !known_.compare_exchange_weak(cur, k, std::memory_order_relaxed))
      ;
#endif
#if FEARLESS_RACE_DETECTION
    if (g_race_on.load(std::memory_order_relaxed)) [[unlikely]]
      race_release_slow(sync_, how);
#endif
  }
  /// The calling thread acquires (lock, recv, thread start, join).
  void acquire([[maybe_unused]] RaceAccess how = RaceAccess::any) noexcept {
#if FEARLESS_LOCK_TRACKING
    reach_learn(known_.load(std::memory_order_relaxed));
#endif
#if FEARLESS_RACE_DETECTION
    if (g_race_on.load(std::memory_order_relaxed)) [[unlikely]]
      race_acquire_slow(sync_, how);
#endif
  }

private:
#if FEARLESS_LOCK_TRACKING
  std::atomic<std::uint64_t> known_{0};
#endif
#if FEARLESS_RACE_DETECTION
  std::atomic<RaceSync *> sync_{nullptr};
#endif
};

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_RACE_HOOKS_H_
