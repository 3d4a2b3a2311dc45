// Real deadlocks beyond two mutexes: channels, joins, readers of an RwLock,
// and "every thread is blocked" -- each reported at once instead of hanging
// (the death tests end with exit code 42 from the report handler; a missed
// deadlock hangs and fails by timeout). Next to each, the control that must
// not be reported: timed waits, a sender that is merely slow.
#include "fearless/channel.h"
#include "fearless/condvar.h"
#include "fearless/mutex.h"
#include "fearless/report.h"
#include "fearless/rwlock.h"
#include "fearless/thread.h"

#include "tracker_test_util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#if FEARLESS_LOCK_TRACKING

using namespace std::chrono_literals;

namespace {

using fearless_test::exit_42_on_deadlock_report;
using fearless_test::Reports;
using fearless_test::under_tsan;

// Channel and condvar deadlocks: reported when every thread of the process
// is blocked, which never holds under ThreadSanitizer (it runs a thread of
// its own that the tracker cannot see).
class EveryThreadBlockedDeathTest : public testing::Test {
protected:
  void SetUp() override {
    if (under_tsan())
      GTEST_SKIP() << "ThreadSanitizer's own thread keeps 'every thread "
                      "blocked' false";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

// Two threads, each receiving from a channel whose only sender the other
// one holds: neither message is ever sent. Each waits inside a function of
// its own, which its stack in the report must show.
[[gnu::noinline]] int alice_waits(fearless::Receiver<int> &rx) {
  int n = rx.recv().value(); // waits for bob, who waits for alice
  return n + 1;
}
[[gnu::noinline]] int bob_waits(fearless::Receiver<int> &rx) {
  int n = rx.recv().value();
  return n * 2; // not alice's code: the linker would fold the two
}
void two_thread_channel_deadlock() {
  exit_42_on_deadlock_report();
  auto [to_a, from_b] = fearless::channel<int>();
  auto [to_b, from_a] = fearless::channel<int>();
  auto a = fearless::Builder().name("alice").spawn(
      [rx = std::move(from_b), tx = std::move(to_b)]() mutable {
        tx.send(alice_waits(rx)).value();
      });
  auto b = fearless::Builder().name("bob").spawn(
      [rx = std::move(from_a), tx = std::move(to_a)]() mutable {
        tx.send(bob_waits(rx)).value();
      });
  a.join();
  b.join();
}

TEST_F(EveryThreadBlockedDeathTest, TwoThreadChannelDeadlockIsReportedNotHung) {
  EXPECT_EXIT(two_thread_channel_deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n(.|\n)*a message on a channel");
}

// The classic: iterating a receiver while still holding the original
// sender. Nobody else can ever send or drop it.
TEST_F(EveryThreadBlockedDeathTest, ReceiverHoldingItsOwnSenderIsReported) {
  auto deadlock = [] {
    exit_42_on_deadlock_report();
    auto [tx, rx] = fearless::channel<int>();
    fearless::scope([&, tx = tx](fearless::Scope &s) {
      s.spawn([tx] { tx.send(1).value(); });
    });
    int sum = 0;
    while (auto m = rx.recv()) // tx is still alive here
      sum += *m;
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n(.|\n)*every thread is blocked(.|\n)*"
              "'main' waits for a message on a channel");
}

// A sender on a full bounded channel whose receiver is blocked on the
// sender's lock.
TEST_F(EveryThreadBlockedDeathTest, SenderOnAFullChannelAndItsBlockedReceiver) {
  auto deadlock = [] {
    exit_42_on_deadlock_report();
    fearless::Mutex<int> state(0);
    auto [tx, rx] = fearless::sync_channel<int>(1);
    std::barrier sync(2);
    auto consumer =
        fearless::Builder()
            .name("consumer")
            .spawn([&, rx = std::move(rx)]() mutable {
              sync.arrive_and_wait();
              auto g = state.lock(); // the producer holds it while it sends
              while (rx.recv())
                ;
            });
    auto g = state.lock();
    sync.arrive_and_wait();
    tx.send(1).value();
    tx.send(2).value(); // full: waits for the consumer, who waits for us
    consumer.join();
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n(.|\n)*room in a channel");
}

// A thread's stack in a report: its header, then frames up to `function`.
std::string stack_showing(const std::string &thread,
                          const std::string &function) {
  return "stack of thread '" + thread + "':\n(    #[0-9]+ [^\n]*\n)*" +
         "    #[0-9]+ [^\n]*" + function;
}

// A deadlock report with the stacks of threads `a` (blocked in `fa`) and
// `b` (in `fb`), in either order.
std::string report_with_stacks(const std::string &a, const std::string &fa,
                               const std::string &b, const std::string &fb) {
  std::string sa = stack_showing(a, fa), sb = stack_showing(b, fb);
  return "fearless: deadlock\n(.|\n)*(" + sa + "(.|\n)*" + sb + "|" + sb +
         "(.|\n)*" + sa + ")";
}

// Every blocked thread's stack is in the report, as the thread recorded it
// when it blocked -- also when the watchdog thread reports (a channel
// deadlock), which cannot unwind the others' stacks itself.
TEST_F(EveryThreadBlockedDeathTest, ChannelDeadlockShowsEveryBlockedStack) {
  EXPECT_EXIT(two_thread_channel_deadlock(), testing::ExitedWithCode(42),
              report_with_stacks("alice", "alice_waits", "bob", "bob_waits"));
}

// A thread that blocks twice, from two functions called one after the other
// from the same place, is reported with the stack of its second wait: a
// stack recorded before is reused only when every frame is the same call.
struct Stage {
  int waiting = 0;
  bool go = false;
};
[[gnu::noinline]] void first_wait(fearless::Mutex<Stage> &m,
                                  fearless::Condvar &cv) {
  auto g = m.lock();
  g->waiting += 1;
  while (!g->go)
    cv.wait(g);
}
[[gnu::noinline]] void second_wait(fearless::Mutex<Stage> &m,
                                   fearless::Condvar &cv) {
  auto g = m.lock();
  g->waiting += 2; // not first_wait's code: the linker would fold the two
  // Nobody ever clears it.
  while (g->go)
    cv.wait(g);
}

TEST_F(EveryThreadBlockedDeathTest, ASecondWaitShowsItsOwnStack) {
  auto deadlock = [] {
    exit_42_on_deadlock_report();
    fearless::Mutex<Stage> m;
    fearless::Condvar cv;
    auto waiter = fearless::Builder().name("waiter").spawn([&] {
      first_wait(m, cv);
      second_wait(m, cv);
    });
    // Counted with the mutex held, released only by waiting: it waits.
    while (m.lock()->waiting < 1)
      std::this_thread::yield();
    m.lock()->go = true;
    cv.notify_all();
    waiter.join();
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n(.|\n)*" +
                  stack_showing("waiter", "second_wait"));
}

TEST(Deadlock, SlowSenderIsNotADeadlock) {
  Reports reports;
  auto [tx, rx] = fearless::channel<int>();
  auto worker = fearless::spawn([tx = std::move(tx)] {
    std::this_thread::sleep_for(200ms); // not blocked on anything fearless
    tx.send(7).value();
  });
  EXPECT_EQ(rx.recv().value(), 7);
  worker.join();
  EXPECT_TRUE(reports.take().empty());
}

TEST(Deadlock, TimedWaitsAreNotDeadlocks) {
  Reports reports;
  auto [tx, rx] = fearless::channel<int>();
  // Every thread of the process waits, but with a timeout: it will wake.
  EXPECT_FALSE(rx.recv_timeout(100ms).has_value());
  fearless::Mutex<int> m(0);
  fearless::Condvar cv;
  auto g = m.lock();
  EXPECT_TRUE(cv.wait_for(g, 100ms).timed_out());
  EXPECT_TRUE(reports.take().empty());
}

// Every thread of the process waits on a condvar nobody will notify.
TEST_F(EveryThreadBlockedDeathTest, CondvarsNobodyNotifiesAreReported) {
  auto deadlock = [] {
    exit_42_on_deadlock_report();
    fearless::Mutex<bool> ready(false);
    fearless::Condvar cv;
    auto g = ready.lock();
    cv.wait_while(g, [](bool r) { return !r; }); // the notifier never came
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n(.|\n)*a condvar notification");
}

// Deadlocks that become total only when a thread exits (issue 23): the
// waiting thread blocked while another still ran, so its own check found
// nothing; the exit must make the tracker look again. The thread that exits
// pauses first so that the wait begins before it ends (were it later, the
// wait itself would see every thread blocked). alarm(): a missed report
// fails the test instead of hanging it.

// The receiver iterates while still holding the original sender; the
// worker with the other sender sends and exits.
TEST_F(EveryThreadBlockedDeathTest, ReceiverHoldingItsSenderAfterTheWorkerExits) {
  auto deadlock = [] {
    alarm(30);
    exit_42_on_deadlock_report();
    auto [tx, rx] = fearless::channel<int>();
    auto worker = fearless::spawn([tx = tx] {
      tx.send(1).value();
      std::this_thread::sleep_for(200ms); // the receiver blocks meanwhile
    });
    for (int m : rx) // tx is still alive here
      (void)m;
    worker.join();
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n(.|\n)*'main' waits for a message on a "
              "channel");
}

// A receiver waits on its own sender while an unrelated thread -- one that
// never touches fearless, so the tracker does not know it -- still runs.
TEST_F(EveryThreadBlockedDeathTest, OwnSenderAfterAnUnknownThreadFinishes) {
  auto deadlock = [] {
    alarm(30);
    exit_42_on_deadlock_report();
    std::thread unrelated([] { std::this_thread::sleep_for(200ms); });
    unrelated.detach();
    auto [tx, rx] = fearless::channel<int>();
    (void)rx.recv(); // tx is alive, and only this thread has it
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n(.|\n)*a message on a channel");
}

// A condvar whose only notifier exits without notifying.
TEST_F(EveryThreadBlockedDeathTest, CondvarWhoseOnlyNotifierExited) {
  auto deadlock = [] {
    alarm(30);
    exit_42_on_deadlock_report();
    fearless::Mutex<bool> ready(false);
    fearless::Condvar cv;
    auto notifier = fearless::spawn([&] {
      std::this_thread::sleep_for(200ms); // the waiter blocks meanwhile
      auto g = ready.lock();              // forgets to set it and notify
    });
    auto g = ready.lock();
    cv.wait_while(g, [](bool r) { return !r; });
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n(.|\n)*a condvar notification");
}

// A reader holds an RwLock and wants a mutex; the mutex's holder waits to
// write: the reader is an owner like any other.
TEST(DeadlockDeathTest, ReaderOfAnRwLockInACycleIsReported) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto deadlock = [] {
    exit_42_on_deadlock_report();
    fearless::RwLock<int> table(0);
    fearless::Mutex<int> log(0);
    std::barrier sync(2);
    auto reader = fearless::Builder().name("reader").spawn([&] {
      auto r = table.read();
      sync.arrive_and_wait();
      auto l = log.lock();
    });
    auto writer = fearless::Builder().name("writer").spawn([&] {
      auto l = log.lock();
      sync.arrive_and_wait();
      auto w = table.write();
    });
    reader.join();
    writer.join();
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n(.|\n)*(thread 'reader' waits for(.|\n)*"
              "held by thread 'writer'|thread 'writer' waits for(.|\n)*held by "
              "thread 'reader')");
}

// The same for a lock cycle, reported by the last thread to block: the
// other thread's stack is there too, not only the reporter's.
[[gnu::noinline]] void first_takes(fearless::Mutex<int> &a,
                                   fearless::Mutex<int> &b,
                                   std::barrier<> &sync) {
  auto ga = a.lock();
  sync.arrive_and_wait();
  auto gb = b.lock();
  *gb += *ga;
}
[[gnu::noinline]] void second_takes(fearless::Mutex<int> &a,
                                    fearless::Mutex<int> &b,
                                    std::barrier<> &sync) {
  auto gb = b.lock();
  sync.arrive_and_wait();
  auto ga = a.lock();
  *ga += *gb;
}

TEST(DeadlockDeathTest, LockCycleShowsEveryBlockedStack) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto deadlock = [] {
    exit_42_on_deadlock_report();
    fearless::Mutex<int> a(0);
    fearless::Mutex<int> b(0);
    std::barrier sync(2);
    auto one =
        fearless::Builder().name("one").spawn([&] { first_takes(a, b, sync); });
    auto two = fearless::Builder().name("two").spawn(
        [&] { second_takes(a, b, sync); });
    one.join();
    two.join();
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              report_with_stacks("one", "first_takes", "two", "second_takes"));
}

// A timed lock in the cycle breaks it: no report, and both finish.
TEST(Deadlock, TimedLockInACycleIsNotADeadlock) {
  Reports reports;
  fearless::Mutex<int> a(0), b(0);
  std::barrier sync(2);
  auto t = fearless::spawn([&] {
    auto gb = b.lock();
    sync.arrive_and_wait();
    EXPECT_FALSE(a.try_lock_for(100ms).has_value()); // gives up, releases b
  });
  auto ga = a.lock();
  sync.arrive_and_wait();
  auto gb = b.lock(); // waits for t, whose wait has a timeout
  t.join();
  for (const auto &r : reports.take())
    EXPECT_NE(r.kind, fearless::ReportKind::deadlock) << r.to_string();
}

// The last thread to close a lock cycle sees the other thread's published
// wait while the kernel still runs that thread (preempted between
// publishing its wait and going to sleep, as on a loaded machine): it
// cannot report yet, and nobody blocks after it to look again. The
// watchdog must look again once the other thread sleeps. Driven through
// the hooks so that the window is held open on purpose.
TEST(Deadlock, CycleClosedWhileTheOtherThreadWasStillRunningIsReported) {
  using fearless::detail::WaitKind;
  std::atomic<bool> reported{false};
  auto old = fearless::set_report_handler([&](const fearless::Report &r) {
    if (r.kind == fearless::ReportKind::deadlock)
      reported.store(true);
  });
  fearless_test::Lock a("window.A"), b("window.B");
  std::atomic<int> step{0};
  std::thread other([&] {
    a.lock();
    step.store(1);
    while (step.load() < 2)
      std::this_thread::yield();
    fearless::detail::on_block(&b.state, WaitKind::mutex, false);
    step.store(3);
    while (step.load() < 4) // published, still running: the window
      ;
    for (auto waited = 0ms; !reported.load() && waited < 10s; waited += 50ms)
      std::this_thread::sleep_for(50ms); // asleep, as in a futex wait
    fearless::detail::on_unblock(&b.state);
    a.unlock();
  });
  while (step.load() < 1)
    std::this_thread::yield();
  b.lock();
  step.store(2);
  while (step.load() < 3)
    std::this_thread::yield();
  fearless::detail::on_block(&a.state, WaitKind::mutex, false);
  step.store(4);
  for (auto waited = 0ms; !reported.load() && waited < 10s; waited += 50ms)
    std::this_thread::sleep_for(50ms);
  fearless::detail::on_unblock(&a.state);
  b.unlock();
  other.join();
  fearless::set_report_handler(old);
  EXPECT_TRUE(reported.load()) << "the cycle was never reported";
}

} // namespace

#endif // FEARLESS_LOCK_TRACKING
