// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The race detector's sites: each access site (a source location with the
// innermost lock held there) interned as a small number that the shadow
// keeps, looked up in the thread's cache (site_id, race_internal.h), a
// lock-free index, then a table under a mutex.
#include "race_internal.h"

#include "fearless/thread_safety.h"

#include <deque>
#include <map>
#include <mutex>
#include <type_traits>

#if FEARLESS_RACE_DETECTION

namespace fearless::detail::race {
namespace {

static_assert(sizeof(std::source_location) == sizeof(const void *) &&
                  std::is_trivially_copyable_v<std::source_location>,
              "a source_location is one pointer (site_id keys on it)");

// A lock-free index of the interned sites, in front of the table: a site
// used under three or more locks in turn misses the thread's two-way cache
// at every first access, and must not take a mutex each time. Open
// addressing, never erased; written under the table's mutex only, `id` last, so
// a reader that finds `id` set finds the slot's key complete. A site whose
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
  // Under the table's mutex.
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
  static SiteIndex *i = new SiteIndex; // never destroyed: hooks run at exit
  return *i;
}

// The id of a site the index did not find: the table, under its mutex.

struct Sites {
  std::mutex mu;
  /// RaceSite n is sites[n - 1]; never shrinks.
  std::deque<std::pair<std::source_location, ClassId>>
      sites FEARLESS_GUARDED_BY(mu);
  std::map<std::pair<const void *, ClassId>, RaceSite>
      map FEARLESS_GUARDED_BY(mu);
};

Sites &sites() {
  static Sites *s = new Sites; // never destroyed, as site_index()
  return *s;
}

FEARLESS_SLOW_PATH
RaceSite intern_site(std::source_location where, ClassId lock) {
  const void *key_where = std::bit_cast<const void *>(where);
  auto &r = sites();
  std::lock_guard<std::mutex> guard(r.mu);
  auto key = std::make_pair(key_where, lock);
  auto it = r.map.find(key);
  if (it != r.map.end())
    return it->second;
  r.sites.emplace_back(where, lock);
  const RaceSite id = RaceSite(r.sites.size());
  r.map.emplace(key, id);
  site_index().add(key_where, lock, id);
  return id;
}

} // namespace

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

// What an interned site stands for (reports only).
std::pair<std::source_location, ClassId> site_of(RaceSite id) {
  auto &r = sites();
  std::lock_guard<std::mutex> guard(r.mu);
  if (id == 0 || id > r.sites.size())
    return {std::source_location{}, 0};
  return r.sites[id - 1];
}

} // namespace fearless::detail::race

#endif // FEARLESS_RACE_DETECTION
