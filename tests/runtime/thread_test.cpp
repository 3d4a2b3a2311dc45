// spawn / JoinHandle / scope / Builder.
#include "fearless/mutex.h"
#include "fearless/report.h"
#include "fearless/thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

TEST(Spawn, JoinReturnsResult) {
  auto h = fearless::spawn([](int a, int b) { return a * b; }, 6, 7);
  EXPECT_EQ(h.join(), 42);
}

TEST(Spawn, JoinRethrowsTheThreadsException) {
  auto h = fearless::spawn([]() -> int { throw std::out_of_range("index 7"); });
  try {
    h.join();
    FAIL() << "join did not rethrow";
  } catch (const std::out_of_range &e) {
    EXPECT_STREQ(e.what(), "index 7");
  }
}

TEST(Spawn, VoidThreadAndMoveOnlyArgument) {
  auto out = std::make_shared<fearless::Mutex<int>>(0);
  auto h = fearless::spawn([out](std::unique_ptr<int> p) { *out->lock() = *p; },
                           std::make_unique<int>(9));
  h.join();
  EXPECT_EQ(*out->lock(), 9);
}

TEST(Spawn, JoinTwiceIsALogicError) {
  auto h = fearless::spawn([] {});
  h.join();
  EXPECT_FALSE(h.joinable());
  EXPECT_THROW(h.join(), std::logic_error);
}

TEST(Spawn, IsFinishedAfterJoinableWork) {
  std::latch go(1);
  auto h = fearless::spawn([&go] { go.wait(); });
  EXPECT_FALSE(h.is_finished());
  go.count_down();
  h.join();
}

TEST(Spawn, DroppedHandleDetachesAndThreadStillRuns) {
  auto done = std::make_shared<std::latch>(1);
  {
    auto h = fearless::spawn([done] { done->count_down(); });
  } // detached here
  done->wait();
}

TEST(Spawn, DetachedThreadExceptionIsReported) {
  auto reported = std::make_shared<std::latch>(1);
  auto text = std::make_shared<fearless::Mutex<std::string>>();
  auto old =
      fearless::set_report_handler([reported, text](const fearless::Report &r) {
        *text->lock() = r.to_string();
        reported->count_down();
      });
  {
    auto h = fearless::Builder().name("lost").spawn(
        [] { throw std::runtime_error("nobody listens"); });
  }
  reported->wait();
  fearless::set_report_handler(std::move(old));
  std::string t = *text->lock();
  EXPECT_EQ(t.rfind("fearless: thread exception: ", 0), 0u) << t;
  EXPECT_NE(t.find("nobody listens"), std::string::npos) << t;
  EXPECT_NE(t.find("'lost'"), std::string::npos) << t;
}

TEST(Builder, NamesTheThread) {
  auto h = fearless::Builder().name("worker").spawn(
      [] { return std::string(fearless::current_thread_name()); });
  EXPECT_EQ(h.name(), "worker");
  EXPECT_EQ(h.join(), "worker");
  EXPECT_EQ(fearless::current_thread_name(), "");
}

TEST(Scope, BorrowsLocalsAndJoinsAll) {
  std::vector<int> data(100);
  std::iota(data.begin(), data.end(), 1);
  std::atomic<int> sum{0};
  fearless::scope([&](fearless::Scope &s) {
    for (int part = 0; part < 4; ++part)
      s.spawn([&, part] {
        for (int i = part * 25; i < (part + 1) * 25; ++i)
          sum += data[i];
      });
  });
  EXPECT_EQ(sum.load(),
            5050); // every thread ran to the end before scope returned
}

TEST(Scope, ReturnsTheBodysValue) {
  int r = fearless::scope([](fearless::Scope &s) {
    auto h = s.spawn([] { return 20; });
    return h.join() + 1;
  });
  EXPECT_EQ(r, 21);
}

TEST(Scope, PropagatesAThreadsException) {
  EXPECT_THROW(fearless::scope([](fearless::Scope &s) {
                 s.spawn([] { throw std::runtime_error("in thread"); });
               }),
               std::runtime_error);
}

TEST(Scope, PropagatesTheFirstExceptionToFinish) {
  // Declared outside the scope so that it outlives the second thread.
  std::optional<fearless::ScopedJoinHandle<void>> first;
  try {
    fearless::scope([&](fearless::Scope &s) {
      first.emplace(s.spawn([] { throw std::logic_error("first"); }));
      s.spawn([&first] {
        // Finish strictly after "first" has finished (no sleeping).
        while (!first->is_finished())
          std::this_thread::yield();
        throw std::runtime_error("second");
      });
    });
    FAIL() << "scope did not throw";
  } catch (const std::logic_error &e) {
    EXPECT_STREQ(e.what(), "first");
  } catch (const std::runtime_error &e) {
    FAIL() << "got '" << e.what() << "', expected the first exception";
  }
}

TEST(Scope, ExceptionJoinedByHandleDoesNotPropagate) {
  int r = fearless::scope([](fearless::Scope &s) {
    auto h = s.spawn([]() -> int { throw std::runtime_error("handled"); });
    try {
      return h.join();
    } catch (const std::runtime_error &) {
      return -1;
    }
  });
  EXPECT_EQ(r, -1);
}

TEST(Scope, BodyExceptionWinsAfterJoiningThreads) {
  std::atomic<bool> thread_ran{false};
  try {
    fearless::scope([&](fearless::Scope &s) {
      s.spawn([&] {
        thread_ran = true;
        throw std::runtime_error("thread");
      });
      throw std::logic_error("body");
    });
  } catch (const std::logic_error &e) {
    EXPECT_STREQ(e.what(), "body");
  }
  EXPECT_TRUE(thread_ran.load()); // joined before the exception left scope
}

TEST(Scope, ThreadsMaySpawnIntoTheScope) {
  std::atomic<int> ran{0};
  fearless::scope([&](fearless::Scope &s) {
    s.spawn([&] {
      ++ran;
      s.spawn([&] { ++ran; });
    });
  });
  EXPECT_EQ(ran.load(), 2);
}

TEST(Scope, NamedScopedThread) {
  fearless::scope([](fearless::Scope &s) {
    auto h = s.builder().name("scoped").spawn(
        [] { return std::string(fearless::current_thread_name()); });
    EXPECT_EQ(h.join(), "scoped");
  });
}

TEST(Spawn, SendChecksAcceptThreadSafeSharing) {
  auto m = std::make_shared<fearless::Mutex<int>>(1);
  auto h = fearless::spawn(
      [](std::shared_ptr<fearless::Mutex<int>> p) { return *p->lock(); }, m);
  EXPECT_EQ(h.join(), 1);
}

} // namespace
