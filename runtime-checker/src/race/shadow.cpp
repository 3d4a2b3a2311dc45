// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The race detector's shadow of a watched location: FastTrack's checks
// (the out-of-line half of detail/race.h), the cold part that keeps a
// name and a read vector, and watch_read / watch_write / unwatch.
#include "race_internal.h"

#include "fearless/thread_safety.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <unordered_map>

#if FEARLESS_RACE_DETECTION

namespace fearless::detail {
namespace race {
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
    return chunks_[id / kColdChunk].load(
        std::memory_order_acquire)[id % kColdChunk];
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
    RaceCold *&slot = chunks_[id / kColdChunk].load(
        std::memory_order_relaxed)[id % kColdChunk];
    delete slot;
    slot = nullptr;
    free_.push_back(id);
  }

private:
  std::mutex mu_;
  std::vector<std::uint32_t> free_ FEARLESS_GUARDED_BY(mu_);
  std::uint32_t next_ FEARLESS_GUARDED_BY(mu_) = 1; // 0 is "none"
  std::atomic<RaceCold **> chunks_[kColdChunks] = {};
};

ColdTable &cold_table() {
  static ColdTable *t = new ColdTable; // never destroyed: shadows may outlive
  return *t;                           // static destruction
}

} // namespace

RaceCold *cold_if_any(const RaceShadow &s) {
  std::uint32_t id = s.cold.load(std::memory_order_acquire);
  return id ? cold_table().at(id) : nullptr;
}

namespace {

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

// --- granules of watch_read / watch_write ---------------------------------
constexpr std::size_t kShards = 64;
struct Shard {
  std::mutex mu;
  // Never erased (unwatch resets): a reference stays valid.
  std::unordered_map<std::uintptr_t, std::unique_ptr<RaceShadow>> map;
};

Shard *shards() {
  static Shard *s = new Shard[kShards]; // never destroyed: hooks run at exit
  return s;
}

RaceShadow *granule(std::uintptr_t g, bool create) {
  Shard &sh = shards()[(g * 0x9e3779b97f4a7c15ull) >> 58];
  std::lock_guard<std::mutex> lock(sh.mu);
  auto it = sh.map.find(g);
  if (it != sh.map.end())
    return it->second.get();
  if (!create)
    return nullptr;
  return sh.map.emplace(g, std::make_unique<RaceShadow>()).first->second.get();
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
} // namespace race

using namespace race;

RaceShadow::~RaceShadow() {
  if (std::uint32_t id = cold.load(std::memory_order_acquire))
    cold_table().remove(id);
}

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
  SpinLockGuard g(cold.spin);
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
void read_slower(RaceShadow &s, std::source_location where, const void *address,
                 std::size_t size) noexcept {
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
    SpinLockGuard g(cold.spin);
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
      return;                                     // write_slower
    }
  }
  write_slower(s, where, address, size);
}

} // namespace fearless::detail

namespace fearless {

void watch_read(const void *p, std::size_t n, std::source_location where) {
  detail::race::for_each_granule(p, n,
                                 [&](detail::RaceShadow &s, const void *at) {
                                   detail::race_read(s, where, at, 8);
                                 });
}

void watch_write(const void *p, std::size_t n, std::source_location where) {
  detail::race::for_each_granule(p, n,
                                 [&](detail::RaceShadow &s, const void *at) {
                                   detail::race_write(s, where, at, 8);
                                 });
}

void unwatch(const void *p, std::size_t n) {
  if (n == 0)
    return;
  auto first = reinterpret_cast<std::uintptr_t>(p) >> 3;
  auto last = (reinterpret_cast<std::uintptr_t>(p) + n - 1) >> 3;
  for (std::uintptr_t g = first; g <= last; ++g) {
    detail::RaceShadow *s = detail::race::granule(g, false);
    if (!s)
      continue;
    // No access may run concurrently (the memory is being freed or
    // reused); the spin lock only keeps a stale read vector consistent.
    detail::race::RaceCold *cold = detail::race::cold_if_any(*s);
    if (!cold) {
      s->write.store(0, std::memory_order_relaxed);
      s->read.store(0, std::memory_order_relaxed);
      continue;
    }
    detail::race::SpinLockGuard guard(cold->spin);
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

namespace fearless {
void watch_read(const void *p, std::size_t n, std::source_location) {
  __tsan_read_range(const_cast<void *>(p), n);
}
void watch_write(const void *p, std::size_t n, std::source_location) {
  __tsan_write_range(const_cast<void *>(p), n);
}
void unwatch(const void *, std::size_t) {}
} // namespace fearless

#else // tracking compiled out

namespace fearless {
void watch_read(const void *, std::size_t, std::source_location) {}
void watch_write(const void *, std::size_t, std::source_location) {}
void unwatch(const void *, std::size_t) {}
} // namespace fearless

#endif
