// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// What the race detector's files share (DESIGN.md section 8,
// docs/runtime/race.md). Split as ThreadSanitizer's runtime is:
//   threads.cpp  a thread's clock and slot (FullThread)
//   sites.cpp    interned access sites (source location + innermost lock)
//   shadow.cpp   FastTrack's checks on a watched location, watch_* / unwatch
//   sync.cpp     release/acquire clocks of synchronisation objects
//   report.cpp   the data-race report
#ifndef FEARLESS_SRC_RACE_RACE_INTERNAL_H_
#define FEARLESS_SRC_RACE_RACE_INTERNAL_H_

#include "fearless/watched.h"

#include "../tracker_internal.h"

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <sched.h>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

#if FEARLESS_RACE_DETECTION

namespace fearless::detail::race {

// --- clocks --------------------------------------------------------------

// An epoch: a thread slot's clock (above) and the slot (low 16 bits).
inline std::uint32_t epoch_tid(Epoch e) { return std::uint32_t(e & 0xffff); }
inline std::uint64_t epoch_clock(Epoch e) { return e >> 16; }
inline Epoch make_epoch(std::uint64_t clock, std::uint32_t tid) {
  return (clock << 16) | tid;
}

class VectorClock {
public:
  std::uint64_t get(std::uint32_t tid) const {
    return tid < c_.size() ? c_[tid] : 0;
  }
  void set(std::uint32_t tid, std::uint64_t v) {
    if (tid >= c_.size())
      c_.resize(tid + 1, 0);
    c_[tid] = v;
  }
  bool empty() const { return c_.empty(); }
  void clear() { c_.clear(); }
  /// Raises every component to `o`'s; true if one rose.
  bool join(const VectorClock &o) {
    if (o.c_.size() > c_.size())
      c_.resize(o.c_.size(), 0);
    bool rose = false;
    for (std::size_t i = 0; i < o.c_.size(); ++i)
      if (o.c_[i] > c_[i]) {
        c_[i] = o.c_[i];
        rose = true;
      }
    return rose;
  }
  /// Raises component `tid` to `v`; true if it rose.
  bool raise(std::uint32_t tid, std::uint64_t v) {
    if (v <= get(tid))
      return false;
    set(tid, v);
    return true;
  }

private:
  std::vector<std::uint64_t> c_;
};

// A tiny lock for a location's or a sync object's clocks: held for a few
// compares, never across a call that could block.
// With `take` false it does nothing: for a caller that holds the object
// alone already (RaceAccess::exclusive), with one copy of the code.
class SpinGuard {
public:
  explicit SpinGuard(std::atomic<std::uint32_t> &s, bool take = true)
      : s_(s), taken_(take) {
    if (!take)
      return;
    for (int n = 0; s_.exchange(1, std::memory_order_acquire) != 0; ++n)
      while (s_.load(std::memory_order_relaxed) != 0)
        if (++n > 64)
          sched_yield(); // the holder may be preempted (2 cores, VMs)
  }
  ~SpinGuard() {
    if (taken_)
      s_.store(0, std::memory_order_release);
  }
  SpinGuard(const SpinGuard &) = delete;
  SpinGuard &operator=(const SpinGuard &) = delete;

private:
  std::atomic<std::uint32_t> &s_;
  const bool taken_;
};

/// A spin lock word as a capability, so that what it protects can be
/// FEARLESS_GUARDED_BY it; taken with SpinLockGuard.
class FEARLESS_CAPABILITY("mutex") SpinLock {
public:
  std::atomic<std::uint32_t> word{0};
};

/// SpinGuard on a SpinLock, as the analysis sees it.
class FEARLESS_SCOPED_CAPABILITY SpinLockGuard {
public:
  explicit SpinLockGuard(SpinLock &s) FEARLESS_ACQUIRE(s) : guard_(s.word) {}
  ~SpinLockGuard() FEARLESS_RELEASE() {}
  SpinLockGuard(const SpinLockGuard &) = delete;
  SpinLockGuard &operator=(const SpinLockGuard &) = delete;

private:
  SpinGuard guard_;
};

/// What a thread remembers of one synchronisation object (see RaceSync):
/// valid while `sync` is the object's id.
struct SyncMemo {
  std::uint64_t sync = 0; ///< RaceSync::id; 0: empty
  /// FullThread::joins when the thread last knew that, but for its own
  /// component, its clock was at most the object's write clock.
  std::uint64_t joins = ~std::uint64_t(0);
  /// RaceSync::base_version when the thread's clock last covered `base`.
  std::uint64_t base_version = ~std::uint64_t(0);
};
constexpr std::size_t kSyncMemos = 64;

// The full per-thread state; detail/race.h sees only the epoch.
struct FullThread : RaceThread {
  std::uint32_t tid = 0;
  VectorClock clock;
  /// Acquires that raised a component of `clock`: while it has not
  /// changed, only this thread's own component has.
  std::uint64_t joins = 0;
  /// Direct-mapped by the object's id.
  SyncMemo memo[kSyncMemos];
  /// Interned sites (site_id): 128 sets by site, two ways each, so that
  /// a site used under two locks in turn (a helper called from two
  /// critical sections) does not evict itself.
  struct SiteSlot {
    const void *where = nullptr; ///< the source_location's pointer
    ClassId lock = 0;
    RaceSite id = 0; ///< 0: empty
  };
  SiteSlot sites[128][2];
  /// Bit i % 64 of word i / 64: t_seen.slot[i] was filled in this epoch.
  std::uint64_t seen_used[kSeenSlots / 64] = {};

  // A release: later accesses of this thread are a new epoch. Called on
  // the owning thread only.
  void tick() {
    std::uint64_t c = clock.get(tid) + 1;
    clock.set(tid, c);
    epoch = make_epoch(c, tid);
    t_epoch = epoch;
    // Invariant: t_seen holds only what was read in the current epoch (the
    // inline check compares no epoch).
    for (std::size_t w = 0; w < kSeenSlots / 64; ++w) {
      for (std::uint64_t m = seen_used[w]; m != 0; m &= m - 1)
        t_seen.slot[w * 64 + __builtin_ctzll(m)] = kNoEpoch;
      seen_used[w] = 0;
    }
  }

  // This thread's read of `s` is recorded, and `s.read` is now `read`.
  void see(const RaceShadow &s, Epoch read) {
    Epoch &slot = seen_slot(s);
    slot = read;
    const std::size_t i = std::size_t(&slot - t_seen.slot);
    seen_used[i / 64] |= std::uint64_t(1) << (i % 64);
  }
};

// --- threads (threads.cpp) -------------------------------------------------

/// Makes the calling thread's state; nullptr once it is exiting or when
/// every slot is taken.
FullThread *make_race_thread();

// The calling thread's state if it has one already (the slow paths' fast
// prefixes), else nullptr.
inline FullThread *existing_race_thread() {
  return static_cast<FullThread *>(t_race);
}

inline FullThread *race_thread() {
  if (FullThread *t = existing_race_thread())
    return t;
  return make_race_thread();
}

inline void race_enable() {
  if (!g_race_on.load(std::memory_order_relaxed))
    g_race_on.store(true);
}

// True if the access at `e` happens before thread `t`'s present.
// The thread's own epochs are (its clock only grows), without a look at
// the vector: a location used by one thread at a time is the common case.
// Never called with a read-shared phase (kSharedBit), whose low bits are
// no thread's: callers test is_shared first.
inline bool ordered(Epoch e, const FullThread &t) {
  return epoch_tid(e) == t.tid || e == 0 ||
         epoch_clock(e) <= t.clock.get(epoch_tid(e));
}

// The innermost fearless lock the calling thread holds (0: none).
inline ClassId innermost_lock() {
  ThreadRecord *r = t_record;
  int d = r ? r->depth.load(std::memory_order_relaxed) : 0;
  return d > 0 ? r->held[d - 1].cls : 0;
}

// --- sites (sites.cpp) -----------------------------------------------------

// site_id's second way and the global table: out of line, so that the
// slow paths' common case keeps a small frame (not cold: the second way
// is hit by a helper called under two locks in turn).
RaceSite site_id_miss(FullThread::SiteSlot (&set)[2],
                      std::source_location where, ClassId lock);

// `where` with the innermost lock held now, as the shadow keeps it: a
// lookup in the thread's cache, the global table on a miss. The slot
// depends on `where` alone, so that loading it does not wait for the
// lock's three dependent loads.
[[gnu::always_inline]] inline RaceSite site_id(FullThread &t,
                                               std::source_location where) {
  const void *key = std::bit_cast<const void *>(where);
  auto &set = t.sites[(reinterpret_cast<std::uintptr_t>(key) >> 3) & 127];
  const ClassId lock = innermost_lock();
  if (set[0].where == key && set[0].lock == lock && set[0].id != 0) [[likely]]
    return set[0].id;
  return site_id_miss(set, where, lock);
}

// What an interned site stands for (reports only).
std::pair<std::source_location, ClassId> site_of(RaceSite id);

// --- shadow (shadow.cpp) ---------------------------------------------------

// The read vector of a location read by several threads unordered.
struct RaceReads {
  struct Entry {
    Epoch epoch;
    RaceSite site;
  };
  std::vector<Entry> entries;

  void set(const Entry &n) {
    for (Entry &e : entries)
      if (epoch_tid(e.epoch) == epoch_tid(n.epoch)) {
        e = n;
        return;
      }
    entries.push_back(n);
  }
};

// What a shadow needs only in reports and while its reads are kept in a
// vector.
struct RaceCold {
  SpinLock spin;
  const char *name = nullptr;
  RaceReads reads FEARLESS_GUARDED_BY(spin);
};

// The shadow's cold part, or nullptr.
RaceCold *cold_if_any(const RaceShadow &s);

// --- reports (report.cpp) --------------------------------------------------

// The earlier access of a conflicting pair, copied out under the spin lock.
struct Conflict {
  bool found = false;
  bool write = false;
  Epoch epoch = 0;
  RaceSite site = 0;
};

// Reports the access `where` of thread `t` (a write if `cur_write`) that
// conflicts with the earlier one `conflict`, once per pair of sites.
void report_race(const RaceShadow &s, bool cur_write,
                 const std::source_location &where, const Conflict &conflict,
                 const FullThread &t, const void *address, std::size_t size);

} // namespace fearless::detail::race

#endif // FEARLESS_RACE_DETECTION

#endif // FEARLESS_SRC_RACE_RACE_INTERNAL_H_
