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

#if FEARLESS_RACE_DETECTION
struct RaceSync; // src/race/sync.cpp

/// Set (never cleared) by the first watched access or Watched construction.
inline constinit std::atomic<bool> g_race_on{false};

void race_release_slow(std::atomic<RaceSync *> &cell, RaceAccess how) noexcept;
void race_acquire_slow(std::atomic<RaceSync *> &cell, RaceAccess how) noexcept;
void race_sync_free(RaceSync *sync) noexcept;

/// The release clocks of one synchronisation object; empty until a release
/// happens while the detector is on.
class RaceSyncCell {
public:
  RaceSyncCell() = default;
  RaceSyncCell(const RaceSyncCell &) = delete;
  RaceSyncCell &operator=(const RaceSyncCell &) = delete;
  ~RaceSyncCell() {
    if (RaceSync *s = sync_.load(std::memory_order_acquire)) [[unlikely]]
      race_sync_free(s);
  }

  /// The calling thread releases (unlock, send, spawn, thread end).
  void release(RaceAccess how = RaceAccess::any) noexcept {
    if (g_race_on.load(std::memory_order_relaxed)) [[unlikely]]
      race_release_slow(sync_, how);
  }
  /// The calling thread acquires (lock, recv, thread start, join).
  void acquire(RaceAccess how = RaceAccess::any) noexcept {
    if (g_race_on.load(std::memory_order_relaxed)) [[unlikely]]
      race_acquire_slow(sync_, how);
  }

private:
  std::atomic<RaceSync *> sync_{nullptr};
};

/// True while release and acquire have nothing to do (no watched access
/// yet): a caller that skips them then (the preload's inline mutex path,
/// which must call nothing) loses nothing.
inline bool race_idle() noexcept {
  return !g_race_on.load(std::memory_order_relaxed);
}
#else
/// Race detection compiled out (no tracking, or ThreadSanitizer): nothing.
class RaceSyncCell {
public:
  void release(RaceAccess = RaceAccess::any) noexcept {}
  void acquire(RaceAccess = RaceAccess::any) noexcept {}
};
inline bool race_idle() noexcept { return true; }
#endif

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_RACE_HOOKS_H_
