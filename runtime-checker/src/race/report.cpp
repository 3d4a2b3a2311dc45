// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The data-race report: both accesses with their sites, threads and locks,
// a hint from what the two accesses say, once per pair of sites.
#include "race_internal.h"

#include "fearless/thread.h"

#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <string>

#if FEARLESS_RACE_DETECTION

namespace fearless::detail::race {
namespace {

// The earlier access of a reported pair, with its site resolved.
struct Previous {
  bool write;
  Epoch epoch;
  std::source_location site;
  ClassId lock;
};

const char *base_name(const char *file) {
  const char *slash = std::strrchr(file, '/');
  return slash ? slash + 1 : file;
}

std::string site_key(const std::source_location &s) {
  if (s.line() == 0)
    return "construction";
  return std::string(s.file_name()) + ":" + std::to_string(s.line()) + ":" +
         std::to_string(s.column());
}

std::string site_line(const std::source_location &s) {
  if (s.line() == 0)
    return "its construction";
  return std::string(s.function_name()) + " at " + base_name(s.file_name()) +
         ":" + std::to_string(s.line());
}

// What the user probably meant. Only what the two accesses themselves say
// (their kinds and the locks held), never timing: the text of a report is
// the same in every run that finds it.
std::string hint(bool cur_write, const Previous &c, ClassId cur_lock) {
  const char *prev = c.write ? "write" : "read";
  const char *cur = cur_write ? "write" : "read";
  if (c.lock != 0 && cur_lock == 0)
    return std::string("the previous ") + prev + " held '" +
           class_name_locked(c.lock) + "' but this " + cur +
           " holds no lock: take it here too (was a pointer or reference "
           "kept after its guard was dropped?)";
  if (c.lock == 0 && cur_lock != 0)
    return std::string("this ") + cur + " holds '" +
           class_name_locked(cur_lock) + "' but the previous " + prev +
           " held no lock: take it there too (was a pointer or reference "
           "kept after its guard was dropped?)";
  if (c.lock != 0 && cur_lock != 0 && c.lock != cur_lock)
    return "the two accesses hold different locks ('" +
           class_name_locked(c.lock) + "' and '" + class_name_locked(cur_lock) +
           "'): guard the value with one fearless::Mutex, always the same";
  if (cur_write && c.write)
    return "guard it with a fearless::Mutex, or hand it over through a "
           "channel so that one thread owns it at a time";
  return "guard it with a fearless::Mutex (an RwLock if reads dominate), or "
         "send the value through a channel instead of sharing it";
}

} // namespace

FEARLESS_SLOW_PATH
void report_race(const RaceShadow &s, bool cur_write,
                 const std::source_location &where, const Conflict &conflict,
                 const FullThread &t, const void *address, std::size_t size) {
  const auto [prev_site, prev_lock] = site_of(conflict.site);
  const Previous c{conflict.write, conflict.epoch, prev_site, prev_lock};
  {
    std::string a = site_key(where), b = site_key(c.site);
    if (b < a)
      std::swap(a, b);
    static std::mutex *mu = new std::mutex; // never destroyed: hooks run
    static auto *reported = new std::set<std::string>; // at exit
    std::lock_guard<std::mutex> lock(*mu);
    if (!reported->insert(a + "|" + b).second)
      return; // once per pair of sites
  }
  const std::string prev_name = clock_slot_label(epoch_tid(c.epoch));
  const std::string cur_name =
      clock_slot_label(t.tid, std::string(current_thread_name()));
  std::string prev_thread = "'" + prev_name + "'";
  std::string cur_thread = "'" + cur_name + "'";
  const char *cur = cur_write ? "write" : "read";
  const char *prev = c.write ? "write" : "read";
  char addr[32];
  std::snprintf(addr, sizeof addr, "%p", address);
  const RaceCold *cold = cold_if_any(s);
  const char *name = cold ? cold->name : nullptr;
  std::string what = name ? "'" + std::string(name) + "'"
                          : std::string("the memory at ") + addr;
  ClassId cur_lock = innermost_lock();

  std::string title = std::string(cur) + " of " + what + " by thread " +
                      cur_thread + " races with a previous " + prev +
                      " by thread " + prev_thread;
  std::string d;
  auto column = [](std::string label) { // the sites line up
    return "  " + label + std::string(16 - label.size(), ' ');
  };
  d += column("this " + std::string(cur) + ":") + site_line(where) + "\n";
  d += column("previous " + std::string(prev) + ":") + site_line(c.site) + "\n";
  d += "  location: " +
       (name ? "'" + std::string(name) + "', " : std::string()) +
       std::to_string(size) + " bytes at " + addr + "\n";
  d += "  no fearless synchronisation orders the two (unlock -> lock, send -> "
       "recv, spawn -> start, end -> join)\n";
  d += "  hint: " + hint(cur_write, c, cur_lock) + "\n";
  d += "  stack of this " + std::string(cur) + ":\n";
  d += format_stack(capture_stack(0), "    ");

  auto access = [](const char *kind, const std::string &thread,
                   const std::source_location &site) {
    return ReportAccess{kind, thread,
                        site.line() ? std::string(base_name(site.file_name())) +
                                          ":" + std::to_string(site.line())
                                    : std::string("construction"),
                        site.line() ? site.function_name() : ""};
  };
  TrackerReport tr{Report{ReportKind::data_race, title, std::move(d), ""}, {}};
  if (cur_lock)
    tr.locks.push_back(class_name_locked(cur_lock));
  if (c.lock && c.lock != cur_lock)
    tr.locks.push_back(class_name_locked(c.lock));
  tr.location = name ? name : std::string(addr);
  tr.accesses = {access(cur, cur_name, where), access(prev, prev_name, c.site)};
  deliver(std::move(tr));
}

} // namespace fearless::detail::race

#endif // FEARLESS_RACE_DETECTION
