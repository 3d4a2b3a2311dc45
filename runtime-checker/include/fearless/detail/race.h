// fearless/detail/race.h - the race detector's inline access checks.
//
// FastTrack (Flanagan and Freund, PLDI 2009): each watched location keeps
// the epoch (clock@thread) of its last write and of its last read -- or,
// while several threads read it unordered, a vector of read epochs. An
// access in the same epoch as the one recorded needs no check at all: one
// thread-local load, one relaxed load, one compare. Everything else goes
// out of line (src/race.cpp) and takes the location's spin lock.
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

/// Slots of a thread's cache of read-shared locations read this epoch.
inline constexpr std::size_t kSeenSlots = 64;

/// What the slow paths keep of the calling thread (src/race.cpp).
struct RaceThread {
  Epoch epoch = 0; ///< this thread's current epoch
};

/// A location in the read-shared state (a read vector) that this thread
/// read in `epoch` while its last write was `write`: FastTrack's "read
/// shared, same epoch" without touching the vector.
struct RaceSeen {
  const RaceShadow *shadow = nullptr;
  Epoch epoch = 0;
  Epoch write = 0;
};
/// The calling thread's RaceSeen cache, direct-mapped by address.
inline constinit thread_local RaceSeen t_seen[kSeenSlots] = {};

/// The calling thread's race state; nullptr until its first slow path.
inline constinit thread_local RaceThread *t_race = nullptr;
/// `t_race->epoch`, or kNoEpoch without one: the same-epoch checks load
/// one thread-local instead of two dependent ones.
inline constexpr Epoch kNoEpoch = ~Epoch(0) - 1; // no thread, no location
inline constinit thread_local Epoch t_epoch = kNoEpoch;

struct RaceReads; // src/race.cpp: the read vector

/// The shadow state of one watched location.
///
/// Invariant: only `read`/`write` equal to the calling thread's own epoch
/// lets the inline checks skip work, and no other thread can store that
/// value. The common updates (an epoch replacing an ordered one) are plain
/// stores, not read-modify-writes; `spin` guards the read vector and the
/// transitions to and from it. Two accesses that nothing orders -- not even
/// a std::atomic or a std::latch -- and that run at the very same moment
/// may overwrite each other's record (ThreadSanitizer's shadow has the
/// same limit); accesses ordered in time by anything are always compared.
struct RaceShadow {
  RaceShadow() = default;
  RaceShadow(const RaceShadow &) = delete;
  RaceShadow &operator=(const RaceShadow &) = delete;
  ~RaceShadow();

  std::atomic<Epoch> write{0}; ///< last write's epoch
  std::atomic<Epoch> read{0};  ///< last read's epoch; kReadShared: `reads`
  /// line 0: construction (or unknown)
  std::atomic<std::source_location> write_site{};
  std::atomic<std::source_location> read_site{};
  std::atomic<std::uint32_t> write_lock{0}; ///< innermost lock class held
  std::atomic<std::uint32_t> read_lock{0};
  std::atomic<std::uint32_t> spin{0};
  RaceReads *reads = nullptr; ///< guarded by spin
  // Set once, before the location is shared.
  const char *name = nullptr;
  const void *address = nullptr;
  std::size_t size = 0;
};

/// `read` when the reads are kept in the vector.
inline constexpr Epoch kReadShared = ~Epoch(0);

/// A watched value was constructed at `address` (a write by this thread).
void race_construct(RaceShadow &s, const char *name, const void *address,
                    std::size_t size) noexcept;
void race_read_slow(RaceShadow &s, const std::source_location &where) noexcept;
void race_write_slow(RaceShadow &s, const std::source_location &where) noexcept;

[[gnu::always_inline]] inline RaceSeen &seen_slot(const RaceShadow &s) {
  return t_seen[(reinterpret_cast<std::uintptr_t>(&s) >> 4) & (kSeenSlots - 1)];
}

[[gnu::always_inline]] inline void
race_read(RaceShadow &s, const std::source_location &where) noexcept {
  const Epoch e = t_epoch;
  const Epoch r = s.read.load(std::memory_order_relaxed);
  if (r == e)
    return; // read in this epoch already
  if (r == kReadShared) {
    const RaceSeen &c = seen_slot(s); // never kNoEpoch: no false hit
    if (c.shadow == &s && c.epoch == e &&
        c.write == s.write.load(std::memory_order_relaxed))
      return; // in the read vector for this epoch, no write since
  }
  race_read_slow(s, where);
}

[[gnu::always_inline]] inline void
race_write(RaceShadow &s, const std::source_location &where) noexcept {
  if (s.write.load(std::memory_order_relaxed) == t_epoch)
    return; // written in this epoch already
  race_write_slow(s, where);
}
#else
struct RaceShadow {};
inline void race_construct(RaceShadow &, const char *, const void *,
                           std::size_t) noexcept {}
inline void race_read(RaceShadow &, const std::source_location &) noexcept {}
inline void race_write(RaceShadow &, const std::source_location &) noexcept {}
#endif

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_RACE_H_
