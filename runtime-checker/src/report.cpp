// Reports: formatting and the process-wide handler.
#include "fearless/report.h"
#include "fearless/thread.h"
#include "fearless/thread_safety.h"

#include <cstdio>
#include <mutex>
#include <utility>

namespace fearless {
namespace {

// The handler and its lock.
struct Handler {
  std::mutex mu;
  ReportHandler handler FEARLESS_GUARDED_BY(mu);
};

// Never destroyed: static destructors and exit-time checks report too.
Handler &handler() {
  static Handler *h = new Handler;
  return *h;
}

} // namespace

std::string_view to_string(ReportKind kind) noexcept {
  switch (kind) {
  case ReportKind::misuse:
    return "misuse";
  case ReportKind::thread_exception:
    return "thread exception";
  case ReportKind::possible_deadlock:
    return "possible deadlock";
  case ReportKind::deadlock:
    return "deadlock";
  case ReportKind::data_race:
    return "data race";
  }
  return "report";
}

std::string Report::to_string() const {
  std::string out = "fearless: ";
  out += fearless::to_string(kind);
  if (kind == ReportKind::possible_deadlock)
    out += " (" + title + ")\n";
  else if (kind == ReportKind::deadlock || kind == ReportKind::data_race)
    out += title.empty() ? "\n" : "\n  " + title + "\n";
  else
    out += ": " + title + "\n";
  out += details;
  return out;
}

ReportHandler set_report_handler(ReportHandler h) {
  Handler &current = handler();
  std::lock_guard<std::mutex> lock(current.mu);
  return std::exchange(current.handler, std::move(h));
}

namespace detail {

void emit_report(Report report) {
  if (report.thread.empty())
    report.thread = std::string(current_thread_name());
  if (!report.thread.empty())
    report.details += "  thread: '" + report.thread + "'\n";
  ReportHandler h;
  {
    Handler &current = handler();
    std::lock_guard<std::mutex> lock(current.mu);
    h = current.handler;
  }
  // Called outside the lock, so a handler may itself report or reinstall.
  if (h) {
    h(report);
    return;
  }
  std::string text = report.to_string();
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

} // namespace detail
} // namespace fearless
