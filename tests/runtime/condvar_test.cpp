// Condvar: waiting, notification, timeouts, misuse with two mutexes.
#include "fearless/condvar.h"
#include "fearless/mutex.h"
#include "fearless/report.h"
#include "fearless/thread.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

bool under_sanitizer() {
  return std::getenv("FEARLESS_TEST_SANITIZER") != nullptr;
}

// Captures reports for one test, restoring the previous handler after.
class CapturedReports {
public:
  CapturedReports() {
    old_ = fearless::set_report_handler(
        [this](const fearless::Report &r) { *seen_.lock() += r.to_string(); });
  }
  ~CapturedReports() { fearless::set_report_handler(std::move(old_)); }
  std::string text() { return *seen_.lock(); }

private:
  fearless::Mutex<std::string> seen_;
  fearless::ReportHandler old_;
};

TEST(Condvar, WaitWhileReturnsWhenPredicateTurnsFalse) {
  fearless::Mutex<bool> ready{false};
  fearless::Condvar cv;
  fearless::scope([&](fearless::Scope &s) {
    s.spawn([&] {
      *ready.lock() = true;
      cv.notify_one();
    });
    auto g = ready.lock();
    cv.wait_while(g, [](bool &r) { return !r; });
    EXPECT_TRUE(*g);
  });
}

TEST(Condvar, WaitInALoop) {
  fearless::Mutex<int> stage{0};
  fearless::Condvar cv;
  fearless::scope([&](fearless::Scope &s) {
    s.spawn([&] {
      for (int i = 1; i <= 3; ++i) {
        *stage.lock() = i;
        cv.notify_all();
      }
    });
    auto g = stage.lock();
    while (*g < 3)
      cv.wait(g);
    EXPECT_EQ(*g, 3);
  });
}

TEST(Condvar, WaitForTimesOutWithoutNotification) {
  fearless::Mutex<int> m;
  fearless::Condvar cv;
  auto g = m.lock();
  // Spurious wake-ups are allowed, so loop until the deadline reports it.
  auto deadline = std::chrono::steady_clock::now() + 1ms;
  while (!cv.wait_until(g, deadline).timed_out()) {
  }
  EXPECT_GE(std::chrono::steady_clock::now(), deadline);
  // The mutex is held again after the wait.
  bool got = true;
  fearless::scope([&](fearless::Scope &s) {
    s.spawn([&] { got = m.try_lock().has_value(); });
  });
  EXPECT_FALSE(got);
}

TEST(Condvar, WaitForReturnsNotTimedOutWhenNotified) {
  fearless::Mutex<bool> flag{false};
  fearless::Condvar cv;
  fearless::scope([&](fearless::Scope &s) {
    s.spawn([&] {
      *flag.lock() = true;
      cv.notify_one();
    });
    auto g = flag.lock();
    auto r = cv.wait_while_for(g, 60s, [](bool &f) { return !f; });
    EXPECT_FALSE(r.timed_out());
    EXPECT_TRUE(*g);
  });
}

TEST(Condvar, WaitWhileForTimesOutWhenPredicateStaysTrue) {
  fearless::Mutex<bool> flag{false};
  fearless::Condvar cv;
  auto g = flag.lock();
  EXPECT_TRUE(
      cv.wait_while_for(g, 1ms, [](bool &f) { return !f; }).timed_out());
}

TEST(Condvar, ProducerConsumerDeliversEverythingInOrder) {
  const int items = under_sanitizer() ? 2'000 : 100'000;
  struct Queue {
    std::deque<int> items;
    bool closed = false;
  };
  fearless::Mutex<Queue> q;
  fearless::Condvar not_empty;
  std::vector<int> got;
  fearless::scope([&](fearless::Scope &s) {
    s.spawn([&] {
      for (int i = 0; i < items; ++i) {
        q.lock()->items.push_back(i);
        not_empty.notify_one();
      }
      q.lock()->closed = true;
      not_empty.notify_one();
    });
    for (;;) {
      auto g = q.lock();
      not_empty.wait_while(
          g, [](Queue &x) { return x.items.empty() && !x.closed; });
      if (g->items.empty())
        break;
      got.push_back(g->items.front());
      g->items.pop_front();
    }
  });
  ASSERT_EQ(got.size(), static_cast<std::size_t>(items));
  for (int i = 0; i < items; ++i)
    ASSERT_EQ(got[i], i);
}

TEST(Condvar, UsedWithTwoMutexesIsReportedOnce) {
  CapturedReports reports;
  fearless::Mutex<int> a, b;
  fearless::Condvar cv;
  {
    auto g = a.lock();
    (void)cv.wait_for(g, 0ms);
  }
  EXPECT_EQ(reports.text(), "");
  {
    auto g = b.lock();
    (void)cv.wait_for(g, 0ms);
    (void)cv.wait_for(g, 0ms);
  }
  std::string text = reports.text();
  EXPECT_EQ(
      text.rfind("fearless: misuse: condvar used with two different mutexes\n",
                 0),
      0u)
      << text;
  EXPECT_NE(text.find("first used with mutex"), std::string::npos) << text;
  EXPECT_EQ(text.find("fearless:", 1), std::string::npos) << "reported twice:\n"
                                                          << text;
}

TEST(Condvar, SameMutexTwiceIsNotReported) {
  CapturedReports reports;
  fearless::Mutex<int> a;
  fearless::Condvar cv;
  for (int i = 0; i < 2; ++i) {
    auto g = a.lock();
    (void)cv.wait_for(g, 0ms);
  }
  EXPECT_EQ(reports.text(), "");
}

TEST(Condvar, ReportGoesToStderrWithoutHandler) {
  fearless::Mutex<int> a, b;
  fearless::Condvar cv;
  testing::internal::CaptureStderr();
  {
    auto g = a.lock();
    (void)cv.wait_for(g, 0ms);
  }
  {
    auto g = b.lock();
    (void)cv.wait_for(g, 0ms);
  }
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(
      err.find("fearless: misuse: condvar used with two different mutexes"),
      std::string::npos)
      << err;
}

} // namespace
