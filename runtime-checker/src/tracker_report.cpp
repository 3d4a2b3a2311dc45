// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The text of the tracker's lock-order reports (tracker_report.h), made
// after global().mu is released: lockdep's shape -- the acquisition, the
// existing dependency chain with its stacks, the scenario table ending in
// *** DEADLOCK ***, the locks held.
#include "tracker_report.h"

#include <string>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {
namespace {

std::string mode_word(EdgeMode m) {
  return m == EdgeMode::shared ? "shared" : "exclusive";
}

std::string lock_word(EdgeMode m) {
  return m == EdgeMode::shared ? "read_lock" : "lock";
}

} // namespace

TrackerReport inversion_report(const RawInversion &raw) {
  const RawStep &first = raw.path.front();
  const std::string &a = first.from, &b = first.to;
  std::string d;
  d += "  thread " + thread_label(raw.thread, nullptr) +
       " is trying to acquire '" + b + "' (" + mode_word(first.acquired) +
       ")\n";
  d += "  while already holding '" + a + "' (" + mode_word(first.held) + ")";
  if (raw.has_first_site)
    d += ", acquired at " + describe_site(raw.first_pc, raw.first_ret);
  d += "\n\n  which closes this cycle of lock classes:\n    ";
  for (const RawStep &s : raw.path)
    d += "'" + s.from + "' --> ";
  d += "'" + a +
       "'\n\n  the existing dependency chain (holding --> acquiring):\n";
  for (std::size_t i = 1; i < raw.path.size(); ++i) {
    const RawStep &s = raw.path[i];
    d += "    '" + s.from + "' (" + mode_word(s.held) + ") --> '" + s.to +
         "' (" + mode_word(s.acquired) + ")";
    if (!s.known) {
      d += "\n";
      continue;
    }
    d += ", first by thread T" + std::to_string(s.first_thread & 0xffff) + "\n";
    if (i > kStepsWithStacks)
      continue;
    if (s.has_from_site)
      d += "      holding '" + s.from + "' acquired at " +
           describe_site(s.from_pc, s.from_ret) + "\n";
    if (!s.to_stack.empty()) {
      d += "      acquiring '" + s.to + "' at:\n";
      d += format_stack(s.to_stack, "        ");
    }
  }
  if (raw.path.size() > kStepsWithStacks + 1)
    d += "    (stacks shown for the first " + std::to_string(kStepsWithStacks) +
         " of " + std::to_string(raw.path.size() - 1) + " steps)\n";
  d += "\n  this acquisition of '" + b + "':\n";
  d += format_stack(raw.this_stack, "    ");

  const std::string &last = raw.path.back().from;
  auto cell = [](const std::string &s) {
    return s + std::string(s.size() < 30 ? 30 - s.size() : 1, ' ');
  };
  d += "\n  possible unsafe locking scenario:\n\n";
  d += "        " + cell("Thread A") + "Thread B\n";
  d += "        " + cell("--------") + "--------\n";
  d += "        " + lock_word(first.held) + "(" + a + ");\n";
  d += "        " + cell("") + lock_word(raw.path[1].held) + "(" + b + ");\n";
  if (raw.path.size() > 2)
    d += "        " + cell("") + "... (through '" + last + "')\n";
  d += "        " + cell("") + lock_word(raw.path.back().acquired) + "(" + a +
       ");\n";
  d += "        " + lock_word(first.acquired) + "(" + b + ");\n";
  d += "\n   *** DEADLOCK ***\n\n";
  if (!raw.more.empty()) {
    d += "  this acquisition also closes " + std::to_string(raw.more.size()) +
         " other cycle(s):\n";
    for (std::size_t i = 0; i < raw.more.size() && i < kMoreCyclesListed; ++i) {
      d += "    ";
      for (const std::string &c : raw.more[i])
        d += "'" + c + "' --> ";
      d += "'" + raw.more[i].front() + "'\n";
    }
    if (raw.more.size() > kMoreCyclesListed)
      d += "    ... and " +
           std::to_string(raw.more.size() - kMoreCyclesListed) + " more\n";
    d += "\n";
  }
  d += "  locks held by this thread:\n";
  for (const RawHeld &h : raw.held)
    d += "    '" + h.name + "' (" + mode_word(edge_mode(h.mode)) + ")" +
         (h.tried ? " by try_lock" : "") + ", acquired at " +
         describe_site(h.pc, h.ret) + "\n";

  TrackerReport tr{Report{ReportKind::possible_deadlock, "lock-order inversion",
                          std::move(d), ""},
                   {}};
  for (const RawStep &s : raw.path)
    tr.locks.push_back(s.from);
  return tr;
}

TrackerReport nesting_report(const RawNesting &raw) {
  return {Report{ReportKind::possible_deadlock, "same-class nesting",
                 "  thread " + thread_label(raw.thread, nullptr) +
                     " acquires a second lock of class '" + raw.name +
                     "' while holding one, acquired at " +
                     describe_site(raw.pc, raw.ret) +
                     "\n  two threads doing this with the instances in "
                     "opposite orders deadlock; use fearless::lock_all(), "
                     "or lock_nested() for a parent-child order\n"
                     "  this acquisition:\n" +
                     format_stack(raw.this_stack, "    "),
                 ""},
          {raw.name}};
}

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING
