// The tracker through its hooks: lock-order inversions (lockdep's and TSan's
// scenarios), the false-positive controls, misuse, and real deadlocks with
// fearless::Mutex. Each test uses locks of its own, so classes never mix
// between tests.
#include "fearless/condvar.h"
#include "fearless/detail/hooks.h"
#include "fearless/mutex.h"
#include "fearless/report.h"
#include "fearless/thread.h"
#include "fearless/tracker.h"

#include "tracker_test_util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fd = fearless::detail;
using fd::LockMode;

namespace {

using fearless_test::exit_42_on_deadlock_report;
using fearless_test::Lock;
using fearless_test::on_thread;
using fearless_test::Reports;

// Lockdep's self-test scenarios, each pair "hold, then take" on a thread of
// its own; `held` and `taken` are the modes (a Mutex is exclusive/exclusive;
// RwLock write locks behave the same; reads differ).
std::size_t scenario(const std::string &test, const std::string &pairs,
                     LockMode held, LockMode taken) {
  Reports reports;
  std::vector<std::unique_ptr<Lock>> locks;
  std::vector<std::string> names;
  for (char c = 'A'; c <= 'F'; ++c)
    names.push_back(test + "." + c);
  for (auto &n : names)
    locks.push_back(std::make_unique<Lock>(n.c_str()));
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
    Lock &a = *locks[pairs[i] - 'A'], &b = *locks[pairs[i + 1] - 'A'];
    on_thread([&] {
      a.lock(held);
      b.lock(taken);
      b.unlock(taken);
      a.unlock(held);
    });
  }
  std::size_t n = 0;
  for (const auto &r : reports.take())
    n += r.kind == fearless::ReportKind::possible_deadlock;
  return n;
}

// Runs the letters of `pairs` two at a time, each pair "hold the first, take
// the second" on its own thread (lockdep's self-test notation).
std::size_t run_pairs(const std::string &test, const std::string &pairs,
                      LockMode mode = LockMode::exclusive) {
  return scenario(test, pairs, mode, mode);
}

const char *const kCycles[] = {"ABBA",     "ABBCCA",   "ABCABC",
                               "ABBCCDDA", "ABCDBDDA", "ABCDBCDA"};

TEST(Tracker, LockdepScenariosAreReported) {
  EXPECT_EQ(run_pairs("abba", "ABBA"), 1u);
  EXPECT_EQ(run_pairs("abbcca", "ABBCCA"), 1u);
  EXPECT_EQ(run_pairs("abbccdda", "ABBCCDDA"), 1u);
  EXPECT_EQ(run_pairs("abcdbdda", "ABCDBDDA"), 1u);
  EXPECT_EQ(run_pairs("abcdbcda", "ABCDBCDA"), 1u);
}

TEST(Tracker, LockdepScenariosWithReadAndWriteLocks) {
  const LockMode X = LockMode::exclusive, S = LockMode::shared;
  for (const char *cycle : kCycles) {
    std::string c = cycle;
    // Writers everywhere: as mutexes.
    EXPECT_EQ(scenario("ww." + c, c, X, X), 1u) << c;
    // Holding a read lock, taking a write lock: the writer waits for the
    // reader of the next pair -- a deadlock.
    EXPECT_EQ(scenario("rw." + c, c, S, X), 1u) << c;
    // Holding a write lock, taking a read lock: the reader waits for the
    // writer -- a deadlock.
    EXPECT_EQ(scenario("wr." + c, c, X, S), 1u) << c;
    // Readers only: readers never wait for readers.
    EXPECT_EQ(scenario("rr." + c, c, S, S), 0u) << c;
  }
}

TEST(TrackerMisuse, AAIsADoubleLockInEveryMode) {
  const LockMode X = LockMode::exclusive, S = LockMode::shared;
  struct Case {
    LockMode first, second;
    const char *title;
  } cases[] = {{X, X, "double lock"},
               {S, X, "double lock"}, // a write after one's own read
               {X, S, "double lock"},
               {S, S, "recursive read lock"}};
  int i = 0;
  for (const Case &c : cases) {
    Reports reports;
    std::string name = "aa." + std::to_string(i++);
    Lock a(name.c_str());
    a.lock(c.first);
    (void)fd::on_acquire(a.state, c.second); // the second acquisition
    a.unlock(c.first);
    auto seen = reports.take();
    ASSERT_EQ(seen.size(), 1u) << name;
    EXPECT_EQ(seen[0].title, c.title) << name;
  }
}

TEST(TrackerMisuse, DoubleUnlockOfAReadLock) {
  Reports reports;
  Lock a("misuse.read_unheld");
  a.lock(LockMode::shared);
  a.unlock(LockMode::shared);
  a.unlock(LockMode::shared);
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "unlock of a lock that is not held");
}

TEST(Tracker, NestLevelsOrderOneClass) {
  Reports reports;
  // Parent then child, both of one class (made at one line), the child at
  // nest level 1: an order, not same-class nesting.
  std::vector<std::unique_ptr<fearless::Mutex<int>>> nodes;
  for (int i = 0; i < 3; ++i)
    nodes.emplace_back(new fearless::Mutex<int>(i));
  on_thread([&] {
    auto parent = nodes[0]->lock();
    auto child = nodes[1]->lock_nested(1);
  });
  on_thread([&] {
    auto parent = nodes[1]->lock();
    auto child = nodes[2]->lock_nested(1);
  });
  EXPECT_TRUE(reports.take().empty());
  EXPECT_THROW((void)nodes[0]->lock_nested(8), std::invalid_argument);
  // Taking level 0 while holding level 1 inverts the levels: reported.
  // (Hook-only locks of one class, so that ThreadSanitizer's own detector,
  // in the sanitizer runs, does not see the inversion made on purpose.)
  Lock a("nest.node"), b("nest.node"), c("nest.node");
  on_thread([&] {
    a.lock(LockMode::exclusive, 0);
    b.lock(LockMode::exclusive, 1);
    b.unlock();
    a.unlock();
  });
  EXPECT_TRUE(reports.take().empty());
  on_thread([&] {
    c.lock(LockMode::exclusive, 1);
    a.lock(LockMode::exclusive, 0);
    a.unlock();
    c.unlock();
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "lock-order inversion");
  EXPECT_NE(seen[0].details.find("'nest.node/1'"), std::string::npos)
      << seen[0].details;
}

// A Condvar wait re-takes its mutex at the nest level the guard took it
// at: the child below is still level 1 after the wait, so "child, then
// other" here and "other, then a level-1 node" on another thread invert.
// (Taken back at level 0, the edge would be node/0 -> other and the
// inversion would go unseen.) The second thread locks a third node, so
// that ThreadSanitizer's detector, which orders instances, sees no cycle.
TEST(Tracker, CondvarWaitKeepsTheNestLevel) {
  Reports reports;
  std::vector<std::unique_ptr<fearless::Mutex<int>>> nodes;
  for (int i = 0; i < 3; ++i)
    nodes.emplace_back(new fearless::Mutex<int>(i));
  fearless::Mutex<int> other(0);
  fearless::Condvar cv;
  on_thread([&] {
    auto parent = nodes[0]->lock();
    auto child = nodes[1]->lock_nested(1);
    (void)cv.wait_for(child, std::chrono::milliseconds(1));
    auto o = other.lock();
  });
  EXPECT_TRUE(reports.take().empty());
  on_thread([&] {
    auto o = other.lock();
    auto n = nodes[2]->lock_nested(1);
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "lock-order inversion");
  EXPECT_NE(seen[0].details.find("/1'"), std::string::npos) << seen[0].details;
}

TEST(TrackerMisuse, MoreLocksThanTheHeldStackIsReportedOnce) {
  Reports reports;
  std::vector<std::unique_ptr<Lock>> locks;
  std::vector<std::string> names;
  for (int i = 0; i < 50; ++i)
    names.push_back("overflow." + std::to_string(i));
  for (auto &n : names)
    locks.push_back(std::make_unique<Lock>(n.c_str()));
  on_thread([&] {
    for (auto &l : locks) l->lock();
    for (auto it = locks.rbegin(); it != locks.rend(); ++it) (*it)->unlock();
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "too many locks held");
}

TEST(Tracker, ConsistentOrdersAreNotReported) {
  EXPECT_EQ(run_pairs("abbc", "ABBCCD"), 0u);
  EXPECT_EQ(run_pairs("abab", "ABABAB"), 0u);
}

TEST(Tracker, SharedSharedCycleIsNotReported) {
  EXPECT_EQ(run_pairs("rr", "ABBA", LockMode::shared), 0u);
}

TEST(Tracker, InversionReportNamesBothLocksOnce) {
  Reports reports;
  Lock a("report.A"), b("report.B");
  auto ab = [&] { a.lock(); b.lock(); b.unlock(); a.unlock(); };
  auto ba = [&] { b.lock(); a.lock(); a.unlock(); b.unlock(); };
  on_thread(ab);
  on_thread(ba);
  on_thread(ba); // the same cycle again: reported once
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  std::string text = seen[0].to_string();
  EXPECT_EQ(text.rfind("fearless: possible deadlock (lock-order inversion)\n", 0), 0u)
      << text;
  EXPECT_NE(text.find("is trying to acquire 'report.A'"), std::string::npos) << text;
  EXPECT_NE(text.find("while already holding 'report.B'"), std::string::npos);
  EXPECT_NE(text.find("*** DEADLOCK ***"), std::string::npos);
  EXPECT_NE(text.find("Thread A"), std::string::npos);
}

TEST(Tracker, OneThreadsOwnInversionWaitsForASecondThread) {
  Reports reports;
  Lock a("solo.A"), b("solo.B");
  on_thread([&] {
    a.lock(); b.lock(); b.unlock(); a.unlock();
    b.lock(); a.lock(); a.unlock(); b.unlock();
  });
  EXPECT_TRUE(reports.take().empty());
  on_thread([&] { a.lock(); b.lock(); b.unlock(); a.unlock(); });
  EXPECT_EQ(reports.take().size(), 1u);
}

// Lockdep's strictness, for users who want it: one thread's own cycle is
// reported at once (issue 23), and only while the option is on.
TEST(Tracker, OneThreadsOwnInversionIsReportedWhenAsked) {
  Reports reports;
  bool old = fearless::set_report_single_thread_cycles(true);
  Lock a("strict.A"), b("strict.B");
  on_thread([&] {
    a.lock(); b.lock(); b.unlock(); a.unlock();
    b.lock(); a.lock(); a.unlock(); b.unlock();
  });
  fearless::set_report_single_thread_cycles(old);
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "lock-order inversion");
  EXPECT_FALSE(old);
}

TEST(Tracker, PairsNeverHeldTogetherAreNotReported) {
  Reports reports;
  Lock a("apart.A"), b("apart.B");
  on_thread([&] { a.lock(); a.unlock(); b.lock(); b.unlock(); });
  on_thread([&] { b.lock(); b.unlock(); a.lock(); a.unlock(); });
  EXPECT_TRUE(reports.take().empty());
}

TEST(Tracker, TryLockAddsNoEdgeButCountsAsHeld) {
  Reports reports;
  Lock a("try.A"), b("try.B"), c("try.C");
  on_thread([&] { a.lock(); b.try_lock(); b.unlock(); a.unlock(); });
  on_thread([&] { b.lock(); a.lock(); a.unlock(); b.unlock(); });
  EXPECT_TRUE(reports.take().empty()); // a try_lock cannot wait
  // But a lock held by try_lock orders what comes after it.
  on_thread([&] { b.try_lock(); c.lock(); c.unlock(); b.unlock(); });
  on_thread([&] { c.lock(); b.lock(); b.unlock(); c.unlock(); });
  EXPECT_EQ(reports.take().size(), 1u);
}

TEST(Tracker, ManyHeldLocksAndLongCycles) {
  Reports reports;
  constexpr int n = 20;
  std::vector<std::unique_ptr<Lock>> locks;
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i)
    names.push_back("long." + std::to_string(i));
  for (auto &name : names)
    locks.push_back(std::make_unique<Lock>(name.c_str()));
  for (int i = 0; i + 1 < n; ++i)
    on_thread([&] { locks[i]->lock(); locks[i + 1]->lock();
                    locks[i + 1]->unlock(); locks[i]->unlock(); });
  EXPECT_TRUE(reports.take().empty());
  on_thread([&] { locks[n - 1]->lock(); locks[0]->lock();
                  locks[0]->unlock(); locks[n - 1]->unlock(); });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_NE(seen[0].details.find("'long.10' --> 'long.11'"), std::string::npos);
  // 40 locks held at once, all in order: fine.
  std::vector<std::unique_ptr<Lock>> deep;
  std::vector<std::string> deep_names;
  for (int i = 0; i < 40; ++i)
    deep_names.push_back("deep." + std::to_string(i));
  for (auto &name : deep_names)
    deep.push_back(std::make_unique<Lock>(name.c_str()));
  on_thread([&] {
    for (auto &l : deep) l->lock();
    for (auto it = deep.rbegin(); it != deep.rend(); ++it) (*it)->unlock();
  });
  EXPECT_TRUE(reports.take().empty());
}

TEST(Tracker, AddressReuseInInstanceModeForgetsEdges) {
  Reports reports;
  auto old = fearless::set_class_mode(fearless::ClassMode::instance);
  Lock a("reuse.A");
  alignas(Lock) unsigned char storage[sizeof(Lock)];
  {
    auto *first = new (storage) Lock("reuse.B");
    on_thread([&] { a.lock(); first->lock(); first->unlock(); a.unlock(); });
    std::size_t edges = fearless::tracker_stats().edges;
    first->~Lock();
    EXPECT_EQ(fearless::tracker_stats().edges, edges - 1); // forgotten
  }
  auto *second = new (storage) Lock("reuse.B"); // same address, new lock
  on_thread([&] { second->lock(); a.lock(); a.unlock(); second->unlock(); });
  second->~Lock();
  fearless::set_class_mode(old);
  EXPECT_TRUE(reports.take().empty());
}

TEST(Tracker, LocksFromOneSiteShareAClass) {
  Reports reports;
  // Two instances constructed at one source line: one class. Nesting them
  // is one opposite order away from an ABBA between instances.
  std::vector<std::unique_ptr<fearless::Mutex<int>>> accounts;
  for (int i = 0; i < 2; ++i)
    accounts.emplace_back(new fearless::Mutex<int>());
  {
    auto g1 = accounts[0]->lock();
    auto g2 = accounts[1]->lock();
  }
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].to_string().rfind(
                "fearless: possible deadlock (same-class nesting)", 0),
            0u);
}

// The DOT graph's edges "from" -> "to" among classes whose name starts
// with `prefix`.
std::vector<std::pair<std::string, std::string>>
edges_from(const std::string &prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string dot = fearless::lock_graph_dot();
  for (std::size_t at = 0;
       (at = dot.find("  \"" + prefix, at)) != std::string::npos;) {
    std::size_t from_end = dot.find('"', at + 3);
    std::size_t to_begin = dot.find('"', from_end + 1) + 1;
    std::size_t to_end = dot.find('"', to_begin);
    out.emplace_back(dot.substr(at + 3, from_end - at - 3),
                     dot.substr(to_begin, to_end - to_begin));
    at = to_end;
  }
  return out;
}

TEST(Tracker, LocksDeclaredOnOneLineAreClassesNamedWithTheirColumns) {
  Reports reports;
  // Two sites on one line are two classes (a lockdep key per site), so
  // nesting them is an order, not same-class nesting; a line with one site
  // keeps the short name.
  const std::string line = std::to_string(__LINE__ + 1);
  fearless::Mutex<int> first(0), second(0);
  const std::string lone_line = std::to_string(__LINE__ + 1);
  fearless::Mutex<int> lone(0);
  on_thread([&] {
    auto g1 = first.lock();
    auto g2 = second.lock();
    auto g3 = lone.lock();
  });
  EXPECT_TRUE(reports.take().empty()) << "one class for two sites";
  const std::string site = "tracker_test.cpp:" + line + ":";
  auto edges = edges_from(site); // first -> second, first/second -> lone
  ASSERT_EQ(edges.size(), 3u) << fearless::lock_graph_dot();
  std::string a, b;
  for (const auto &[from, to] : edges) {
    EXPECT_EQ(from.rfind(site, 0), 0u) << from;
    EXPECT_GT(from.size(), site.size()) << from; // with the column
    if (to.rfind(site, 0) == 0) {
      EXPECT_TRUE(a.empty());
      a = from;
      b = to;
    } else {
      EXPECT_EQ(to, "tracker_test.cpp:" + lone_line); // no column
    }
  }
  EXPECT_GT(b.size(), site.size()) << b;
  EXPECT_NE(a, b);
}

TEST(Tracker, TheFirstLockOfALineIsRenamedWhenASecondIsMadeThere) {
  Reports reports;
  // Two statements on one line: `early` now, a second site there later.
  // clang-format off
  const std::string line = std::to_string(__LINE__ + 1);
  fearless::Mutex<int> early(0); auto make = [] { return new fearless::Mutex<int>(0); };
  // clang-format on
  const std::string site = "tracker_test.cpp:" + line;
  fearless::Mutex<int> outer(0);
  on_thread([&] {
    auto o = outer.lock();
    auto e = early.lock();
  });
  std::string dot = fearless::lock_graph_dot();
  EXPECT_NE(dot.find("\"" + site + "\""), std::string::npos) << dot;
  std::unique_ptr<fearless::Mutex<int>> later(make());
  on_thread([&] {
    auto o = outer.lock();
    auto l = later->lock();
  });
  dot = fearless::lock_graph_dot();
  EXPECT_EQ(dot.find("\"" + site + "\""), std::string::npos) << dot;
  std::size_t named = 0; // "outer" -> each of them, with its column
  for (std::size_t at = 0;
       (at = dot.find("-> \"" + site + ":", at)) != std::string::npos; ++at)
    ++named;
  EXPECT_EQ(named, 2u) << dot;
  EXPECT_TRUE(reports.take().empty());
}

TEST(Tracker, LocksMadeInsideTheStandardLibraryAreNotOneClass) {
  Reports reports;
  // make_unique constructs both at one line of <memory>: that site says
  // nothing about the locks, so each is a class of its own.
  auto a = std::make_unique<fearless::Mutex<int>>();
  auto b = std::make_unique<fearless::Mutex<int>>();
  {
    auto ga = a->lock();
    auto gb = b->lock();
  }
  EXPECT_TRUE(reports.take().empty());
}

TEST(Tracker, LockAllTakesOneClassTwiceWithoutAReport) {
  Reports reports;
  std::vector<std::unique_ptr<fearless::Mutex<int>>> accounts;
  for (int i = 0; i < 2; ++i)
    accounts.emplace_back(new fearless::Mutex<int>(100));
  auto transfer = [&](int from, int to) {
    auto [a, b] = fearless::lock_all(*accounts[from], *accounts[to]);
    *a -= 10;
    *b += 10;
  };
  on_thread([&] { transfer(0, 1); });
  on_thread([&] { transfer(1, 0); });
  EXPECT_TRUE(reports.take().empty());
  int total = *accounts[0]->lock();
  total += *accounts[1]->lock();
  EXPECT_EQ(total, 200);
  // A lock held before the batch still orders the batch after it. (The
  // outer lock is a hook-only one, so that ThreadSanitizer's own detector,
  // in the sanitizer runs, does not see the inversion this test makes.)
  Lock outer("batch.outer");
  on_thread([&] {
    outer.lock();
    { auto [a, b] = fearless::lock_all(*accounts[0], *accounts[1]); }
    outer.unlock();
  });
  on_thread([&] {
    auto g = accounts[1]->lock();
    outer.lock(); // accounts[1] then outer: the inversion
    outer.unlock();
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "lock-order inversion");
}

TEST(TrackerMisuse, DoubleLockIsReportedBeforeItHangs) {
  Reports reports;
  Lock a("misuse.double");
  a.lock();
  (void)fd::on_acquire(a.state, LockMode::exclusive); // would block forever
  a.unlock();
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].to_string().rfind("fearless: misuse: double lock\n", 0), 0u);
}

TEST(TrackerMisuse, UnlockOfALockNotHeld) {
  Reports reports;
  Lock a("misuse.unheld");
  a.lock();
  a.unlock();
  a.unlock();
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "unlock of a lock that is not held");
}

TEST(TrackerMisuse, ReleaseOnAnotherThread) {
  Reports reports;
  Lock a("misuse.moved");
  a.lock();
  on_thread([&] { a.unlock(); });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "lock released by a thread that does not hold it");
}

TEST(TrackerMisuse, DestroyingALockedLock) {
  Reports reports;
  alignas(Lock) unsigned char storage[sizeof(Lock)];
  auto *a = new (storage) Lock("misuse.destroy");
  a->lock();
  a->~Lock();
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "destroying a locked lock");
}

TEST(TrackerMisuse, ThreadExitWithLocksHeld) {
  Reports reports;
  Lock a("misuse.exit");
  on_thread([&] { a.lock(); });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "thread exited while holding locks");
}

TEST(Tracker, DotGraphHasTheEdges) {
  Lock a("dot.A"), b("dot.B");
  on_thread([&] { a.lock(); b.lock(); b.unlock(); a.unlock(); });
  std::string dot = fearless::lock_graph_dot();
  EXPECT_NE(dot.find("\"dot.A\" -> \"dot.B\" [label=\"X->X\"]"), std::string::npos)
      << dot;
}

// A real two-thread deadlock on fearless::Mutex is reported at once instead
// of hanging: the report handler ends the (death-test) process.
TEST(TrackerDeathTest, RealDeadlockIsReportedNotHung) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto deadlock = [] {
        exit_42_on_deadlock_report();
        fearless::Mutex<int> a, b;
        std::barrier sync(2);
        std::thread t1([&] {
          auto ga = a.lock();
          sync.arrive_and_wait();
          auto gb = b.lock();
        });
        std::thread t2([&] {
          auto gb = b.lock();
          sync.arrive_and_wait();
          auto ga = a.lock();
        });
        t1.join();
        t2.join();
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              "fearless: deadlock\n(.|\n)*waits for");
}

// Holding a lock while joining a thread that needs it: the join waits for
// the thread, the thread waits for the lock.
TEST(TrackerDeathTest, JoinWhileHoldingTheLockTheThreadNeedsIsADeadlock) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto deadlock = [] {
    exit_42_on_deadlock_report();
    fearless::Mutex<int> m(0);
    auto g = m.lock();
    auto worker = fearless::Builder().name("worker").spawn([&] { *m.lock() += 1; });
    worker.join();
  };
  EXPECT_EXIT(deadlock(), testing::ExitedWithCode(42),
              // Either thread may be the last to block and report.
              "fearless: deadlock\n(.|\n)*(the end of a thread(.|\n)*"
              "'worker' waits for|'worker' waits for(.|\n)*the end of a "
              "thread)");
}

TEST(TrackerMisuse, JoinOfOneself) {
  if (const char *san = std::getenv("FEARLESS_TEST_SANITIZER");
      san && std::string(san) == "thread")
    GTEST_SKIP() << "ThreadSanitizer's pthread_join aborts on a self-join";
  Reports reports;
  std::optional<fearless::JoinHandle<void>> self;
  std::atomic<bool> go{false}, done{false};
  self.emplace(fearless::spawn([&] {
    while (!go.load())
      std::this_thread::yield();
    // Reported before the wait; std::thread then refuses to join itself.
    try {
      self->join();
    } catch (const std::exception &) {
    }
    done = true;
  }));
  go = true;
  while (!done.load())
    std::this_thread::yield();
  self->join();
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u) << seen[0].to_string() << seen.back().to_string();
  EXPECT_EQ(seen[0].title, "join of oneself");
}

TEST(TrackerDeathTest, AbortPolicyAbortsOnTheFirstReport) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto inversion = [] {
        fearless::set_policy(fearless::Policy::abort);
        Lock a("abort.A"), b("abort.B");
        on_thread([&] { a.lock(); b.lock(); b.unlock(); a.unlock(); });
        on_thread([&] { b.lock(); a.lock(); a.unlock(); b.unlock(); });
  };
  EXPECT_DEATH(inversion(),
               "fearless: possible deadlock \\(lock-order inversion\\)");
}

} // namespace

#endif // FEARLESS_LOCK_TRACKING
