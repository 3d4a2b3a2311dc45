// Tracker reports under load: built outside the tracker's global lock, and
// bounded when a cycle is long or one acquisition closes many cycles
// (issue 23: ThreadSanitizer's 45-lock stress test and a 100-lock cycle).
#include "fearless/detail/hooks.h"
#include "fearless/report.h"
#include "fearless/tracker.h"

#include "tracker_test_util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {
// The symboliser's probe (src/stacktrace.h): called before every lookup.
extern std::atomic<void (*)()> g_symbolize_hook;
} // namespace fearless::detail

namespace fd = fearless::detail;

namespace {

using fearless_test::Lock;
using fearless_test::on_thread;
using fearless_test::Reports;

std::vector<std::unique_ptr<Lock>> make_locks(const std::string &prefix, int n,
                                              std::vector<std::string> &names) {
  names.clear();
  for (int i = 0; i < n; ++i)
    names.push_back(prefix + "." + std::to_string(i));
  std::vector<std::unique_ptr<Lock>> locks;
  for (auto &name : names)
    locks.push_back(std::make_unique<Lock>(name.c_str()));
  return locks;
}

// While a report is symbolised, another thread takes a chain of locks that
// nobody took before: that needs the tracker's global lock (the graph). If
// the report held it, the probe's wait would end by its timeout instead.
std::atomic<int> g_probe_runs{0};
std::atomic<bool> g_probe_ok{false};
std::thread g_prober;

void probe_during_symbolisation() {
  if (g_probe_runs.fetch_add(1) != 0)
    return;
  auto done = std::make_shared<std::promise<void>>();
  auto finished = done->get_future();
  g_prober = std::thread([done] {
    Lock p("probe.P"), q("probe.Q");
    p.lock();
    q.lock(); // a new chain: the slow path, under the global lock
    q.unlock();
    p.unlock();
    done->set_value();
  });
  // A generous bound for a loaded machine: the lock-free case takes
  // microseconds, the locked case never ends while this frame waits.
  g_probe_ok = finished.wait_for(std::chrono::seconds(30)) ==
               std::future_status::ready;
}

TEST(TrackerReports, AreSymbolisedOutsideTheGlobalLock) {
  Reports reports;
  Lock a("outside.A"), b("outside.B");
  on_thread([&] { a.lock(); b.lock(); b.unlock(); a.unlock(); });
  fd::g_symbolize_hook = probe_during_symbolisation;
  on_thread([&] { b.lock(); a.lock(); a.unlock(); b.unlock(); });
  fd::g_symbolize_hook = nullptr;
  if (g_prober.joinable())
    g_prober.join();
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "lock-order inversion");
  EXPECT_GT(g_probe_runs.load(), 0) << "the report symbolised nothing";
  EXPECT_TRUE(g_probe_ok.load())
      << "another thread's new lock chain waited for a report to be written";
}

// A cycle through 100 lock classes: one report, every class named in the
// cycle line, stacks for the first steps only.
TEST(TrackerReports, HundredLockCycleIsOneBoundedReport) {
  Reports reports;
  constexpr int n = 100;
  std::vector<std::string> names;
  auto locks = make_locks("cycle100", n, names);
  for (int i = 0; i + 1 < n; ++i)
    on_thread([&] { locks[i]->lock(); locks[i + 1]->lock();
                    locks[i + 1]->unlock(); locks[i]->unlock(); });
  ASSERT_TRUE(reports.take().empty());
  on_thread([&] { locks[n - 1]->lock(); locks[0]->lock();
                  locks[0]->unlock(); locks[n - 1]->unlock(); });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  const std::string &d = seen[0].details;
  EXPECT_NE(d.find("'cycle100.50' --> 'cycle100.51'"), std::string::npos);
  EXPECT_NE(d.find("(stacks shown for the first 8 of 99 steps)"),
            std::string::npos)
      << d;
  // Stacks of 8 steps plus this acquisition's, not of 99.
  std::size_t acquiring = 0;
  for (std::size_t at = d.find("acquiring '"); at != std::string::npos;
       at = d.find("acquiring '", at + 1))
    ++acquiring;
  EXPECT_EQ(acquiring, 8u);
}

// ThreadSanitizer's deadlock stress scenario with 45 locks: one thread
// nests them in one order, another in the opposite order. Each of the
// second thread's 44 acquisitions closes new cycles (as many as it holds
// locks): one report per acquisition, as TSan makes, each naming the rest.
TEST(TrackerReports, FortyFiveLockStressMakesOneReportPerAcquisition) {
  Reports reports;
  constexpr int n = 45;
  std::vector<std::string> names;
  auto locks = make_locks("stress45", n, names);
  on_thread([&] {
    for (auto &l : locks) l->lock();
    for (auto it = locks.rbegin(); it != locks.rend(); ++it) (*it)->unlock();
  });
  ASSERT_TRUE(reports.take().empty());
  on_thread([&] {
    for (auto it = locks.rbegin(); it != locks.rend(); ++it) (*it)->lock();
    for (auto &l : locks) l->unlock();
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), std::size_t(n - 1));
  for (const auto &r : seen)
    EXPECT_EQ(r.title, "lock-order inversion");
  // The last acquisition (of stress45.0, holding 44 locks) closed 44.
  EXPECT_NE(seen.back().details.find(
                "this acquisition also closes 43 other cycle(s):"),
            std::string::npos)
      << seen.back().details;
  EXPECT_NE(seen.back().details.find("... and 35 more"), std::string::npos);
  EXPECT_EQ(seen.front().details.find("also closes"), std::string::npos);
}

} // namespace

#endif // FEARLESS_LOCK_TRACKING
