// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// What the tracker's source files share: the global slow-path state and
// report delivery (the thread records are threads.h's). tracker.cpp has lock order and
// misuse; deadlock.cpp has real deadlocks (what blocked threads wait for).
#ifndef FEARLESS_SRC_TRACKER_INTERNAL_H_
#define FEARLESS_SRC_TRACKER_INTERNAL_H_

#include "fearless/detail/hooks.h"
#include "fearless/detail/lock_graph.h"
#include "fearless/report.h"
#include "fearless/thread_safety.h"
#include "stacktrace.h"
#include "threads.h"

#include <atomic>
#include <cstddef>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {

// Slow paths stay out of line: inlined, their locals would make every hook
// set up a large stack frame.
#define FEARLESS_SLOW_PATH [[gnu::noinline, gnu::cold]]

/// A lock class: its printable name; per-instance classes are forgotten
/// when their lock is destroyed. Nest levels are classes of their own
/// (`base` is then the level-0 class).
struct ClassInfo {
  std::string name;
  bool per_instance = false;
  ClassId base = 0;
  ClassId levels[kMaxSubclass + 1] = {}; // [s]: class of nest level s
};

/// The slow-path state, behind `mu`.
struct Global {
  std::mutex mu;
  LockGraph graph FEARLESS_GUARDED_BY(mu);
  /// [0] unused.
  std::vector<ClassInfo> classes FEARLESS_GUARDED_BY(mu){ClassInfo{"?"}};
  /// Construction sites (file, line, column): one class each.
  std::map<std::tuple<std::string, unsigned, unsigned>, ClassId>
      sites FEARLESS_GUARDED_BY(mu);
  /// The site classes by "basename:line", with their columns: when two
  /// share one, each is named with its column too.
  std::map<std::string, std::vector<std::pair<ClassId, unsigned>>>
      site_lines FEARLESS_GUARDED_BY(mu);
  std::map<std::string, ClassId> names FEARLESS_GUARDED_BY(mu);
  std::vector<Stack> stacks FEARLESS_GUARDED_BY(mu){{}}; ///< [0] = none
  std::set<std::vector<ClassId>> reported_cycles FEARLESS_GUARDED_BY(mu);
  std::set<std::string> reported_once FEARLESS_GUARDED_BY(mu);
  std::atomic<std::size_t> slow_paths{0};
  std::atomic<std::size_t> reports{0};
};

Global &global();

/// The class of the locks made at `file`:`line`, for callers without a
/// std::source_location (fearless_lock_init): the class on_create gives a
/// construction site there with no column, named "basename:line".
ClassId class_at_line(const std::string &file, unsigned line);
/// The class named `name`, as LockSite::name names one.
ClassId class_named(const std::string &name);

/// The name of class `c`.
std::string class_name(const Global &g, ClassId c) FEARLESS_REQUIRES(g.mu);
/// The same, taking global().mu.
std::string class_name_locked(ClassId c);

// --- held locks beyond the inline stack and across threads (held.cpp) ---

/// A lock a thread holds beyond its inline stack (kMaxHeld).
struct ExtraHeld {
  const LockState *lock = nullptr;
  LockMode mode = LockMode::exclusive;
  ClassId cls = 0;
  unsigned subclass = 0;
  bool tried = false;
  const void *pc = nullptr, *ret = nullptr;
};

/// A thread holding a lock, as others see it.
struct Holder {
  ThreadId id = 0;
  const LockState *lock = nullptr;
  LockMode mode = LockMode::exclusive;
  const void *pc = nullptr, *ret = nullptr; // where it was acquired
};

/// Forgets the extras and drops of record `t` (taken or given back).
void reset_held_extras(const ThreadRecord &t);
/// Removes `t.held[i]`; called by `t`'s own thread.
void remove_held(ThreadRecord &t, int i);
/// The owner of `t` applies the drops other threads posted for it.
void apply_drops(ThreadRecord &t);
/// The calling thread (`t`) holds one more lock beyond kMaxHeld.
void push_extra(const ThreadRecord &t, const ExtraHeld &e);
/// Removes the newest extra entry for `lock`; false if there is none.
bool pop_extra(const ThreadRecord &t, const LockState *lock, LockMode *mode);
/// True if `lock` is among `t`'s extras (its mode in `*mode`).
bool holds_extra(const ThreadRecord &t, const LockState *lock, LockMode *mode);
/// `t`'s extras, oldest first.
std::vector<ExtraHeld> extras_of(const ThreadRecord &t);
/// Every lock record `r` holds (inline and extra), without dropped ones.
std::vector<Holder> held_by(const ThreadRecord &r);
/// Every thread holding `lock`, and how.
std::vector<Holder> holders_of(const LockState *lock);
/// `lock` is no longer held by `holder` (destroyed, or released by another
/// thread): removed at once if `holder` is the calling thread, else posted.
void drop_held(ThreadId holder, const LockState *lock);

/// Thread `exiting` is about to go: if a thread waits on a channel or a
/// condvar, the watchdog looks again (deadlock.cpp).
void recheck_after_exit(const ThreadRecord &exiting);
/// Whether partial deadlocks are reported (FEARLESS_PARTIAL_DEADLOCKS).
extern std::atomic<bool> g_partial_deadlocks;

/// The registry took record `t` for a new thread (threads.cpp).
void on_record_start(const ThreadRecord &t);
/// The thread of record `r` exits: it must not hold a lock any more.
void on_record_exit(ThreadRecord &r);

/// "function at file:line" for where a lock was acquired.
std::string describe_site(const void *pc, const void *ret);

/// One access of a data race, as the JSON form lists it.
struct ReportAccess {
  std::string access;   ///< "read" or "write"
  std::string thread;   ///< as the report names it
  std::string site;     ///< "file:line", or "construction"
  std::string function; ///< empty for "construction"
};

/// A report with the machine-readable parts the JSON form carries.
struct TrackerReport {
  Report report;
  std::vector<std::string> locks; // classes involved, in cycle order
  std::string location = {};      // a data race's location
  std::vector<ReportAccess> accesses = {}; // a data race's two accesses
};

// --- the JSON writer (json.cpp) ---

/// `s` as the inside of a JSON string.
std::string json_escape(const std::string &s);
/// The report as one line of JSON (no newline), after `report.thread` is
/// filled in.
std::string report_json(const TrackerReport &tr);

/// Counts the report, applies the policy, writes the JSON line, prints.
void deliver(TrackerReport tr);

/// A misuse report, with the locks `t` holds and the current stack.
void misuse(const std::string &title, std::string details,
            const ThreadRecord *t, std::vector<std::string> locks = {});

/// The lines listing the locks `t` holds ("    'cls' (mode), acquired at").
std::string held_lines(const ThreadRecord &t);

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING

#endif // FEARLESS_SRC_TRACKER_INTERNAL_H_
