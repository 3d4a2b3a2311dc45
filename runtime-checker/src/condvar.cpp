// Condvar's slow path: the first mutex it sees, and misuse reports.
#include "fearless/condvar.h"
#include "fearless/report.h"

#include <cstdio>

namespace fearless {

void Condvar::check_mutex_slow(const void *mutex) {
  const void *expected = nullptr;
  if (mutex_.compare_exchange_strong(expected, mutex,
                                     std::memory_order_relaxed) ||
      expected == mutex)
    return;
  if (reported_.exchange(true, std::memory_order_relaxed))
    return; // once per Condvar
  char details[160];
  std::snprintf(details, sizeof details,
                "  condvar: %p\n  first used with mutex: %p\n"
                "  now waiting with mutex: %p\n",
                static_cast<const void *>(this), expected, mutex);
  detail::emit_report(Report{ReportKind::misuse,
                             "condvar used with two different mutexes", details,
                             ""});
}

} // namespace fearless
