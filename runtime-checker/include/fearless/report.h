// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/report.h - how the runtime tells the user about misuse.
//
// A report is printed to stderr with a fixed, greppable first line
//
//   fearless: misuse: condvar used with two different mutexes
//
// followed by indented detail lines. Tests (and later the tracker's report
// policy) install a handler to capture reports instead.
#ifndef FEARLESS_REPORT_H_
#define FEARLESS_REPORT_H_

#include <functional>
#include <string>
#include <string_view>

namespace fearless {

/// What a report is about; its text is the second word of the first line.
enum class ReportKind {
  misuse,            ///< "misuse": an API used in a way that is always a bug
  thread_exception,  ///< "thread exception": a detached thread threw
  possible_deadlock, ///< "possible deadlock (<title>)": e.g. a lock-order
                     ///< inversion, reported before it ever hangs
  deadlock,          ///< "deadlock": threads are blocked on each other now
  data_race,         ///< "data race": two unordered accesses to watched data,
                     ///< one a write (fearless/watched.h)
};

/// The text of `kind` as printed in a report's first line.
std::string_view to_string(ReportKind kind) noexcept;

/// One report.
struct Report {
  ReportKind kind;
  std::string title;   ///< first line after "fearless: <kind>: "
  std::string details; ///< further lines, each ending in '\n' (may be empty)
  std::string thread;  ///< name of the reporting thread ("" if unnamed)

  /// The full text: the first line, then the details. The first line is
  /// "fearless: <kind>: <title>", except "fearless: possible deadlock
  /// (<title>)", and "fearless: deadlock" and "fearless: data race" (whose
  /// title, if any, is the second line), so that each kind starts with a
  /// fixed, greppable line.
  std::string to_string() const;
};

/// Receives every report. Called on the reporting thread, possibly from
/// several threads at once; it must not block on fearless primitives.
using ReportHandler = std::function<void(const Report &)>;

/// Installs `handler` (an empty one restores printing to stderr) and
/// returns the previous handler.
///
/// Blocks: no (takes an internal lock briefly). Errors: none.
/// Example:
///
///   std::vector<fearless::Report> seen;
///   auto old = fearless::set_report_handler(
///       [&](const fearless::Report &r) { seen.push_back(r); });
ReportHandler set_report_handler(ReportHandler handler);

namespace detail {
/// Fills in the thread name and hands `report` to the handler (or stderr).
void emit_report(Report report);
} // namespace detail

} // namespace fearless

#endif // FEARLESS_REPORT_H_
