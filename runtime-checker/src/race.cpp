// The race detector: the out-of-line half of detail/race.h (FastTrack's
// checks on a watched location) and detail/race_hooks.h (vector clocks for
// threads and synchronisation objects), plus watch_read/watch_write/unwatch
// and the data-race report. DESIGN.md section 8, docs/runtime/race.md.
#include "fearless/watched.h"

#include "fearless/thread.h"
#include "tracker_internal.h"

#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <sched.h>
#include <set>
#include <string>
#include <unistd.h>
#include <unordered_map>
#include <utility>
#include <vector>

#if FEARLESS_RACE_DETECTION

namespace fearless::detail {
namespace {

// --- clocks --------------------------------------------------------------

// Thread slots index the vector clocks. A slot is reused only after kFreshSlots
// threads have had one, and then the one freed longest ago: a reused slot's
// thread looks ordered after its predecessor's accesses (see "Limits" in
// docs/runtime/race.md), and the clocks stay short.
constexpr std::uint32_t kRaceSlots = 4096; // < 1 << 16 (the epoch's tid)
constexpr std::uint32_t kFreshSlots = 256;

std::uint32_t epoch_tid(Epoch e) { return std::uint32_t(e & 0xffff); }
std::uint64_t epoch_clock(Epoch e) { return e >> 16; }
Epoch make_epoch(std::uint64_t clock, std::uint32_t tid) {
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

struct Slot {
  bool in_use = false;
  std::uint64_t last = 0; // the clock its previous thread ended with
  std::string name;       // for reports, kept after the thread ended
  // The tracker's number of the thread ("T<number>" in every report when
  // it has no name), kept with the name.
  std::uint32_t number = 0;
};

// --- granules of watch_read / watch_write ---------------------------------
constexpr std::size_t kShards = 64;
struct Shard {
  std::mutex mu;
  // Never erased (unwatch resets): a reference stays valid.
  std::unordered_map<std::uintptr_t, std::unique_ptr<RaceShadow>> map;
};

struct Races {
  std::mutex slots_mu;
  Slot slots[kRaceSlots];          // guarded by slots_mu; [0] unused
  std::uint32_t next_fresh = 1;    // guarded by slots_mu
  std::deque<std::uint32_t> freed; // guarded by slots_mu; oldest first
  std::mutex reported_mu;
  std::set<std::string> reported; // guarded by reported_mu: pairs of sites
  std::mutex sites_mu;
  /// RaceSite n is sites[n - 1]; never shrinks. Guarded by sites_mu.
  std::deque<std::pair<std::source_location, ClassId>> sites;
  std::map<std::pair<const void *, ClassId>, RaceSite> site_map;
  Shard shards[kShards];
};

Races &races() {
  static Races *r = new Races; // never destroyed: hooks may run at exit
  return *r;
}

thread_local bool t_race_dead = false; // trivially destructible

// Owns the calling thread's slot; gives it back at thread exit.
struct RaceThreadOwner {
  FullThread t;
  bool ok = false;

  RaceThreadOwner() {
    std::string name(current_thread_name());
    if (name.empty() && gettid() == getpid())
      name = "main"; // as the tracker (and Rust) call it
    ThreadRecord *rec = record(); // outside slots_mu: it may take locks
    auto &r = races();
    std::lock_guard<std::mutex> lock(r.slots_mu);
    std::uint32_t i = 0;
    if (r.next_fresh < kFreshSlots ||
        (r.freed.empty() && r.next_fresh < kRaceSlots)) {
      i = r.next_fresh++;
    } else if (!r.freed.empty()) {
      i = r.freed.front();
      r.freed.pop_front();
    } else {
      return; // kRaceSlots threads at once: this one is not checked
    }
    Slot &s = r.slots[i];
    s.in_use = true;
    s.name = std::move(name);
    s.number = rec ? std::uint32_t(rec->id & 0xffff) // as thread_label
                   : i;
    t.tid = i;
    // Invariant: a slot's clock only grows, so the epochs of the thread
    // that had it before stay below this one's.
    t.clock.set(i, s.last);
    t.tick();
    ok = true;
  }
  ~RaceThreadOwner() {
    t_race_dead = true;
    t_race = nullptr;
    t_epoch = kNoEpoch;
    if (!ok)
      return;
    auto &r = races();
    std::lock_guard<std::mutex> lock(r.slots_mu);
    r.slots[t.tid].last = t.clock.get(t.tid);
    r.slots[t.tid].in_use = false;
    r.freed.push_back(t.tid);
  }
};

FEARLESS_SLOW_PATH
FullThread *make_race_thread() {
  if (t_race_dead)
    return nullptr;
  thread_local RaceThreadOwner owner;
  if (!owner.ok)
    return nullptr;
  t_race = &owner.t;
  return &owner.t;
}

// The calling thread's state if it has one already (the slow paths' fast
// prefixes), else nullptr.
FullThread *existing_race_thread() { return static_cast<FullThread *>(t_race); }

FullThread *race_thread() {
  if (FullThread *t = existing_race_thread())
    return t;
  return make_race_thread();
}

void race_enable() {
  if (!g_race_on.load(std::memory_order_relaxed))
    g_race_on.store(true);
}

// True if the access at `e` happens before thread `t`'s present.
// The thread's own epochs are (its clock only grows), without a look at
// the vector: a location used by one thread at a time is the common case.
// Never called with a read-shared phase (kSharedBit), whose low bits are
// no thread's: callers test is_shared first.
bool ordered(Epoch e, const FullThread &t) {
  return epoch_tid(e) == t.tid || e == 0 ||
         epoch_clock(e) <= t.clock.get(epoch_tid(e));
}

// The innermost fearless lock the calling thread holds (0: none).
ClassId innermost_lock() {
  ThreadRecord *r = t_record;
  int d = r ? r->depth.load(std::memory_order_relaxed) : 0;
  return d > 0 ? r->held[d - 1].cls : 0;
}

static_assert(sizeof(std::source_location) == sizeof(const void *) &&
                  std::is_trivially_copyable_v<std::source_location>,
              "a source_location is one pointer (site_id keys on it)");

// A lock-free index of the interned sites, in front of the table: a site
// used under three or more locks in turn misses the thread's two-way cache
// at every first access, and must not take a mutex each time. Open
// addressing, never erased; written under sites_mu only, `id` last, so a
// reader that finds `id` set finds the slot's key complete. A site whose
// probe sequence is full is found through the table's map instead.
class SiteIndex {
public:
  RaceSite find(const void *where, ClassId lock) const {
    for (std::size_t i = 0, h = hash(where, lock); i < kProbes; ++i) {
      const Slot &slot = slots_[(h + i) & (kSlots - 1)];
      const RaceSite id = slot.id.load(std::memory_order_acquire);
      if (id == 0)
        return 0; // inserts fill the first empty slot of the sequence
      if (slot.where.load(std::memory_order_relaxed) == where &&
          slot.lock.load(std::memory_order_relaxed) == lock)
        return id;
    }
    return 0;
  }
  // Under sites_mu.
  void add(const void *where, ClassId lock, RaceSite id) {
    for (std::size_t i = 0, h = hash(where, lock); i < kProbes; ++i) {
      Slot &slot = slots_[(h + i) & (kSlots - 1)];
      if (slot.id.load(std::memory_order_relaxed) != 0)
        continue;
      slot.where.store(where, std::memory_order_relaxed);
      slot.lock.store(lock, std::memory_order_relaxed);
      slot.id.store(id, std::memory_order_release);
      return;
    }
  }

private:
  static constexpr std::size_t kSlots = std::size_t(1) << 14, kProbes = 16;
  struct Slot {
    std::atomic<const void *> where{nullptr};
    std::atomic<ClassId> lock{0};
    std::atomic<RaceSite> id{0}; ///< 0: empty
  };
  // Every bit of both halves of the key reaches the top bits kept.
  static std::size_t hash(const void *where, ClassId lock) {
    std::uint64_t h = (reinterpret_cast<std::uintptr_t>(where) ^
                       (std::uint64_t(lock) * 0xff51afd7ed558ccdull)) *
                      0x9e3779b97f4a7c15ull;
    return std::size_t(h >> 50); // 14 bits: kSlots
  }
  Slot slots_[kSlots];
};

SiteIndex &site_index() {
  static SiteIndex *i = new SiteIndex; // never destroyed, as races()
  return *i;
}

// The id of a site the index did not find: the table, under its mutex.
FEARLESS_SLOW_PATH
RaceSite intern_site(std::source_location where, ClassId lock) {
  const void *key_where = std::bit_cast<const void *>(where);
  auto &r = races();
  std::lock_guard<std::mutex> guard(r.sites_mu);
  auto key = std::make_pair(key_where, lock);
  auto it = r.site_map.find(key);
  if (it != r.site_map.end())
    return it->second;
  r.sites.emplace_back(where, lock);
  const RaceSite id = RaceSite(r.sites.size());
  r.site_map.emplace(key, id);
  site_index().add(key_where, lock, id);
  return id;
}

// site_id's second way and the global table: out of line, so that the
// slow paths' common case keeps a small frame (not cold: the second way
// is hit by a helper called under two locks in turn).
[[gnu::noinline]] RaceSite site_id_miss(FullThread::SiteSlot (&set)[2],
                                        std::source_location where,
                                        ClassId lock) {
  const void *key = std::bit_cast<const void *>(where);
  if (set[1].where != key || set[1].lock != lock || set[1].id == 0) {
    RaceSite id = site_index().find(key, lock);
    set[1] = {key, lock, id ? id : intern_site(where, lock)};
  }
  std::swap(set[0], set[1]); // the most recent first
  return set[0].id;
}

// `where` with the innermost lock held now, as the shadow keeps it: a
// lookup in the thread's cache, the global table on a miss. The slot
// depends on `where` alone, so that loading it does not wait for the
// lock's three dependent loads.
[[gnu::always_inline]] inline RaceSite site_id(FullThread &t,
                                               std::source_location where) {
  const void *key = std::bit_cast<const void *>(where);
  auto &set = t.sites[(reinterpret_cast<std::uintptr_t>(key) >> 3) & 127];
  const ClassId lock = innermost_lock();
  if (set[0].where == key && set[0].lock == lock && set[0].id != 0)
      [[likely]]
    return set[0].id;
  return site_id_miss(set, where, lock);
}

// What an interned site stands for (reports only).
std::pair<std::source_location, ClassId> site_of(RaceSite id) {
  auto &r = races();
  std::lock_guard<std::mutex> guard(r.sites_mu);
  if (id == 0 || id > r.sites.size())
    return {std::source_location{}, 0};
  return r.sites[id - 1];
}

} // namespace

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
// vector.
struct RaceCold {
  std::atomic<std::uint32_t> spin{0};
  const char *name = nullptr;
  RaceReads reads; // guarded by spin
};

namespace {

// The cold parts, by index (RaceShadow::cold): chunks of kColdChunk
// pointers, allocated as indices reach them, in a directory that never
// moves. A slot is written under `mu` before its index is published by the
// shadow's release store, and read after the acquire load of that index.
class ColdTable {
public:
  static constexpr std::uint32_t kColdChunk = 4096;
  /// 2^26 indices: 128 KiB of directory, zeroed once.
  static constexpr std::uint32_t kColdChunks = 16384;

  RaceCold *at(std::uint32_t id) const {
    return chunks_[id / kColdChunk].load(std::memory_order_acquire)
        [id % kColdChunk];
  }
  // A fresh index for `c`.
  std::uint32_t add(RaceCold *c) {
    std::lock_guard<std::mutex> guard(mu_);
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      if (next_ == kColdChunk * kColdChunks) { // all in use at once
        std::fputs("fearless: too many watched values with a name or a read "
                   "vector alive at once\n",
                   stderr);
        std::abort();
      }
      id = next_++;
    }
    auto &chunk = chunks_[id / kColdChunk];
    RaceCold **slots = chunk.load(std::memory_order_relaxed);
    if (!slots) {
      slots = new RaceCold *[kColdChunk]();
      chunk.store(slots, std::memory_order_release);
    }
    slots[id % kColdChunk] = c;
    return id;
  }
  // Deletes the cold part at `id` and frees the index.
  void remove(std::uint32_t id) {
    std::lock_guard<std::mutex> guard(mu_);
    RaceCold *&slot =
        chunks_[id / kColdChunk].load(std::memory_order_relaxed)[id % kColdChunk];
    delete slot;
    slot = nullptr;
    free_.push_back(id);
  }

private:
  std::mutex mu_;
  std::vector<std::uint32_t> free_; // guarded by mu_
  std::uint32_t next_ = 1;          // guarded by mu_; 0 is "none"
  std::atomic<RaceCold **> chunks_[kColdChunks] = {};
};

ColdTable &cold_table() {
  static ColdTable *t = new ColdTable; // never destroyed: shadows may outlive
  return *t;                           // static destruction
}

// The shadow's cold part, or nullptr.
RaceCold *cold_if_any(const RaceShadow &s) {
  std::uint32_t id = s.cold.load(std::memory_order_acquire);
  return id ? cold_table().at(id) : nullptr;
}

// The shadow's cold part, installed by the first caller that needs it.
RaceCold &cold_of(RaceShadow &s) {
  std::uint32_t id = s.cold.load(std::memory_order_acquire);
  if (id)
    return *cold_table().at(id);
  auto *fresh = new RaceCold;
  const std::uint32_t mine = cold_table().add(fresh);
  if (s.cold.compare_exchange_strong(id, mine, std::memory_order_acq_rel))
    return *fresh;
  cold_table().remove(mine); // another thread installed one first
  return *cold_table().at(id);
}

} // namespace

RaceShadow::~RaceShadow() {
  if (std::uint32_t id = cold.load(std::memory_order_acquire))
    cold_table().remove(id);
}

namespace {

// --- reports -------------------------------------------------------------

// The earlier access of a conflicting pair, copied out under the spin lock.
struct Conflict {
  bool found = false;
  bool write = false;
  Epoch epoch = 0;
  RaceSite site = 0;
};

// The earlier access of a reported pair, with its site resolved.
struct Previous {
  bool write;
  Epoch epoch;
  std::source_location site;
  ClassId lock;
};

const char *base_name(const char *file) {
  const char *slash = std::strrchr(file, '/');
  return slash ? slash + 1 : file;
}

std::string site_key(const std::source_location &s) {
  if (s.line() == 0)
    return "construction";
  return std::string(s.file_name()) + ":" + std::to_string(s.line()) + ":" +
         std::to_string(s.column());
}

std::string site_line(const std::source_location &s) {
  if (s.line() == 0)
    return "its construction";
  return std::string(s.function_name()) + " at " + base_name(s.file_name()) +
         ":" + std::to_string(s.line());
}

// The thread in slot `tid` as reports name it: its name, or "T<n>" with
// the tracker's number when it has none.
std::string slot_thread(std::uint32_t tid, std::string name = "") {
  auto &r = races();
  std::lock_guard<std::mutex> lock(r.slots_mu);
  if (name.empty())
    name = r.slots[tid].name;
  return name.empty() ? "T" + std::to_string(r.slots[tid].number) : name;
}

// What the user probably meant. Only what the two accesses themselves say
// (their kinds and the locks held), never timing: the text of a report is
// the same in every run that finds it.
std::string hint(bool cur_write, const Previous &c, ClassId cur_lock) {
  const char *prev = c.write ? "write" : "read";
  const char *cur = cur_write ? "write" : "read";
  if (c.lock != 0 && cur_lock == 0)
    return std::string("the previous ") + prev + " held '" +
           class_name_locked(c.lock) + "' but this " + cur +
           " holds no lock: take it here too (was a pointer or reference "
           "kept after its guard was dropped?)";
  if (c.lock == 0 && cur_lock != 0)
    return std::string("this ") + cur + " holds '" +
           class_name_locked(cur_lock) + "' but the previous " + prev +
           " held no lock: take it there too (was a pointer or reference "
           "kept after its guard was dropped?)";
  if (c.lock != 0 && cur_lock != 0 && c.lock != cur_lock)
    return "the two accesses hold different locks ('" +
           class_name_locked(c.lock) + "' and '" + class_name_locked(cur_lock) +
           "'): guard the value with one fearless::Mutex, always the same";
  if (cur_write && c.write)
    return "guard it with a fearless::Mutex, or hand it over through a "
           "channel so that one thread owns it at a time";
  return "guard it with a fearless::Mutex (an RwLock if reads dominate), or "
         "send the value through a channel instead of sharing it";
}

FEARLESS_SLOW_PATH
void report_race(const RaceShadow &s, bool cur_write,
                 const std::source_location &where, const Conflict &conflict,
                 const FullThread &t, const void *address, std::size_t size) {
  const auto [prev_site, prev_lock] = site_of(conflict.site);
  const Previous c{conflict.write, conflict.epoch, prev_site, prev_lock};
  {
    std::string a = site_key(where), b = site_key(c.site);
    if (b < a)
      std::swap(a, b);
    auto &r = races();
    std::lock_guard<std::mutex> lock(r.reported_mu);
    if (!r.reported.insert(a + "|" + b).second)
      return; // once per pair of sites
  }
  const std::string prev_name = slot_thread(epoch_tid(c.epoch));
  const std::string cur_name =
      slot_thread(t.tid, std::string(current_thread_name()));
  std::string prev_thread = "'" + prev_name + "'";
  std::string cur_thread = "'" + cur_name + "'";
  const char *cur = cur_write ? "write" : "read";
  const char *prev = c.write ? "write" : "read";
  char addr[32];
  std::snprintf(addr, sizeof addr, "%p", address);
  const RaceCold *cold = cold_if_any(s);
  const char *name = cold ? cold->name : nullptr;
  std::string what = name ? "'" + std::string(name) + "'"
                          : std::string("the memory at ") + addr;
  ClassId cur_lock = innermost_lock();

  std::string title = std::string(cur) + " of " + what + " by thread " +
                      cur_thread + " races with a previous " + prev +
                      " by thread " + prev_thread;
  std::string d;
  auto column = [](std::string label) { // the sites line up
    return "  " + label + std::string(16 - label.size(), ' ');
  };
  d += column("this " + std::string(cur) + ":") + site_line(where) + "\n";
  d += column("previous " + std::string(prev) + ":") + site_line(c.site) + "\n";
  d += "  location: " + (name ? "'" + std::string(name) + "', " : std::string()) +
       std::to_string(size) + " bytes at " + addr + "\n";
  d += "  no fearless synchronisation orders the two (unlock -> lock, send -> "
       "recv, spawn -> start, end -> join)\n";
  d += "  hint: " + hint(cur_write, c, cur_lock) + "\n";
  d += "  stack of this " + std::string(cur) + ":\n";
  d += format_stack(capture_stack(0), "    ");

  auto access = [](const char *kind, const std::string &thread,
                   const std::source_location &site) {
    return std::string("{\"access\":\"") + kind + "\",\"thread\":\"" +
           json_escape(thread) + "\",\"site\":\"" +
           (site.line() ? json_escape(std::string(base_name(site.file_name())) +
                                      ":" + std::to_string(site.line()))
                        : std::string("construction")) +
           "\",\"function\":\"" +
           json_escape(site.line() ? site.function_name() : "") + "\"}";
  };
  TrackerReport tr{Report{ReportKind::data_race, title, std::move(d), ""}, {}};
  if (cur_lock)
    tr.locks.push_back(class_name_locked(cur_lock));
  if (c.lock && c.lock != cur_lock)
    tr.locks.push_back(class_name_locked(c.lock));
  tr.json_extra =
      ",\"location\":\"" + json_escape(name ? name : std::string(addr)) +
      "\",\"accesses\":[" +
      access(cur, cur_name, where) + "," + access(prev, prev_name, c.site) +
      "]";
  deliver(std::move(tr));
}

// --- watch_read / watch_write ---------------------------------------------
RaceShadow *granule(std::uintptr_t g, bool create) {
  Shard &sh = races().shards[(g * 0x9e3779b97f4a7c15ull) >> 58];
  std::lock_guard<std::mutex> lock(sh.mu);
  auto it = sh.map.find(g);
  if (it != sh.map.end())
    return it->second.get();
  if (!create)
    return nullptr;
  return sh.map.emplace(g, std::make_unique<RaceShadow>())
      .first->second.get();
}

// Calls check(shadow, address) for each 8-byte granule of [p, p + n).
template <class Check>
void for_each_granule(const void *p, std::size_t n, Check check) {
  if (n == 0)
    return;
  race_enable();
  auto first = reinterpret_cast<std::uintptr_t>(p) >> 3;
  auto last = (reinterpret_cast<std::uintptr_t>(p) + n - 1) >> 3;
  for (std::uintptr_t g = first; g <= last; ++g)
    check(*granule(g, true), reinterpret_cast<const void *>(g << 3));
}

} // namespace

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

void race_construct(RaceShadow &s, const char *name) noexcept {
  race_enable();
  if (name) {
    // Complete before its index is published.
    auto *cold = new RaceCold;
    cold->name = name;
    s.cold.store(cold_table().add(cold), std::memory_order_release);
  }
  if (FullThread *t = race_thread()) {
    s.write_site.store(site_id(*t, std::source_location{}),
                       std::memory_order_relaxed);
    s.write.store(t->epoch, std::memory_order_release);
  }
}

namespace {

Conflict write_conflict(const RaceShadow &s, Epoch w) {
  return {true, true, w, s.write_site.load(std::memory_order_relaxed)};
}

Conflict read_conflict(const RaceShadow &s, Epoch r) {
  return {true, false, r, s.read_site.load(std::memory_order_relaxed)};
}

bool is_shared(Epoch r) { return (r & kSharedBit) != 0; }

// A read-shared phase never used before (see kSharedBit).
Epoch new_phase() {
  static std::atomic<std::uint64_t> last{0};
  return kSharedBit | (last.fetch_add(1, std::memory_order_relaxed) + 1);
}

// The read vector's half of a read: under the cold part's spin lock.
FEARLESS_SLOW_PATH
void read_shared(RaceShadow &s, std::source_location where, FullThread &t,
                 Conflict &c) {
  RaceCold &cold = cold_of(s);
  const RaceSite site = site_id(t, where);
  SpinGuard g(cold.spin);
  const Epoch e = t.epoch;
  for (;;) {
    Epoch r = s.read.load(std::memory_order_acquire);
    const Epoch w = s.write.load(std::memory_order_acquire);
    c = ordered(w, t) ? Conflict{} : write_conflict(s, w);
    if (is_shared(r)) {
      cold.reads.set({e, site});
      t.see(s, r);
      return;
    }
    if (ordered(r, t)) { // a write cleared the vector meanwhile
      s.read_site.store(site, std::memory_order_relaxed);
      s.read.store(e, std::memory_order_release);
      t.see(s, e);
      return;
    }
    cold.reads.entries.clear();
    cold.reads.set({r, s.read_site.load(std::memory_order_relaxed)});
    cold.reads.set({e, site});
    // A write that did not see the vector ends the phase by storing `read`
    // after `write` (race_write_slow); one that stored it before this
    // exchange makes it fail, and the read is done again against it. So a
    // phase lasts only while no write followed it, and its slots (t_seen)
    // need no copy of `write`.
    const Epoch p = new_phase();
    if (s.read.compare_exchange_strong(r, p, std::memory_order_acq_rel)) {
      t.see(s, p);
      return;
    }
  }
}

} // namespace

namespace {

// The rest of race_read_slow: a new thread, the read vector, a race.
FEARLESS_SLOW_PATH
void read_slower(RaceShadow &s, std::source_location where,
                 const void *address, std::size_t size) noexcept {
  FullThread *t = race_thread();
  if (!t)
    return;
  // The site first: nothing between the checks and the stores below may
  // wait (intern_site can take a mutex), or a write that lands in between is
  // lost for good (see race_read_slow).
  const RaceSite site = site_id(*t, where);
  const Epoch e = t->epoch;
  const Epoch r = s.read.load(std::memory_order_acquire);
  if (r == e) {
    t->see(s, e); // its slot held another location's
    return;
  }
  Conflict c;
  if (!is_shared(r) && ordered(r, *t)) {
    const Epoch w = s.write.load(std::memory_order_acquire);
    if (!ordered(w, *t))
      c = write_conflict(s, w);
    s.read_site.store(site, std::memory_order_relaxed);
    s.read.store(e, std::memory_order_release);
    t->see(s, e);
  } else {
    read_shared(s, where, *t, c);
  }
  if (c.found)
    report_race(s, false, where, c, *t, address, size);
}

} // namespace

// FastTrack's read rules: same epoch (inline), check the last write, keep
// the read as an epoch while the reads are ordered -- plain stores -- and
// in the vector once two are not. Here only the common case, a read
// ordered after the last read and write, in a frame small enough to cost
// little; read_slower does the rest.
//
// The checks and the record are separate loads and stores: a write by
// another thread that lands between them is overwritten by this read's
// epoch, and this thread's later reads in the epoch find their record and
// skip the check. That is the "same instant" limit of docs/runtime/race.md;
// the site is looked up before the checks so that the window stays a few
// instructions wide (intern_site can wait on a mutex).
void race_read_slow(RaceShadow &s, std::source_location where,
                    const void *address, std::size_t size) noexcept {
  if (FullThread *t = existing_race_thread()) [[likely]] {
    const RaceSite site = site_id(*t, where);
    const Epoch e = t->epoch;
    const Epoch r = s.read.load(std::memory_order_acquire);
    if (!is_shared(r) && ordered(r, *t) &&
        ordered(s.write.load(std::memory_order_acquire), *t)) [[likely]] {
      if (r != e) {
        s.read_site.store(site, std::memory_order_relaxed);
        s.read.store(e, std::memory_order_release);
      }
      t->see(s, e);
      return;
    }
  }
  read_slower(s, where, address, size);
}

namespace {

// The rest of race_write_slow: a new thread, the read vector, a race.
FEARLESS_SLOW_PATH
void write_slower(RaceShadow &s, std::source_location where,
                  const void *address, std::size_t size) noexcept {
  FullThread *t = race_thread();
  if (!t)
    return;
  const RaceSite site = site_id(*t, where); // before the checks: see
  const Epoch e = t->epoch;                 // race_read_slow
  const Epoch w = s.write.load(std::memory_order_acquire);
  if (w == e)
    return;
  Conflict c;
  if (!ordered(w, *t))
    c = write_conflict(s, w);
  const Epoch r = s.read.load(std::memory_order_acquire);
  if (is_shared(r)) {
    // Safety: `cold` was installed before the phase began (read_shared).
    RaceCold &cold = *cold_if_any(s);
    SpinGuard g(cold.spin);
    const Epoch now = s.read.load(std::memory_order_acquire);
    if (!c.found && now != r) {
      // Another write ended the phase meanwhile (and reads since may have
      // begun another): check that write too.
      const Epoch w2 = s.write.load(std::memory_order_acquire);
      if (!ordered(w2, *t))
        c = write_conflict(s, w2);
    }
    if (is_shared(now)) {
      for (const RaceReads::Entry &x : cold.reads.entries)
        if (!c.found && !ordered(x.epoch, *t))
          c = {true, false, x.epoch, x.site};
      cold.reads.entries.clear();
    } else if (!c.found && !ordered(now, *t)) {
      c = read_conflict(s, now);
    }
  } else if (!c.found && !ordered(r, *t)) {
    c = read_conflict(s, r);
  }
  // Every read so far is ordered before this write or reported now; a
  // later access that is ordered after the write is after them too.
  s.write_site.store(site, std::memory_order_relaxed);
  s.write.store(e, std::memory_order_release);
  // Invariant: `read` is reset after `write` is stored, so a reader that
  // still finds the read-shared phase it joined (t_seen) has either seen
  // this write or runs at the same instant as it (see read_shared).
  s.read.store(0, std::memory_order_release);
  if (c.found)
    report_race(s, true, where, c, *t, address, size);
}

} // namespace

// FastTrack's write rules: same epoch (inline), then the last write and
// every read kept must be ordered before this write. Here only the common
// case, a write ordered after them all; write_slower does the rest.
void race_write_slow(RaceShadow &s, std::source_location where,
                     const void *address, std::size_t size) noexcept {
  if (FullThread *t = existing_race_thread()) [[likely]] {
    const RaceSite site = site_id(*t, where); // before the checks: see
    const Epoch e = t->epoch;                 // race_read_slow
    const Epoch w = s.write.load(std::memory_order_acquire);
    if (w == e)
      return;
    const Epoch r = s.read.load(std::memory_order_acquire);
    if (ordered(w, *t) && !is_shared(r) && ordered(r, *t)) [[likely]] {
      s.write_site.store(site, std::memory_order_relaxed);
      s.write.store(e, std::memory_order_release);
      s.read.store(0, std::memory_order_release); // after `write`: see
      return;                                        // write_slower
    }
  }
  write_slower(s, where, address, size);
}

} // namespace fearless::detail

namespace fearless {

void watch_read(const void *p, std::size_t n, std::source_location where) {
  detail::for_each_granule(p, n, [&](detail::RaceShadow &s, const void *at) {
    detail::race_read(s, where, at, 8);
  });
}

void watch_write(const void *p, std::size_t n, std::source_location where) {
  detail::for_each_granule(p, n, [&](detail::RaceShadow &s, const void *at) {
    detail::race_write(s, where, at, 8);
  });
}

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

void unwatch(const void *p, std::size_t n) {
  if (n == 0)
    return;
  auto first = reinterpret_cast<std::uintptr_t>(p) >> 3;
  auto last = (reinterpret_cast<std::uintptr_t>(p) + n - 1) >> 3;
  for (std::uintptr_t g = first; g <= last; ++g) {
    detail::RaceShadow *s = detail::granule(g, false);
    if (!s)
      continue;
    // No access may run concurrently (the memory is being freed or
    // reused); the spin lock only keeps a stale read vector consistent.
    detail::RaceCold *cold = detail::cold_if_any(*s);
    if (!cold) {
      s->write.store(0, std::memory_order_relaxed);
      s->read.store(0, std::memory_order_relaxed);
      continue;
    }
    detail::SpinGuard guard(cold->spin);
    s->write.store(0, std::memory_order_relaxed);
    s->read.store(0, std::memory_order_relaxed);
    cold->reads.entries.clear();
  }
}

} // namespace fearless

#elif FEARLESS_DETAIL_UNDER_TSAN

// ThreadSanitizer checks the bytes itself (compiler-rt's tsan_interface.h).
extern "C" void __tsan_read_range(void *addr, unsigned long size);
extern "C" void __tsan_write_range(void *addr, unsigned long size);
extern "C" void __tsan_acquire(void *addr);
extern "C" void __tsan_release(void *addr);

namespace fearless {
void watch_read(const void *p, std::size_t n, std::source_location) {
  __tsan_read_range(const_cast<void *>(p), n);
}
void watch_write(const void *p, std::size_t n, std::source_location) {
  __tsan_write_range(const_cast<void *>(p), n);
}
void unwatch(const void *, std::size_t) {}
void sync_release(const void *tag) noexcept {
  __tsan_release(const_cast<void *>(tag));
}
void sync_acquire(const void *tag) noexcept {
  __tsan_acquire(const_cast<void *>(tag));
}
} // namespace fearless

#else // tracking compiled out

namespace fearless {
void watch_read(const void *, std::size_t, std::source_location) {}
void watch_write(const void *, std::size_t, std::source_location) {}
void unwatch(const void *, std::size_t) {}
void sync_release(const void *) noexcept {}
void sync_acquire(const void *) noexcept {}
} // namespace fearless

#endif
