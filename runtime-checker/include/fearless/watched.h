// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/watched.h - data the race detector watches (docs/runtime/race.md).
//
// `Mutex<T>` makes the data it owns race-free by construction; data handed
// between threads some other way (a channel, a shared pointer, a reference
// kept "just a little longer") is not. Wrap such data in a Watched<T>, or
// watch a plain object's bytes by hand, and every access is checked at run
// time against the happens-before order the fearless primitives create
// (unlock -> lock, send -> recv, spawn -> start, end -> join; see
// docs/runtime/race.md). Two accesses to the same data, at least one a
// write, that this order does not sort are reported as
//
//   fearless: data race
//
// with both accesses' sites and threads, once per pair of sites, under the
// tracker's policy (fearless::set_policy, FEARLESS_ON_DEADLOCK) and JSON
// output (FEARLESS_REPORT_JSON).
//
//   fearless::Watched<int> hits{fearless::named("hits"), 0};
//   auto h = fearless::spawn([&] { hits.set(1); });  // spawn orders it
//   h.join();
//   int n = hits.get();                               // join orders it
//
// Under ThreadSanitizer the accessors are plain accesses that TSan itself
// checks, and watch_read/watch_write forward to TSan: one detector, not two.
// With FEARLESS_LOCK_TRACKING=0 everything here is a plain cell and no-ops.
#ifndef FEARLESS_WATCHED_H_
#define FEARLESS_WATCHED_H_

#include "fearless/detail/race.h"
#include "fearless/send_sync.h"

#include <concepts>
#include <cstddef>
#include <functional>
#include <source_location>
#include <type_traits>
#include <utility>

namespace fearless {

/// A name for a Watched value in reports: `fearless::named("hits")`.
struct WatchName {
  const char *name; ///< static storage: reports print it later
};

/// `Watched<int> hits{fearless::named("hits"), 0}` names the value "hits"
/// in reports (otherwise it is named by its type and address).
constexpr WatchName named(const char *name) noexcept { return {name}; }

/// A value whose every access is checked for data races.
///
/// What it does: get/inspect are checked reads, set/update checked writes
/// (FastTrack's rules: the last write's epoch, the last read's epoch or, for
/// reads by several threads at once, a vector of them). An access that the
/// fearless happens-before order does not place after a conflicting one is
/// a `fearless: data race` report. Construction counts as a write by the
/// constructing thread.
///
/// Blocks: never (a short spin on the value's own shadow state at most).
/// Errors: none; a race is a report, not an exception.
/// Aborts: only under Policy::abort (FEARLESS_ON_DEADLOCK=abort).
///
/// Not guaranteed: only accesses made through the accessors are seen (a
/// pointer or reference taken inside update()/inspect() and used after it
/// returns is not); synchronisation the fearless primitives do not make
/// (std::mutex, std::atomic, std::latch, std::thread) is not seen either,
/// so accesses ordered only by it are reported as races.
/// Watched itself does no locking: it is not a way to make sharing safe,
/// only a way to be told when it is not.
///
/// Example:
///
///   fearless::Watched<std::vector<int>> log{fearless::named("log")};
///   log.update([](std::vector<int> &v) { v.push_back(1); });
///   std::size_t n = log.inspect([](const auto &v) { return v.size(); });
template <class T> class Watched {
  FEARLESS_SEND_IF(fearless::Send<T>); // the value moves with the cell
  // Escape hatch: Watched does no locking, yet it may be shared like a
  // ThreadSafe type, because every access through it is checked at run
  // time -- sharing it unsynchronised is what the detector is there to see.
  FEARLESS_THREAD_SAFE_IF(fearless::Send<T>);

public:
  /// A watched T constructed in place from `args`.
  template <class... Args>
  requires std::constructible_from<T, Args...>
  explicit Watched(Args &&...args) : value_(std::forward<Args>(args)...) {
    detail::race_construct(shadow_, nullptr);
  }
  /// The same, named `name.name` in reports.
  template <class... Args>
  requires std::constructible_from<T, Args...>
  explicit Watched(WatchName name, Args &&...args)
      : value_(std::forward<Args>(args)...) {
    detail::race_construct(shadow_, name.name);
  }

  // A cell is shared by reference, never copied: a copy would be an
  // unchecked read of the original.
  Watched(const Watched &) = delete;
  Watched &operator=(const Watched &) = delete;

  /// A checked read; returns a copy of the value.
  T get(std::source_location where = std::source_location::current()) const {
    detail::race_read(shadow_, where, &value_, sizeof(T));
    return value_;
  }

  /// A checked write of `v`.
  void set(T v, std::source_location where = std::source_location::current()) {
    detail::race_write(shadow_, where, &value_, sizeof(T));
    value_ = std::move(v);
  }

  /// A checked write: calls `f(T&)` and returns what it returns.
  template <class F>
  requires std::invocable<F &, T &>
  decltype(auto)
  update(F &&f, std::source_location where = std::source_location::current()) {
    detail::race_write(shadow_, where, &value_, sizeof(T));
    return std::invoke(f, value_);
  }

  /// A checked read: calls `f(const T&)` and returns what it returns.
  template <class F>
  requires std::invocable<F &, const T &>
  decltype(auto)
  inspect(F &&f,
          std::source_location where = std::source_location::current()) const {
    detail::race_read(shadow_, where, &value_, sizeof(T));
    return std::invoke(f, std::as_const(value_));
  }

private:
  // The shadow first: a small value_ fits in its tail padding.
  [[no_unique_address]] mutable detail::RaceShadow shadow_;
  T value_;
};

/// Checks a read of the `n` bytes at `p`, for code that cannot change its
/// types to Watched<T>. The bytes are tracked in aligned 8-byte words: two
/// objects sharing a word count as one.
///
/// Blocks: briefly (a lookup in a sharded table). Errors: none.
/// Example: `fearless::watch_read(&cfg.limit, sizeof cfg.limit);`
void watch_read(const void *p, std::size_t n,
                std::source_location where = std::source_location::current());

/// Checks a write of the `n` bytes at `p` (see watch_read).
/// Example: `fearless::watch_write(buf, len); std::memcpy(buf, src, len);`
void watch_write(const void *p, std::size_t n,
                 std::source_location where = std::source_location::current());

/// Forgets the history of the `n` bytes at `p`: call it when the memory is
/// freed or reused for another object, so the next access starts clean.
///
/// Not guaranteed: without it, a new object at a reused address inherits
/// the old one's accesses (a false report if the old ones were unordered).
void unwatch(const void *p, std::size_t n);

/// Happens-before for synchronisation fearless does not make itself
/// (`std::thread`, `std::mutex`, atomics, a library's own queue): what the
/// calling thread did before `sync_release(tag)` is ordered before what any
/// thread does after a later `sync_acquire(tag)` with the same `tag` (any
/// stable address, e.g. the `std::mutex` or the queue). Call release right
/// before the real synchronisation (the unlock, the store, the push) and
/// acquire right after its counterpart (the lock, the load that saw it, the
/// pop). Under ThreadSanitizer they forward to `__tsan_release` /
/// `__tsan_acquire`; with tracking compiled out they do nothing.
///
/// Blocks: no (a short internal lock the first time a tag is used).
/// Not guaranteed: a tag's clock is kept for the life of the process.
///
/// Example:
///
///   std::mutex mu;                          // not a fearless primitive
///   { std::lock_guard lk(mu); fearless::sync_acquire(&mu);
///     hits.set(hits.get() + 1); fearless::sync_release(&mu); }
void sync_release(const void *tag) noexcept;
/// See sync_release.
void sync_acquire(const void *tag) noexcept;

} // namespace fearless

#endif // FEARLESS_WATCHED_H_
