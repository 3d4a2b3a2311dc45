// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/tracker_fast.h - the tracker's inline fast path.
//
// Included by hooks.h when tracking is on. An acquisition whose chain of
// held lock classes was validated before costs, inline: one thread-local
// load, the lock's class from the lock itself, a scan of the thread's held
// stack (double lock), one hash step and one lock-free lookup in the
// validated-chain cache. A release of the most recently taken lock pops the
// stack. Everything else -- the first lock of a thread, a lock without a
// class yet, a new chain, a double lock, lock_all, releases out of order --
// goes to the out-of-line slow paths in src/tracker.cpp.
//
// Invariant: a ThreadRecord is only written by its thread; other threads
// read `depth`, `held[i].lock` and `held[i].mode` (atomics, relaxed) for
// their deadlock checks, which look twice before they report.
#ifndef FEARLESS_DETAIL_TRACKER_FAST_H_
#define FEARLESS_DETAIL_TRACKER_FAST_H_

#include "fearless/detail/hooks.h"
#include "fearless/send_sync.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>

namespace fearless::detail {

/// Locks one thread can hold at once with tracking (lockdep's limit).
inline constexpr int kMaxHeld = 48;
/// Slots of the validated-chain cache (a power of two).
inline constexpr std::size_t kChainSlots = std::size_t(1) << 16;

/// One lock a thread holds.
struct HeldLock {
  std::atomic<const LockState *> lock{nullptr}; ///< read by other threads
  std::atomic<std::uint8_t> mode{0};            ///< LockMode; read by others
  std::uint8_t subclass = 0;
  bool tried = false; ///< taken by try_lock (no ordering edge)
  ClassId cls = 0;
  /// Code address of the acquisition, and return address of the acquiring
  /// frame; atomic because a report about the lock made on another thread
  /// (destroyed, released there) reads where its holder took it.
  std::atomic<const void *> pc{nullptr};
  std::atomic<const void *> ret{nullptr};
};

/// A tracked thread. Records live in a static table, never freed (another
/// thread's deadlock check may read one at any time), and are recycled.
struct alignas(64) ThreadRecord {
  // Other threads read only the atomics; the plain fields belong to the
  // thread that owns the record (the invariant at the top of this file).
  FEARLESS_THREAD_SAFE;

  std::atomic<int> depth{0}; ///< locks held; held[0..depth) are valid
  /// Reach (race_hooks.h): the newest stamp this thread may know of; read
  /// by the deadlock check. t_reach points here while the thread runs (next
  /// to `depth`: every lock and unlock touches both).
  std::atomic<std::uint64_t> knows{0};
  int batch = -1;            ///< depth at which lock_all began, or -1
  int overflow = 0; ///< 1 once "too many locks held" was reported
  ThreadId id = 0;           ///< slot index | generation << 16
  /// chain[i]: hash of the classes, subclasses and modes of held[0..i).
  std::uint64_t chain[kMaxHeld + 1] = {};
  HeldLock held[kMaxHeld];

  // Written by the slow paths only.
  std::atomic<const void *> waiting_for{nullptr}; ///< on_block's object
  std::atomic<std::uint8_t> wait_kind{0};         ///< its WaitKind
  std::atomic<ClassId> waiting_cls{0};            ///< class, for a lock wait
  std::atomic<const void *> blocked_at{nullptr};  ///< where it blocked
  std::atomic<const void *> running{nullptr};     ///< join handle it runs
  std::atomic<std::thread::id> std_id{};
  std::atomic<std::uint32_t> blocks{0}; ///< on_block calls: progress
  std::atomic<int> tid{0};              ///< the kernel's thread id
  std::atomic<ThreadId> live_id{0};     ///< `id` while in use, else 0
  std::atomic<bool> in_use{false};
  /// The stamp of the condvar it waits on (0: any thread may notify).
  std::atomic<std::uint64_t> wait_reach{0};
  /// Readers inside the channel this thread waits on (deadlock.cpp): the
  /// thread does not leave its wait, which keeps the channel alive, while
  /// one is.
  std::atomic<std::uint32_t> pinned{0};
  bool or_wait = false; ///< counted in g_or_waiters (hooks.h)
  std::uint32_t generation = 0;
  std::atomic<char> name[40] = {}; ///< the thread's name, for reports
};

/// The calling thread's record, or nullptr before its first slow path (and
/// after its exit).
inline constinit thread_local ThreadRecord *t_record = nullptr;

/// One validated chain: the hash of (held classes, acquired class).
struct ChainSlot {
  std::atomic<std::uint64_t> key{0}; ///< chain hash | 1; 0 = empty
  /// The one thread that validated the chain, or 0 once two threads have:
  /// until then another thread takes the slow path, so that a cycle made
  /// by one thread alone is reported when a second thread joins it.
  std::atomic<ThreadId> owner{0};
};
extern ChainSlot g_chains[kChainSlots];

/// Next chain hash after taking class `cls` at `subclass` in `mode`.
inline std::uint64_t chain_step(std::uint64_t h, ClassId cls, unsigned subclass,
                                LockMode mode) noexcept {
  std::uint64_t v = (std::uint64_t(cls) << 4) | (subclass << 1) |
                    unsigned(mode == LockMode::shared);
  h = (h ^ v) * 0x9e3779b97f4a7c15ull;
  return h ^ (h >> 29);
}

/// The code address of the caller (inlined: the user's acquisition).
[[gnu::always_inline]] inline const void *current_pc() noexcept {
  const void *pc;
#if defined(__x86_64__)
  asm volatile("lea 0(%%rip), %0" : "=r"(pc));
#elif defined(__aarch64__)
  asm volatile("adr %0, ." : "=r"(pc));
#else
  pc = nullptr;
#endif
  return pc;
}

// Out of line (src/tracker.cpp).
bool acquire_slow(LockState &lock, LockMode mode, unsigned subclass,
                  const void *pc, const void *ret) noexcept;
void acquired_slow(LockState &lock, LockMode mode, bool tried,
                   unsigned subclass, const void *pc, const void *ret) noexcept;
void release_slow(LockState &lock) noexcept;

/// Pushes `lock` on `t`'s held stack at depth `d` (< kMaxHeld); `next` is
/// the chain hash with it. Shared by the inline and the slow paths.
[[gnu::always_inline]] inline void
push_held(ThreadRecord &t, int d, LockState &lock, LockMode mode, bool tried,
          unsigned subclass, ClassId cls, std::uint64_t next, const void *pc,
          const void *ret) noexcept {
  if (mode == LockMode::exclusive)
    lock.owner.store(t.id, std::memory_order_relaxed);
  HeldLock &h = t.held[d];
  h.lock.store(&lock, std::memory_order_relaxed);
  h.mode.store(std::uint8_t(mode), std::memory_order_relaxed);
  h.subclass = std::uint8_t(subclass);
  h.tried = tried;
  h.cls = cls;
  h.pc.store(pc, std::memory_order_relaxed);
  h.ret.store(ret, std::memory_order_relaxed);
  t.chain[d + 1] = next;
  t.depth.store(d + 1, std::memory_order_release);
}

/// How a lock held in `mode` is held, for the race detector's clocks.
constexpr RaceAccess race_access(LockMode mode) noexcept {
  return mode == LockMode::shared ? RaceAccess::shared : RaceAccess::exclusive;
}

/// What on_acquire learnt, for the on_acquired that follows it.
struct Acquisition {
  ThreadRecord *t = nullptr; ///< nullptr: the slow path took over
  std::uint64_t next = 0;    ///< the chain hash with this lock
  ClassId cls = 0;
  int depth = 0;
  bool held_elsewhere = false; ///< see on_acquire
};

/// on_acquire's inline part: true if the acquisition needs no slow path,
/// with `a` filled in for on_acquired; false, with `a` untouched, if it does
/// (the first lock of a thread, a lock without a class yet, a relock, a
/// new chain, lock_all). For a caller that takes its own slow path when
/// this fails (the preload's interposers); others call on_acquire. `t` is
/// t_record, which the caller may have loaded already.
[[gnu::always_inline]] inline bool
acquire_fast(ThreadRecord *t, LockState &lock, LockMode mode, unsigned subclass,
             bool shareable, Acquisition &a) noexcept {
  ClassId cls = lock.cls.load(std::memory_order_relaxed);
  ThreadId owner = lock.owner.load(std::memory_order_relaxed);
  if (t == nullptr || cls == 0 || owner == t->id) [[unlikely]]
    return false;
  int d = t->depth.load(std::memory_order_relaxed);
  if (shareable)
    for (int i = 0; i < d; ++i)
      if (t->held[i].lock.load(std::memory_order_relaxed) == &lock)
          [[unlikely]]
        return false;
  std::uint64_t next = chain_step(t->chain[d], cls, subclass, mode);
  if (d != 0) {
    // Taking a lock with others held adds edges: validated before?
    std::uint64_t key = next | 1;
    ChainSlot &c = g_chains[key & (kChainSlots - 1)];
    ThreadId v = c.owner.load(std::memory_order_relaxed);
    if (t->batch >= 0 || c.key.load(std::memory_order_acquire) != key ||
        (v != 0 && v != t->id)) [[unlikely]]
      return false;
  }
  a.t = t;
  a.next = next;
  a.cls = cls;
  a.depth = d;
  a.held_elsewhere = owner != 0;
  return true;
}

/// The calling thread is about to acquire `lock` (blocking acquisitions
/// only; called before blocking so that an inversion is reported first).
/// `held_elsewhere` in the result is true if, as far as the tracker knows,
/// another thread holds `lock` exclusively: the caller will probably block
/// and should report it with on_block (a cheap hint that spares an
/// uncontended lock a try_lock). `shareable` locks (RwLock) are searched
/// for in the held stack (a write after a read of one lock deadlocks); for
/// a Mutex the owner says it. `ret` is the acquiring frame's return
/// address, for reports (on_acquire's default: its caller's).
[[gnu::always_inline]] inline Acquisition
on_acquire_from(LockState &lock, LockMode mode, unsigned subclass,
                bool shareable, const void *ret) noexcept {
  Acquisition a;
  if (!acquire_fast(t_record, lock, mode, subclass, shareable, a)) [[unlikely]]
    a.held_elsewhere = acquire_slow(lock, mode, subclass, current_pc(), ret);
  return a;
}

[[gnu::always_inline]] inline Acquisition
on_acquire(LockState &lock, LockMode mode, unsigned subclass = 0,
           bool shareable = true) noexcept {
  return on_acquire_from(lock, mode, subclass, shareable,
                         __builtin_return_address(0));
}

/// on_acquired's work, with where the lock was taken: `pc` a code address
/// in the acquisition (may be null), `ret` the acquiring frame's return
/// address.
[[gnu::always_inline]] inline void acquired_at(LockState &lock, LockMode mode,
                                               bool tried, unsigned subclass,
                                               const void *pc,
                                               const void *ret) noexcept {
  lock.race.acquire(race_access(mode));
  ThreadRecord *t = t_record;
  ClassId cls = lock.cls.load(std::memory_order_relaxed);
  int d = t != nullptr ? t->depth.load(std::memory_order_relaxed) : kMaxHeld;
  if (d == kMaxHeld || cls == 0) [[unlikely]] {
    acquired_slow(lock, mode, tried, subclass, pc, ret);
    return;
  }
  push_held(*t, d, lock, mode, tried, subclass, cls,
            chain_step(t->chain[d], cls, subclass, mode), pc, ret);
}

/// acquired_at's inline part after acquire_fast succeeded (the race
/// detector's acquire aside: see race_idle): pushes the lock, or returns
/// false, having done nothing, if the held stack is full.
[[gnu::always_inline]] inline bool
acquired_fast(LockState &lock, LockMode mode, const Acquisition &a,
              unsigned subclass, const void *pc, const void *ret) noexcept {
  if (a.t == nullptr || a.depth == kMaxHeld) [[unlikely]]
    return false;
  push_held(*a.t, a.depth, lock, mode, false, subclass, a.cls, a.next, pc,
            ret);
  return true;
}

/// The same after on_acquire (see below).
[[gnu::always_inline]] inline void
acquired_at(LockState &lock, LockMode mode, const Acquisition &a,
            unsigned subclass, const void *pc, const void *ret) noexcept {
  lock.race.acquire(race_access(mode));
  if (!acquired_fast(lock, mode, a, subclass, pc, ret)) [[unlikely]]
    acquired_slow(lock, mode, false, subclass, pc, ret);
}

/// The calling thread now holds `lock` (after any acquisition, try_lock
/// included; `tried` is true for try_lock, which adds no ordering edge).
/// Reports name the caller's frame as where the lock was taken.
[[gnu::always_inline]] inline void on_acquired(LockState &lock, LockMode mode,
                                               bool tried,
                                               unsigned subclass = 0) noexcept {
  acquired_at(lock, mode, tried, subclass, current_pc(),
              __builtin_return_address(0));
}

/// The same after a blocking acquisition announced by on_acquire: reuses
/// what on_acquire computed.
[[gnu::always_inline]] inline void on_acquired(LockState &lock, LockMode mode,
                                               const Acquisition &a,
                                               unsigned subclass = 0) noexcept {
  acquired_at(lock, mode, a, subclass, current_pc(),
              __builtin_return_address(0));
}

/// on_release's inline part (the race detector's release aside): pops
/// `lock` if it is the newest lock held, else returns false, having done
/// nothing. `t` is t_record, as for acquire_fast.
[[gnu::always_inline]] inline bool
release_fast(ThreadRecord *t, LockState &lock, LockMode mode) noexcept {
  int d = t != nullptr ? t->depth.load(std::memory_order_relaxed) : 0;
  // Invariant: held[d - 1] is the newest lock in the inline stack; locks
  // beyond kMaxHeld are kept out of line (tracker.cpp), so they miss here.
  if (d == 0 || t->held[d - 1].lock.load(std::memory_order_relaxed) != &lock)
      [[unlikely]]
    return false;
  if (mode == LockMode::exclusive)
    lock.owner.store(0, std::memory_order_relaxed);
  t->depth.store(d - 1, std::memory_order_release);
  return true;
}

/// The calling thread released `lock`, which it held in `mode`.
[[gnu::always_inline]] inline void on_release(LockState &lock,
                                              LockMode mode) noexcept {
  // Before the tracker's bookkeeping and the unlock itself: the next
  // holder must find this thread's clock in the lock.
  lock.race.release(race_access(mode));
  if (!release_fast(t_record, lock, mode)) [[unlikely]]
    release_slow(lock);
}

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_TRACKER_FAST_H_
