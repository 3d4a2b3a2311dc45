// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The race detector's synchronisation objects: the clocks a release leaves
// in a lock, channel or thread handle (detail/race_hooks.h) and an acquire
// joins, and the sync_release/sync_acquire tags of fearless/watched.h.
#include "race_internal.h"

#include <memory>
#include <mutex>
#include <unordered_map>

#if FEARLESS_RACE_DETECTION

namespace fearless::detail {

using namespace race;

// The release clocks of one synchronisation object. Its write clock is
// `base` joined with `pending`: a release by a thread whose clock adds
// nothing to the object's but its own component (a lock handed back and
// forth) only records that component in `pending`, on the object's first
// cache line, and an acquirer that already covers `base` (its memo says so)
// joins only `pending`. A hand-off then touches one line of the object
// instead of the clock's whole array.
struct alignas(64) RaceSync {
  static constexpr std::uint32_t kPending = 4;

  std::atomic<std::uint32_t> spin{0};
  std::uint32_t npending = 0;
  const std::uint64_t id = next_id(); ///< never reused (SyncMemo::sync)
  /// Bumped whenever `base` rises: a memo of an older version no longer
  /// proves its thread covers `base`.
  std::uint64_t base_version = 1;
  /// Own-component epochs of releasers, one per thread slot, not yet in
  /// `base`.
  Epoch pending[kPending] = {};
  VectorClock base;
  /// RwLock read-unlocks: seen by writers only; dropped at each
  /// write-unlock, whose write clock covers it.
  VectorClock read;

  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> last{0};
    return last.fetch_add(1, std::memory_order_relaxed) + 1;
  }

  // Records `e` (tid's own component) in `pending`, folding `pending` into
  // `base` first when it has no room for a new slot.
  void bump(Epoch e) {
    for (std::uint32_t i = 0; i < npending; ++i)
      if (epoch_tid(pending[i]) == epoch_tid(e)) {
        pending[i] = e; // clocks only grow
        return;
      }
    if (npending == kPending)
      fold();
    pending[npending++] = e;
  }
  void fold() {
    for (std::uint32_t i = 0; i < npending; ++i)
      base.raise(epoch_tid(pending[i]), epoch_clock(pending[i]));
    npending = 0;
    ++base_version;
  }
  // Raises `c` to `pending`; true if a component rose.
  bool join_pending_into(VectorClock &c) const {
    bool rose = false;
    for (std::uint32_t i = 0; i < npending; ++i)
      rose |= c.raise(epoch_tid(pending[i]), epoch_clock(pending[i]));
    return rose;
  }
};

// What a shadow needs only in reports and while its reads are kept in a

// --- hooks ---------------------------------------------------------------
// Invariants, for thread t and object s with t's memo m of s (m.sync ==
// s.id):
//   m.joins == t.joins         => t.clock[u] <= s's write clock[u], u != t
//   m.base_version == s.base_version => t.clock >= s.base
// Both survive s's clocks rising (they only grow); the first is lost when
// an acquire of anything raises t's clock (joins changes), the second when
// `base` rises (base_version changes).
void race_release_slow(std::atomic<RaceSync *> &cell, RaceAccess how) noexcept {
  FullThread *t = race_thread();
  if (!t)
    return;
  RaceSync *s = cell.load(std::memory_order_acquire);
  if (!s) {
    auto *fresh = new RaceSync;
    if (cell.compare_exchange_strong(s, fresh, std::memory_order_acq_rel))
      s = fresh;
    else
      delete fresh; // another releaser installed one first
  }
  SyncMemo &m = t->memo[s->id % kSyncMemos];
  {
    // Safety: for RaceAccess::exclusive the caller holds the lock alone.
    SpinGuard g(s->spin, how != RaceAccess::exclusive);
    if (how == RaceAccess::shared) {
      s->read.join(t->clock);
    } else if (m.sync == s->id && m.joins == t->joins) {
      // Nothing but this thread's own component is new to the object.
      s->bump(make_epoch(t->clock.get(t->tid), t->tid));
    } else {
      const bool covered = m.sync == s->id && m.base_version == s->base_version;
      if (s->base.join(t->clock))
        ++s->base_version;
      m.sync = s->id;
      m.joins = t->joins;
      // Covered before and `base` rose only to this thread's clock.
      m.base_version = covered ? s->base_version : ~std::uint64_t(0);
    }
    // A writer joined `read` when it acquired, and no read-unlock comes
    // while it holds the lock: the write clock covers `read` now, so the
    // next writer need not scan it.
    if (how == RaceAccess::exclusive && !s->read.empty())
      s->read.clear();
  }
  t->tick();
}

void race_acquire_slow(std::atomic<RaceSync *> &cell, RaceAccess how) noexcept {
  RaceSync *s = cell.load(std::memory_order_acquire);
  if (!s)
    return; // nothing was released while the detector was on
  FullThread *t = race_thread();
  if (!t)
    return;
  SyncMemo &m = t->memo[s->id % kSyncMemos];
  // Safety: for RaceAccess::exclusive the caller holds the lock alone.
  SpinGuard g(s->spin, how != RaceAccess::exclusive);
  const bool below = m.sync == s->id && m.joins == t->joins;
  bool rose = false;
  if (!(m.sync == s->id && m.base_version == s->base_version))
    rose = t->clock.join(s->base);
  rose |= s->join_pending_into(t->clock);
  // Now t.clock >= the write clock; and t.clock[u] == it, u != t, if t was
  // below it before.
  bool above = false;
  if (how != RaceAccess::shared && !s->read.empty()) // readers do not
    above = t->clock.join(s->read);                  // order readers
  if (rose || above)
    ++t->joins;
  m.sync = s->id;
  m.base_version = s->base_version;
  m.joins = below && !above ? t->joins : ~std::uint64_t(0);
}

void race_sync_free(RaceSync *sync) noexcept { delete sync; }

} // namespace fearless::detail

namespace fearless {

namespace {
// The clocks of sync_release/sync_acquire tags: created on first use, kept
// (a RaceSyncCell must outlive every thread that may still use it).
detail::RaceSyncCell &tag_cell(const void *tag) {
  static std::mutex *mu = new std::mutex;
  static auto *cells =
      new std::unordered_map<const void *,
                             std::unique_ptr<detail::RaceSyncCell>>;
  std::lock_guard<std::mutex> lock(*mu);
  std::unique_ptr<detail::RaceSyncCell> &cell = (*cells)[tag];
  if (!cell)
    cell = std::make_unique<detail::RaceSyncCell>();
  return *cell;
}
} // namespace

void sync_release(const void *tag) noexcept {
  if (detail::g_race_on.load(std::memory_order_relaxed))
    tag_cell(tag).release(detail::RaceAccess::any);
}

void sync_acquire(const void *tag) noexcept {
  if (detail::g_race_on.load(std::memory_order_relaxed))
    tag_cell(tag).acquire(detail::RaceAccess::any);
}

} // namespace fearless

#elif FEARLESS_DETAIL_UNDER_TSAN

// ThreadSanitizer orders the tags itself (compiler-rt's tsan_interface.h).
extern "C" void __tsan_acquire(void *addr);
extern "C" void __tsan_release(void *addr);

namespace fearless {
void sync_release(const void *tag) noexcept {
  __tsan_release(const_cast<void *>(tag));
}
void sync_acquire(const void *tag) noexcept {
  __tsan_acquire(const_cast<void *>(tag));
}
} // namespace fearless

#else // tracking compiled out

namespace fearless {
void sync_release(const void *) noexcept {}
void sync_acquire(const void *) noexcept {}
} // namespace fearless

#endif
