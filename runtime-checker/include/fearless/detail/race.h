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

/// What the inline checks need of the calling thread.
struct RaceThread {
  Epoch epoch = 0; ///< this thread's current epoch
};

/// The calling thread's race state; nullptr until its first slow path.
inline constinit thread_local RaceThread *t_race = nullptr;

struct RaceReads; // src/race.cpp: the read vector

/// The shadow state of one watched location.
///
/// Invariant: `write` and `read` change only under `spin`; the inline
/// checks read them without it and only ever skip work on equality with
/// their own thread's epoch, which no other thread can write.
struct RaceShadow {
  RaceShadow() = default;
  RaceShadow(const RaceShadow &) = delete;
  RaceShadow &operator=(const RaceShadow &) = delete;
  ~RaceShadow();

  std::atomic<Epoch> write{0}; ///< last write's epoch
  std::atomic<Epoch> read{0};  ///< last read's epoch; kReadShared: `reads`
  std::atomic<std::uint32_t> spin{0};
  // Guarded by spin.
  RaceReads *reads = nullptr;
  std::source_location write_site{}; ///< line 0: construction (or unknown)
  std::source_location read_site{};
  std::uint32_t write_lock = 0; ///< innermost lock class held, 0: none
  std::uint32_t read_lock = 0;
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

[[gnu::always_inline]] inline void
race_read(RaceShadow &s, const std::source_location &where) noexcept {
  RaceThread *t = t_race;
  if (t != nullptr && s.read.load(std::memory_order_relaxed) == t->epoch)
    return; // read in this epoch already
  race_read_slow(s, where);
}

[[gnu::always_inline]] inline void
race_write(RaceShadow &s, const std::source_location &where) noexcept {
  RaceThread *t = t_race;
  if (t != nullptr && s.write.load(std::memory_order_relaxed) == t->epoch)
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
