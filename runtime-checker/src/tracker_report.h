// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The tracker's lock-order reports: what is copied under global().mu
// (tracker.cpp) and the text made from it after the lock is released
// (tracker_report.cpp).
#ifndef FEARLESS_SRC_TRACKER_REPORT_H_
#define FEARLESS_SRC_TRACKER_REPORT_H_

#include "tracker_internal.h"

#include <cstddef>
#include <string>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {

inline EdgeMode edge_mode(LockMode m) {
  return m == LockMode::shared ? EdgeMode::shared : EdgeMode::exclusive;
}

// A report is built in two halves: under global().mu only what the graph
// and the class table hold is copied (names, modes, raw code addresses);
// symbolising and formatting run after the lock is released, so another
// thread's new chain never waits while a report is written (DESIGN.md
// section 15's rule, and the reason a long cycle cannot stall the process).

// One step of the existing chain, as copied under the lock.
struct RawStep {
  std::string from, to;
  EdgeMode held = EdgeMode::exclusive, acquired = EdgeMode::exclusive;
  bool known = false; // the edge is in the graph (always, but be safe)
  ThreadId first_thread = 0;
  const void *from_pc = nullptr, *from_ret = nullptr; // holding site
  bool has_from_site = false;
  Stack to_stack; // where the acquisition was made
};

// One lock the reporting thread holds.
struct RawHeld {
  std::string name;
  LockMode mode = LockMode::exclusive;
  bool tried = false;
  const void *pc = nullptr, *ret = nullptr;
};

// Everything one inversion report needs, with no symbol looked up yet.
struct RawInversion {
  ThreadId thread = 0;
  std::vector<RawStep> path; // path[0] is the new edge
  const void *first_pc = nullptr, *first_ret = nullptr; // holding path[0]
  bool has_first_site = false;
  Stack this_stack;
  std::vector<RawHeld> held;
  /// Other cycles the same acquisition closed: their classes, in order.
  std::vector<std::vector<std::string>> more;
};

// Cycle steps printed with their stacks; the rest get one line each.
inline constexpr std::size_t kStepsWithStacks = 8;
// Further cycles closed by one acquisition that a report lists by name.
inline constexpr std::size_t kMoreCyclesListed = 8;

// A same-class nesting, as copied under the lock.
struct RawNesting {
  ThreadId thread = 0;
  std::string name;
  const void *pc = nullptr, *ret = nullptr; // the first lock's acquisition
  Stack this_stack;
};

/// The report for a cycle: symbolises and formats. Called without the lock.
TrackerReport inversion_report(const RawInversion &raw);
/// The report for a same-class nesting. Called without the lock.
TrackerReport nesting_report(const RawNesting &raw);

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING

#endif // FEARLESS_SRC_TRACKER_REPORT_H_
