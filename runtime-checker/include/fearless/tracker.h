// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/tracker.h - the lock-order and deadlock tracker (docs/runtime/tracker.md).
//
// Every fearless lock reports its acquisitions and releases to the tracker
// (through detail/hooks.h). The tracker finds deadlocks before they hang:
//
//  * a lock-order inversion is reported the first time both orders have been
//    seen, even if this run never deadlocked ("fearless: possible deadlock
//    (lock-order inversion)");
//  * a thread about to block on a lock held by a thread that is itself
//    blocked, in a cycle, is reported at once ("fearless: deadlock");
//  * misuse: double lock, unlock of a lock not held, unlock on another
//    thread, destroying a locked lock, a thread exiting with locks held
//    ("fearless: misuse: ...").
//
// Locks are grouped in classes: by default the source line that constructed
// them, so locks made at one site (in a loop, per object) share a class and
// an inversion between two *instances* is still caught. Locks whose site is
// unknown, and every lock in ClassMode::instance, are classes of their own.
//
// Configuration, in code or by environment variables read at start-up:
//
//   FEARLESS_ON_DEADLOCK=ignore|report|abort   what a report does (default: report)
//   FEARLESS_REPORT_JSON=path                  also append one JSON object per report
//   FEARLESS_LOCK_GRAPH=path.dot               write the lock-order graph at exit
//   FEARLESS_SINGLE_THREAD_CYCLES=ignore|report  cycles one thread made alone
//                                              (default: ignore; lockdep: report)
//   FEARLESS_PARTIAL_DEADLOCKS=ignore|report   a thread blocked forever on a
//                                              channel or condvar while others
//                                              still run (default: report)
//
// A malformed value is an error at start-up (message on stderr, exit code 2).
//
// Compiled out entirely with FEARLESS_LOCK_TRACKING=0.
#ifndef FEARLESS_TRACKER_H_
#define FEARLESS_TRACKER_H_

#include <cstddef>
#include <string>

namespace fearless {

/// What the tracker does with a report.
enum class Policy {
  ignore,   ///< nothing
  report,   ///< print it (or hand it to the report handler, see report.h)
  abort,    ///< print it, then std::abort()
  callback, ///< only hand it to the report handler (report.h)
};

/// Sets the policy for every tracker report; returns the previous one.
/// Blocks: no. Example: `fearless::set_policy(fearless::Policy::abort);`
Policy set_policy(Policy policy) noexcept;

/// The policy in force.
Policy policy() noexcept;

/// Whether a cycle all of whose edges one thread made is reported. By
/// default it is not: one thread cannot run against itself, so the cycle is
/// reported only once a second thread makes one of its edges (TSan users'
/// most common false positive otherwise). Linux lockdep reports it at once;
/// `true` does the same, for users who want lockdep's strictness. Returns
/// the previous setting. Blocks: no.
bool set_report_single_thread_cycles(bool report) noexcept;

/// Whether a thread blocked forever on a channel or condvar is reported
/// while other threads still run (a partial deadlock, Go's "goroutine
/// leak"): when no thread that can still run can reach a handle of the
/// other side, or the condvar -- none was started by, or synchronised
/// through a fearless primitive with, a thread that held it since it was
/// made. Synchronisation fearless does not see (plain atomics, a lock-free
/// queue, std::mutex without the preload) can hand a handle over unseen:
/// `false` then keeps to the "every thread is blocked" rule. Default: true.
/// Returns the previous setting. Blocks: no.
bool set_report_partial_deadlocks(bool report) noexcept;

/// How new locks are grouped into classes.
enum class ClassMode {
  site,     ///< by construction site (default), as lockdep does
  instance, ///< each lock is its own class; forgotten when destroyed
};

/// Sets the class mode for locks constructed from now on; returns the old one.
ClassMode set_class_mode(ClassMode mode) noexcept;

/// Numbers for tests and benchmarks.
struct TrackerStats {
  std::size_t classes = 0;      ///< lock classes known
  std::size_t edges = 0;        ///< edges in the lock-order graph
  std::size_t graph_bytes = 0;  ///< memory used by the graph, roughly
  std::size_t slow_paths = 0;   ///< acquisitions that took the graph lock
  std::size_t reports = 0;      ///< reports made (before the policy applied)
};
TrackerStats tracker_stats();

/// The lock-order graph in Graphviz DOT.
std::string lock_graph_dot();

} // namespace fearless

#endif // FEARLESS_TRACKER_H_
