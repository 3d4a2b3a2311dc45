// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The one JSON writer of the runtime's reports (FEARLESS_REPORT_JSON): every
// report's line is built here from its typed parts, with nlohmann-json
// (Debian: nlohmann-json3-dev), so that no caller writes JSON by hand.
#include "tracker_internal.h"

#include <nlohmann/json.hpp>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {
namespace {

// Compact, and bytes that are not UTF-8 (a thread name cut by the kernel,
// a user's lock name) become U+FFFD instead of an exception.
std::string dump(const nlohmann::ordered_json &j) {
  return j.dump(-1, ' ', false,
                nlohmann::ordered_json::error_handler_t::replace);
}

const char *severity(ReportKind kind) {
  return kind == ReportKind::possible_deadlock ? "warning" : "error";
}

} // namespace

std::string json_escape(const std::string &s) {
  std::string quoted = dump(s);
  return quoted.substr(1, quoted.size() - 2);
}

std::string report_json(const TrackerReport &tr) {
  nlohmann::ordered_json j;
  j["kind"] = std::string(to_string(tr.report.kind));
  j["severity"] = severity(tr.report.kind);
  j["title"] = tr.report.title;
  j["thread"] = tr.report.thread;
  j["locks"] = tr.locks;
  if (!tr.location.empty())
    j["location"] = tr.location;
  if (!tr.accesses.empty()) {
    nlohmann::ordered_json accesses = nlohmann::ordered_json::array();
    for (const ReportAccess &a : tr.accesses)
      accesses.push_back({{"access", a.access},
                          {"thread", a.thread},
                          {"site", a.site},
                          {"function", a.function}});
    j["accesses"] = std::move(accesses);
  }
  j["text"] = tr.report.to_string();
  return dump(j);
}

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING
