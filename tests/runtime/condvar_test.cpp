// Condvar: waiting, notification, timeouts, misuse with two mutexes.
#include "fearless/condvar.h"
#include "fearless/detail/raw_mutex.h"
#include "fearless/mutex.h"
#include "fearless/report.h"
#include "fearless/thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <string>
#include <thread>
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

// notify_one with N threads waiting: each notification with one token lets
// one more thread through. A lost notification hangs; spurious wake-ups
// find no token and wait again.
TEST(Condvar, EachNotifyOneReleasesAWaiter) {
  constexpr int waiters = 6;
  struct State {
    int waiting = 0;
    int tokens = 0;
    int through = 0;
  };
  fearless::Mutex<State> state;
  fearless::Condvar cv;
  fearless::scope([&](fearless::Scope &s) {
    for (int i = 0; i < waiters; ++i)
      s.spawn([&] {
        auto g = state.lock();
        ++g->waiting;
        cv.wait_while(g, [](State &st) { return st.tokens == 0; });
        --g->tokens;
        ++g->through;
      });
    while (state.lock()->waiting < waiters)
      std::this_thread::yield();
    for (int i = 0; i < waiters; ++i) {
      state.lock()->tokens += 1;
      cv.notify_one();
    }
  });
  auto g = state.lock();
  EXPECT_EQ(g->through, waiters);
  EXPECT_EQ(g->tokens, 0);
}

// notify_all: one notification releases every waiter.
TEST(Condvar, NotifyAllReleasesEveryWaiter) {
  constexpr int waiters = 8;
  fearless::Mutex<int> waiting{0};
  fearless::Mutex<bool> go{false};
  fearless::Condvar cv;
  std::atomic<int> through{0};
  fearless::scope([&](fearless::Scope &s) {
    for (int i = 0; i < waiters; ++i)
      s.spawn([&] {
        auto g = go.lock();
        *waiting.lock() += 1;
        cv.wait_while(g, [](bool &v) { return !v; });
        through.fetch_add(1);
      });
    while (*waiting.lock() < waiters)
      std::this_thread::yield();
    *go.lock() = true;
    cv.notify_all(); // only one notification for all of them
  });
  EXPECT_EQ(through.load(), waiters);
}

// A notification with nobody waiting is not remembered.
TEST(Condvar, NotifyWithoutWaitersIsNotKept) {
  fearless::Mutex<int> m{0};
  fearless::Condvar cv;
  cv.notify_one();
  cv.notify_all();
  auto g = m.lock();
  auto deadline = std::chrono::steady_clock::now() + 2ms;
  while (!cv.wait_until(g, deadline).timed_out()) {
  }
  EXPECT_GE(std::chrono::steady_clock::now(), deadline);
}

TEST(Condvar, WaitUntilAPastDeadlineTimesOutWithTheMutexHeld) {
  fearless::Mutex<int> m{0};
  fearless::Condvar cv;
  auto g = m.lock();
  EXPECT_TRUE(
      cv.wait_until(g, std::chrono::steady_clock::now() - 1s).timed_out());
  bool got = true;
  std::thread([&] { got = m.try_lock().has_value(); }).join();
  EXPECT_FALSE(got);
}

// Two threads take turns through one condvar many times: every
// notification must reach the other thread (a lost one hangs the test).
TEST(Condvar, PingPongLosesNoNotification) {
  const int rounds = under_sanitizer() ? 2'000 : 50'000;
  fearless::Mutex<int> turn{0};
  fearless::Condvar cv;
  auto player = [&](int me) {
    for (int i = 0; i < rounds; ++i) {
      auto g = turn.lock();
      cv.wait_while(g, [me](int &t) { return t != me; });
      *g = 1 - me;
      cv.notify_one();
    }
  };
  fearless::scope([&](fearless::Scope &s) {
    s.spawn([&] { player(0); });
    s.spawn([&] { player(1); });
  });
  EXPECT_EQ(*turn.lock(), 0);
}

// The raw condvar on its own: timed waits return false only at the
// deadline; notify_all with waiters on a timed and an untimed wait.
TEST(RawCondvar, TimedWaitReturnsFalseAtTheDeadline) {
  fearless::detail::RawMutex m;
  fearless::detail::RawCondvar cv;
  m.lock();
  auto deadline = std::chrono::steady_clock::now() + 2ms;
  while (cv.wait_until(m, deadline)) {
  } // true: woken (spuriously); false: the deadline passed
  EXPECT_GE(std::chrono::steady_clock::now(), deadline);
  // The mutex is held again.
  bool got = true;
  std::thread([&] { got = m.try_lock(); }).join();
  EXPECT_FALSE(got);
  m.unlock();
}

TEST(RawCondvar, NotifyAllWakesTimedAndUntimedWaiters) {
  fearless::detail::RawMutex m;
  fearless::detail::RawCondvar cv;
  int waiting = 0;
  bool go = false;
  std::atomic<int> notified{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&, i] {
      m.lock();
      ++waiting;
      while (!go) {
        if (i % 2 == 0)
          cv.wait(m);
        else
          (void)cv.wait_until(m, std::chrono::steady_clock::now() + 60s);
      }
      notified.fetch_add(1);
      m.unlock();
    });
  for (;;) {
    m.lock();
    bool all = waiting == 4;
    if (all)
      go = true;
    m.unlock();
    if (all)
      break;
    std::this_thread::yield();
  }
  cv.notify_all();
  for (auto &t : ts)
    t.join();
  EXPECT_EQ(notified.load(), 4);
}

} // namespace
