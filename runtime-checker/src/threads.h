// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The thread registry: every thread the runtime knows, for the tracker and
// the race detector alike (ThreadSanitizer's ThreadRegistry). A thread gets
// a record (ThreadRecord, detail/hooks.h) on its first tracked operation and
// gives it back when it exits; the race detector's vector clocks are indexed
// by a clock slot the registry also hands out, which keeps the thread's name
// after it has exited, for reports about its accesses.
#ifndef FEARLESS_SRC_THREADS_H_
#define FEARLESS_SRC_THREADS_H_

#include "fearless/detail/hooks.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {

/// Thread records; ids carry the slot index in the low 16 bits.
inline constexpr std::size_t kMaxThreads = 1024;
extern ThreadRecord g_threads[kMaxThreads];
/// One past the highest slot ever used (scans stop there).
extern std::atomic<std::size_t> g_threads_used;

/// The record with `id`, or nullptr if that thread is gone.
ThreadRecord *record_of(ThreadId id);

/// The calling thread's record, made on first use; nullptr once the thread
/// is exiting or when every slot is taken.
ThreadRecord *record();

/// "'name'" of a thread record, or "T<n>" for an unnamed thread.
std::string thread_label(ThreadId id, const char *name);

#if FEARLESS_RACE_DETECTION

/// A clock slot for the calling thread (1 .. 4095), or 0 when every slot is
/// taken. `*last` is the clock the slot's previous thread ended with: a
/// slot's clock only grows. A slot is reused only after 256 threads have
/// had one, and then the one freed longest ago.
std::uint32_t take_clock_slot(std::uint64_t *last);
/// Gives `slot` back at thread exit, with the clock its thread ended with.
void give_back_clock_slot(std::uint32_t slot, std::uint64_t last);
/// The thread of clock slot `slot` as reports name it: `name` if given,
/// else its name, or "T<n>" with its record's number when it has none.
std::string clock_slot_label(std::uint32_t slot, std::string name = "");

#endif // FEARLESS_RACE_DETECTION

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING

#endif // FEARLESS_SRC_THREADS_H_
