// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/race.h - the race detector's inline access checks.
//
// FastTrack (Flanagan and Freund, PLDI 2009): each watched location keeps
// the epoch (clock@thread) of its last write and of its last read -- or,
// while several threads read it unordered, a vector of read epochs. An
// access in the same epoch as the one recorded needs no check at all: a
// relaxed load, a thread-local load, one compare (a read compares `read`
// with the thread's slot for the location in t_seen, a write compares
// `write` with the thread's epoch). Everything else goes out of line
// (src/race/shadow.cpp); the read vector takes a spin lock in the shadow's
// cold part.
//
// Under ThreadSanitizer the checks are empty: Watched's accesses are plain
// loads and stores that TSan instruments itself.
#ifndef FEARLESS_DETAIL_RACE_H_
#define FEARLESS_DETAIL_RACE_H_

#include "fearless/detail/race_hooks.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <source_location>

namespace fearless::detail {

#if FEARLESS_RACE_DETECTION
/// clock << 16 | thread slot; 0 = none.
using Epoch = std::uint64_t;

struct RaceShadow;

/// What the slow paths keep of the calling thread (src/race/race_internal.h).
struct RaceThread {
  Epoch epoch = 0; ///< this thread's current epoch
};

/// `t_race->epoch`, or kNoEpoch without one: the same-epoch checks load
/// one thread-local instead of two dependent ones.
inline constexpr Epoch kNoEpoch = ~Epoch(0) - 1; // no thread, no location

/// Slots of a thread's cache of locations read this epoch.
inline constexpr std::size_t kSeenSlots = 128;

/// What the calling thread read in its current epoch, direct-mapped by
/// the shadow's address: a slot holds the value the location's `read` had
/// right after this thread's read was recorded -- the thread's epoch, or a
/// read-shared phase (kSharedBit). A read finds `read` equal to its slot
/// when it was recorded this epoch and nothing replaced the record since:
/// FastTrack's "same epoch" for one reader and for the read vector alike,
/// with one compare. A slot never holds another thread's epoch, and a
/// phase belongs to one location, so a slot shared by two locations can
/// only miss. A release (src/race/race_internal.h, FullThread::tick) empties
/// the slots it filled.
struct RaceSeen {
  Epoch slot[kSeenSlots];
  constexpr RaceSeen() : slot{} {
    for (Epoch &e : slot)
      e = kNoEpoch; // never a location's `read`
  }
};
inline constinit thread_local RaceSeen t_seen;

/// The calling thread's race state; nullptr until its first slow path.
inline constinit thread_local RaceThread *t_race = nullptr;
inline constinit thread_local Epoch t_epoch = kNoEpoch;

/// An access's site and the innermost fearless lock held at it, interned
/// (src/race/sites.cpp): 4 bytes in the shadow instead of 12. 0: none yet.
using RaceSite = std::uint32_t;

/// The shadow state of one watched location: 28 bytes and 4 of tail
/// padding, which Watched<T> fills with a small T ([[no_unique_address]]):
/// a Watched<int> is 32 bytes, and eight of them span four cache lines.
/// What only reports and the read vector need is out of line (`cold`).
///
/// Invariant: only `write` equal to the calling thread's own epoch, or
/// `read` equal to its t_seen slot (its own epoch, or a read-shared phase
/// it joined this epoch), lets the inline checks skip work; no other
/// thread can store that epoch, and a phase ends at the first write after
/// it began and never comes back. The common updates (an epoch replacing
/// an ordered one) are plain stores, not read-modify-writes; the cold
/// part's spin lock guards the read vector and the transitions to and from
/// it. Two accesses that nothing orders -- not even a std::atomic or a
/// std::latch -- and that run at the very same moment may overwrite each
/// other's record (ThreadSanitizer's shadow has the same limit), and the
/// survivor's thread then skips its further accesses to the location until
/// its next release (a missed race, never a false one). The slow paths keep
/// that window to a few instructions: nothing between their checks and
/// their stores may wait.
struct RaceShadow {
  RaceShadow() = default;
  RaceShadow(const RaceShadow &) = delete;
  RaceShadow &operator=(const RaceShadow &) = delete;
  ~RaceShadow();

  std::atomic<Epoch> write{0}; ///< last write's epoch
  std::atomic<Epoch> read{0};  ///< last read's epoch; kSharedBit: the vector
  std::atomic<RaceSite> write_site{0};
  std::atomic<RaceSite> read_site{0};
  /// The index of the cold part (src/race/shadow.cpp: the name, the read
  /// vector, its spin lock); 0: none yet. Installed once -- a name at
  /// construction, or the first read-shared phase -- and freed with the
  /// shadow.
  std::atomic<std::uint32_t> cold{0};
};

static_assert(alignof(RaceShadow) % sizeof(Epoch) == 0,
              "seen_slot's offset is a whole slot");

/// Set in `read` while the reads are kept in the vector (read-shared):
/// the rest is the phase, unique in the process, so that a write, which
/// ends the phase, makes every thread's t_seen slot for it miss.
inline constexpr Epoch kSharedBit = Epoch(1) << 63;

/// A watched value was constructed (a write by this thread), named `name`
/// (static storage) or nullptr.
void race_construct(RaceShadow &s, const char *name) noexcept;
// `where` by value: it is one pointer, passed in a register, where a
// reference would make every inline check store it to the stack. `address`
// and `size`, the watched bytes, are for reports only.
void race_read_slow(RaceShadow &s, std::source_location where,
                    const void *address, std::size_t size) noexcept;
void race_write_slow(RaceShadow &s, std::source_location where,
                     const void *address, std::size_t size) noexcept;

[[gnu::always_inline]] inline Epoch &seen_slot(const RaceShadow &s) {
  // Slot (address / 8) % kSeenSlots, as a byte offset: one `and`.
  const std::uintptr_t offset =
      reinterpret_cast<std::uintptr_t>(&s) & ((kSeenSlots - 1) * sizeof(Epoch));
  return *reinterpret_cast<Epoch *>(reinterpret_cast<char *>(t_seen.slot) +
                                    offset);
}

[[gnu::always_inline]] inline void race_read(RaceShadow &s,
                                             std::source_location where,
                                             const void *address,
                                             std::size_t size) noexcept {
  if (s.read.load(std::memory_order_relaxed) == seen_slot(s)) [[likely]]
    return; // read in this epoch already, and no write since
  race_read_slow(s, where, address, size);
}

[[gnu::always_inline]] inline void race_write(RaceShadow &s,
                                              std::source_location where,
                                              const void *address,
                                              std::size_t size) noexcept {
  if (s.write.load(std::memory_order_relaxed) == t_epoch)
    return; // written in this epoch already
  race_write_slow(s, where, address, size);
}
#else
struct RaceShadow {};
inline void race_construct(RaceShadow &, const char *) noexcept {}
inline void race_read(RaceShadow &, std::source_location, const void *,
                      std::size_t) noexcept {}
inline void race_write(RaceShadow &, std::source_location, const void *,
                       std::size_t) noexcept {}
#endif

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_RACE_H_
