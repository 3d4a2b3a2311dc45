// What the tracker's tests share: capturing reports, ending a death test on
// a deadlock report, and knowing when ThreadSanitizer runs them.
#ifndef FEARLESS_TESTS_RUNTIME_TRACKER_TEST_UTIL_H_
#define FEARLESS_TESTS_RUNTIME_TRACKER_TEST_UTIL_H_

#include "fearless/detail/hooks.h"
#include "fearless/report.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace fearless_test {

/// Captures every report while alive.
class Reports {
public:
  Reports() {
    old_ = fearless::set_report_handler([this](const fearless::Report &r) {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back(r);
    });
  }
  ~Reports() { fearless::set_report_handler(old_); }
  std::vector<fearless::Report> take() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(seen_, {});
  }

private:
  std::mutex mu_;
  std::vector<fearless::Report> seen_;
  fearless::ReportHandler old_;
};

/// In a death test: print a deadlock report and end the process with 42,
/// so that the test sees the report instead of a hang.
inline void exit_42_on_deadlock_report() {
  fearless::set_report_handler([](const fearless::Report &r) {
    if (r.kind == fearless::ReportKind::deadlock) {
      std::string text = r.to_string();
      std::fputs(text.c_str(), stderr);
      _exit(42);
    }
  });
}

#if FEARLESS_LOCK_TRACKING
/// A fake lock: an address and a class, driven through the hooks directly.
struct Lock {
  explicit Lock(const char *name) {
    fearless::detail::on_create(state, fearless::detail::LockSite{name});
  }
  ~Lock() { fearless::detail::on_destroy(state); }
  void lock(fearless::detail::LockMode m = fearless::detail::LockMode::exclusive,
            unsigned subclass = 0) {
    auto a = fearless::detail::on_acquire(state, m, subclass);
    fearless::detail::on_acquired(state, m, a, subclass);
  }
  void try_lock(
      fearless::detail::LockMode m = fearless::detail::LockMode::exclusive) {
    fearless::detail::on_acquired(state, m, true);
  }
  void unlock(
      fearless::detail::LockMode m = fearless::detail::LockMode::exclusive) {
    fearless::detail::on_release(state, m);
  }
  fearless::detail::LockState state;
};
#endif

/// Runs f on a new thread and waits for it: each run is another thread.
template <class F> void on_thread(F f) { std::thread(f).join(); }

/// True in the ThreadSanitizer run of the tests (fearless.sh sets it).
inline bool under_tsan() {
  const char *san = std::getenv("FEARLESS_TEST_SANITIZER");
  return san && std::string(san) == "thread";
}

} // namespace fearless_test

#endif // FEARLESS_TESTS_RUNTIME_TRACKER_TEST_UTIL_H_
