// Partial deadlocks (issue 23): a thread blocked forever on a channel or a
// condvar that no thread still alive can end, reported while other threads
// keep running -- the "goroutine leak" Go's detector finds from the garbage
// collector's reachability. fearless decides it from reach (race_hooks.h):
// a thread may hold or reach a channel handle, or a condvar, only if it
// synchronised, through a fearless primitive, with a thread that had it
// since it was made or last moved.
//
// Every death test runs a thread that keeps running, spawned before the
// channel or condvar exists, and prints how long the report took. Next to
// each, the control that must not be reported: the handle or condvar
// reaches a running thread through spawn, a channel or a lock, and is used
// only after more than the watchdog's 300 ms hold.
#include "fearless/channel.h"
#include "fearless/condvar.h"
#include "fearless/mutex.h"
#include "fearless/report.h"
#include "fearless/thread.h"
#include "fearless/tracker.h"

#include "tracker_test_util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#if FEARLESS_LOCK_TRACKING

using namespace std::chrono_literals;

namespace {

using fearless_test::Reports;
using fearless_test::under_tsan;

using Clock = std::chrono::steady_clock;

// When the stuck wait began, for the report handler's latency line.
std::atomic<Clock::rep> g_blocked_at{0};

void mark_blocking() {
  g_blocked_at.store(Clock::now().time_since_epoch().count());
}

// In a death test: print a deadlock report with how long after
// mark_blocking() it came, and end the process with 42.
void exit_42_with_latency() {
  fearless::set_report_handler([](const fearless::Report &r) {
    if (r.kind != fearless::ReportKind::deadlock)
      return;
    auto since = Clock::now().time_since_epoch().count() - g_blocked_at.load();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  Clock::duration(since))
                  .count();
    std::string text = r.to_string();
    std::fprintf(stderr, "%sreported %lld ms after the wait began\n",
                 text.c_str(), static_cast<long long>(ms));
    _exit(42);
  });
}

// A thread the tracker knows that keeps running, and never learns of
// anything made after it started: it locks only its own mutex.
class Runner {
public:
  Runner()
      : handle_(fearless::Builder().name("runner").spawn([this] {
          fearless::Mutex<int> own(0);
          while (!stop_.load()) {
            ++*own.lock();
            running_.store(true);
            std::this_thread::sleep_for(2ms);
          }
        })) {
    while (!running_.load()) // it runs before anything it must not know of
      std::this_thread::sleep_for(1ms);
  }
  ~Runner() {
    stop_.store(true);
    handle_.join();
  }
  Runner(const Runner &) = delete;
  Runner &operator=(const Runner &) = delete;

private:
  std::atomic<bool> stop_{false}, running_{false};
  fearless::JoinHandle<void> handle_;
};

class PartialDeadlockDeathTest : public testing::Test {
protected:
  void SetUp() override {
    if (under_tsan())
      GTEST_SKIP() << "ThreadSanitizer's own thread is unknown to the "
                      "tracker: it may reach anything";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

// Rust's classic: the receiver iterates while the original sender is
// still alive in its own thread. The workers with the clones finish; the
// runner keeps running, but it never had a sender.
TEST_F(PartialDeadlockDeathTest, ReceiverIteratingWhileItHoldsTheOriginalSender) {
  auto deadlock = [] {
    alarm(20); // a missed report fails instead of hanging
    exit_42_with_latency();
    Runner runner;
    auto [tx, rx] = fearless::channel<int>();
    std::vector<fearless::JoinHandle<void>> workers;
    for (int w = 0; w < 2; ++w)
      workers.push_back(fearless::spawn([tx = tx] {
        for (int i = 0; i < 3; ++i)
          tx.send(i).value();
      }));
    int got = 0;
    mark_blocking();
    for (int m : rx) // tx is still alive here
      got += m;
    for (auto &w : workers)
      w.join();
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n  a thread is blocked forever\n"
              "  thread 'main' waits for a message on a channel \\(receive\\)\n"
              "    the channel has 1 live sender\\(s\\), made or moved last by "
              "thread 'main'\n"
              "  1 other thread\\(s\\) still run, but none can end these "
              "waits(.|\n)*reported [0-9]+ ms after");
}

// A sender moved to another thread (through a channel) that then waits,
// forever, for a lock the receiver holds: the report names the thread that
// holds the sender now, not the one that made it.
TEST_F(PartialDeadlockDeathTest, SenderMovedToAThreadThatWaitsForTheReceiver) {
  auto deadlock = [] {
    alarm(20);
    exit_42_with_latency();
    Runner runner;
    fearless::Mutex<int> table(0);
    auto [handoff_tx, handoff_rx] = fearless::channel<fearless::Sender<int>>();
    auto [tx, rx] = fearless::channel<int>();
    auto guard = table.lock();
    auto worker = fearless::Builder().name("worker").spawn(
        [&table, handoff_rx = std::move(handoff_rx)]() mutable {
          fearless::Sender<int> mine = handoff_rx.recv().value();
          ++*table.lock(); // main holds it, and waits for `mine`
          mine.send(1).value();
        });
    handoff_tx.send(std::move(tx)).value(); // main keeps no sender
    mark_blocking();
    (void)rx.recv();
    worker.join();
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "a thread is blocked forever\n"
              "(.|\n)*'main' waits for a message on a channel \\(receive\\)"
              "( at [^\n]*)?\n"
              "    the channel has 1 live sender\\(s\\), made or moved last by "
              "thread 'worker'\n"
              "(.|\n)*still run, but none can end these waits");
}

// A condvar whose only notifier exited without notifying, while the runner
// (started before the condvar existed) keeps running.
TEST_F(PartialDeadlockDeathTest, CondvarWhoseOnlyNotifierExited) {
  auto deadlock = [] {
    alarm(20);
    exit_42_with_latency();
    Runner runner;
    fearless::Mutex<bool> ready(false);
    fearless::Condvar cv;
    auto notifier = fearless::spawn([&] {
      auto g = ready.lock(); // forgets to set it and notify
    });
    notifier.join();
    auto g = ready.lock();
    mark_blocking();
    cv.wait_while(g, [](bool r) { return !r; });
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "a thread is blocked forever\n"
              "  thread 'main' waits for a condvar notification\n"
              "  1 other thread\\(s\\) still run(.|\n)*reported [0-9]+ ms after");
}

// With partial deadlocks off, the same wait is reported only once the
// runner has exited and every thread is blocked.
TEST_F(PartialDeadlockDeathTest, OffWaitsForEveryThreadToBlock) {
  auto deadlock = [] {
    alarm(20);
    exit_42_with_latency();
    fearless::set_report_partial_deadlocks(false);
    auto runner = std::make_unique<Runner>();
    auto [tx, rx] = fearless::channel<int>();
    auto stopper = std::thread([&] { // unknown to the tracker
      std::this_thread::sleep_for(800ms);
      runner.reset();
    });
    stopper.detach();
    mark_blocking();
    (void)rx.recv();
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n  every thread is blocked\n(.|\n)*"
              "reported ([89][0-9]{2}|[0-9]{4,}) ms after");
}

// --- what must not be reported -------------------------------------------------
// Each wait lasts 600 ms, twice the watchdog's hold, while the runner runs.

constexpr auto kLate = 600ms;

TEST(PartialDeadlock, SenderMovedIntoAThreadSpawnedAfterIt) {
  Reports reports;
  Runner runner;
  auto [tx, rx] = fearless::channel<int>();
  auto worker = fearless::spawn([tx = std::move(tx)] {
    std::this_thread::sleep_for(kLate);
    tx.send(7).value();
  });
  EXPECT_EQ(rx.recv().value(), 7);
  worker.join();
  EXPECT_TRUE(reports.take().empty());
}

// A pool worker started before the channel existed gets `&tx` in a task
// sent over a channel.
TEST(PartialDeadlock, SenderBorrowedByAnOlderThreadThroughAChannel) {
  Reports reports;
  Runner runner;
  auto [tasks, queue] = fearless::channel<std::function<void()>>();
  auto pool = fearless::spawn([queue = std::move(queue)]() mutable {
    for (auto task : queue)
      task();
  });
  auto [tx, rx] = fearless::channel<int>();
  tasks
      .send([&tx] {
        std::this_thread::sleep_for(kLate);
        tx.send(8).value();
      })
      .value();
  EXPECT_EQ(rx.recv().value(), 8);
  { auto last = std::move(tasks); } // the pool ends
  pool.join(); // before `tx` goes: the task may still be inside send()
  EXPECT_TRUE(reports.take().empty());
}

// ... or through a slot behind a fearless::Mutex.
TEST(PartialDeadlock, SenderBorrowedByAnOlderThreadThroughALock) {
  Reports reports;
  Runner runner;
  fearless::Mutex<fearless::Sender<int> *> slot(nullptr);
  auto older = fearless::spawn([&slot] {
    for (;;) {
      if (fearless::Sender<int> *tx = *slot.lock()) {
        std::this_thread::sleep_for(kLate);
        tx->send(9).value();
        return;
      }
      std::this_thread::sleep_for(1ms);
    }
  });
  auto [tx, rx] = fearless::channel<int>();
  *slot.lock() = &tx;
  EXPECT_EQ(rx.recv().value(), 9);
  older.join();
  EXPECT_TRUE(reports.take().empty());
}

// A condvar an older thread learns of through a lock, and notifies late.
TEST(PartialDeadlock, CondvarNotifiedByAnOlderThreadThatLearntOfIt) {
  Reports reports;
  Runner runner;
  struct Shared {
    fearless::Condvar *cv = nullptr;
    bool ready = false;
  };
  fearless::Mutex<Shared> shared{Shared{}};
  auto older = fearless::spawn([&shared] {
    for (;;) {
      if (fearless::Condvar *cv = shared.lock()->cv) {
        std::this_thread::sleep_for(kLate);
        shared.lock()->ready = true;
        cv->notify_all();
        return;
      }
      std::this_thread::sleep_for(1ms);
    }
  });
  fearless::Condvar cv;
  {
    auto g = shared.lock();
    g->cv = &cv;
    cv.wait_while(g, [](const Shared &s) { return !s.ready; });
  }
  older.join();
  EXPECT_TRUE(reports.take().empty());
}

// A sender in static storage, made after an older thread started, which
// finds it through a plain atomic flag -- synchronisation fearless does not
// see. Any thread may reach a global without synchronising: a handle or
// condvar in a global or a static is anyone's.
std::optional<fearless::Sender<int>> g_static_tx;
std::atomic<bool> g_static_tx_ready{false};

TEST(PartialDeadlock, SenderInStaticStorageFoundThroughAnAtomic) {
  Reports reports;
  Runner runner;
  auto older = fearless::spawn([] {
    while (!g_static_tx_ready.load())
      std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(kLate);
    g_static_tx->send(10).value();
    g_static_tx.reset();
  });
  auto [tx, rx] = fearless::channel<int>();
  g_static_tx.emplace(std::move(tx));
  g_static_tx_ready.store(true);
  EXPECT_EQ(rx.recv().value(), 10);
  older.join();
  EXPECT_TRUE(reports.take().empty());
}

fearless::Condvar &late_condvar() {
  static fearless::Condvar cv; // made on first use, after `older` started
  return cv;
}

TEST(PartialDeadlock, CondvarInAFunctionLocalStaticFoundThroughAnAtomic) {
  Reports reports;
  Runner runner;
  static std::atomic<bool> made{false};
  fearless::Mutex<bool> ready(false);
  auto older = fearless::spawn([&ready] {
    while (!made.load())
      std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(kLate);
    *ready.lock() = true;
    late_condvar().notify_all();
  });
  late_condvar();
  {
    auto g = ready.lock();
    made.store(true);
    late_condvar().wait_while(g, [](bool r) { return !r; });
  }
  older.join();
  EXPECT_TRUE(reports.take().empty());
}

// Channels made, waited on and destroyed while the watchdog reads their
// handles (a use after free here fails the sanitizer runs).
TEST(PartialDeadlock, ChannelsComeAndGoWhileTheWatchdogLooks) {
  Reports reports;
  Runner runner;
  for (int i = 0; i < 200; ++i) {
    auto [tx, rx] = fearless::channel<int>();
    auto sender = fearless::spawn([tx = std::move(tx), i] {
      std::this_thread::sleep_for(std::chrono::microseconds(50 * (i % 7)));
      tx.send(i).value();
    });
    EXPECT_EQ(rx.recv().value(), i);
    sender.join();
  }
  EXPECT_TRUE(reports.take().empty());
}

} // namespace

#endif // FEARLESS_LOCK_TRACKING
