// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Condvar's slow paths: the first mutex it sees, misuse reports, and the
// nest level a waiting thread holds its mutex at.
#include "fearless/condvar.h"
#include "fearless/detail/hooks.h"
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

unsigned Condvar::nest_level(const detail::LockState &mutex) noexcept {
#if FEARLESS_LOCK_TRACKING
  // Only this thread writes its record's held stack (tracker_fast.h).
  if (const detail::ThreadRecord *t = detail::t_record) {
    for (int i = t->depth.load(std::memory_order_relaxed) - 1; i >= 0; --i)
      if (t->held[i].lock.load(std::memory_order_relaxed) == &mutex)
        return t->held[i].subclass;
  }
#else
  (void)mutex;
#endif
  return 0;
}

} // namespace fearless
