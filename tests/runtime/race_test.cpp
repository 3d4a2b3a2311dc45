// The race detector (fearless/watched.h): races that must be reported and
// race-free hand-offs that must not be.
//
// Interleavings are forced with std::latch and std::atomic, which fearless
// does not see as synchronisation: the racy tests therefore order the two
// accesses in time without ordering them for the detector, so its verdict
// does not depend on the scheduler. The race-free tests synchronise only
// through fearless primitives.
//
// Under ThreadSanitizer fearless's own detector steps aside (TSan checks
// Watched's plain accesses itself and would stop at the races below), so
// the racy tests are skipped there and the race-free ones must stay silent
// for TSan too.
#include "fearless/watched.h"

#include "fearless/channel.h"
#include "fearless/condvar.h"
#include "fearless/mutex.h"
#include "fearless/rwlock.h"
#include "fearless/thread.h"
#include "fearless/tracker.h"
#include "tracker_test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <latch>
#include <mutex>
#include <memory>
#include <regex>
#include <source_location>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using fearless::ReportKind;
using fearless_test::Reports;

// The racy tests need fearless's own detector: not compiled in with
// FEARLESS_LOCK_TRACKING=0, and stepping aside under ThreadSanitizer.
#define SKIP_WITHOUT_DETECTOR()                                                \
  do {                                                                         \
    if (fearless_test::under_tsan() || FEARLESS_DETAIL_UNDER_TSAN)             \
      GTEST_SKIP() << "fearless's detector is compiled out under "             \
                      "ThreadSanitizer; RaceUnderTsan checks the hand-over";   \
    if (!FEARLESS_RACE_DETECTION)                                              \
      GTEST_SKIP() << "built with FEARLESS_LOCK_TRACKING=0: no detector";      \
  } while (0)

// FileCheck's CHECK-NEXT: `lines` match consecutive lines of `text`, the
// first anywhere; each is a regular expression that must match a whole line.
::testing::AssertionResult lines_match(const std::string &text,
                                       const std::vector<std::string> &lines) {
  std::vector<std::string> got;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    got.push_back(l);
  for (std::size_t start = 0; start < got.size(); ++start) {
    std::size_t i = 0;
    while (i < lines.size() && start + i < got.size() &&
           std::regex_match(got[start + i], std::regex(lines[i])))
      ++i;
    if (i == lines.size())
      return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected consecutive lines\n"
                                       <<
         [&] {
           std::string s;
           for (auto &l : lines)
             s += "  " + l + "\n";
           return s;
         }() << "in:\n" << text;
}

// "<file>:<line>" of a site, as reports print it.
std::string at(const std::source_location &where) {
  std::string f = where.file_name();
  return f.substr(f.rfind('/') + 1) + ":" + std::to_string(where.line());
}

std::vector<fearless::Report> races(Reports &reports) {
  std::vector<fearless::Report> out;
  for (auto &r : reports.take())
    if (r.kind == ReportKind::data_race)
      out.push_back(std::move(r));
  return out;
}

// The one data race reported: a test failure, and an empty report, if
// there is not exactly one.
fearless::Report the_race(Reports &reports) {
  auto seen = races(reports);
  EXPECT_EQ(seen.size(), 1u);
  if (seen.size() != 1)
    return {ReportKind::data_race, "", "", ""};
  return seen[0];
}

// Runs `first()` on a new fearless thread named `name`, waits until it is
// done -- with a std::latch, which orders the two in time but not for
// fearless -- then runs `second()` on this thread, then joins. Returns
// what `second()` returned.
template <class First, class Second>
auto one_after_the_other(std::string name, First first, Second second) {
  std::latch done(1);
  auto h = fearless::Builder().name(std::move(name)).spawn([&] {
    first();
    done.count_down();
  });
  done.wait();
  struct Joiner {
    fearless::JoinHandle<void> &h;
    ~Joiner() { h.join(); }
  } joiner{h};
  return second();
}

// This test binary.
std::string self_exe() {
  char buf[4096];
  ssize_t len = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return len > 0 ? std::string(buf, std::size_t(len)) : std::string();
}

// Runs one test of this binary in a child process with `env` set; returns
// its exit status and puts its stderr in `err`.
int run_child(const std::string &env, const std::string &test,
              std::string *err) {
  char path[] = "/tmp/fearless_race_child_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    return -1;
  close(fd);
  std::string cmd = env + " '" + self_exe() + "' --gtest_filter=" + test +
                    " >/dev/null 2>" + path;
  int status = std::system(cmd.c_str());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  *err = text.str();
  std::remove(path);
  return status;
}

// --- races that must be reported ---------------------------------------------

TEST(Race, WriteWriteWithoutSynchronisationIsReported) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  fearless::Watched<int> hits{fearless::named("hits"), 0};
  const auto writer_site = std::source_location::current();
  const auto main_site = std::source_location::current();
  one_after_the_other(
      "writer", [&] { hits.set(1, writer_site); },
      [&] { hits.set(2, main_site); });
  const fearless::Report race = the_race(reports);
  EXPECT_EQ(race.title, "write of 'hits' by thread 'main' races with a "
                        "previous write by thread 'writer'");
  EXPECT_TRUE(lines_match(
      race.to_string(),
      {"fearless: data race",
       "  write of 'hits' by thread 'main' races with a previous write by "
       "thread 'writer'",
       "  this write:     .*TestBody.* at " + at(main_site),
       "  previous write: .*TestBody.* at " + at(writer_site),
       "  location: 'hits', 4 bytes at 0x[0-9a-f]+",
       "  no fearless synchronisation orders the two \\(unlock -> lock, send "
       "-> recv, spawn -> start, end -> join\\)",
       "  hint: guard it with a fearless::Mutex, or hand it over through a "
       "channel so that one thread owns it at a time",
       "  stack of this write:", "    #0 .*"}));
}

TEST(Race, ReadAfterUnorderedWriteIsReported) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  fearless::Watched<long> total{fearless::named("total"), 0};
  const auto producer_site = std::source_location::current();
  const auto main_site = std::source_location::current();
  long seen_total = one_after_the_other(
      "producer", [&] { total.update([](long &v) { v += 5; }, producer_site); },
      [&] { return total.get(main_site); }); // no join, lock or channel
  EXPECT_EQ(seen_total, 5);
  const fearless::Report race = the_race(reports);
  EXPECT_EQ(race.title, "read of 'total' by thread 'main' races with a "
                        "previous write by thread 'producer'");
  EXPECT_TRUE(lines_match(race.to_string(),
                          {"  this read:     .* at " + at(main_site),
                           "  previous write: .* at " + at(producer_site)}));
  EXPECT_TRUE(lines_match(race.to_string(),
                          {"  hint: guard it with a fearless::Mutex \\(an "
                           "RwLock if reads dominate\\), or send the value "
                           "through a channel instead of sharing it"}));
}

TEST(Race, WriteAfterUnorderedReadIsReported) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  fearless::Watched<int> limit{fearless::named("limit"), 10};
  one_after_the_other(
      "reader", [&] { (void)limit.inspect([](const int &v) { return v; }); },
      [&] { limit.set(20); });
  const fearless::Report race = the_race(reports);
  EXPECT_EQ(race.title, "write of 'limit' by thread 'main' races with a "
                        "previous read by thread 'reader'");
}

TEST(Race, ReadsByTwoThreadsThenAWriteReportsTheUnorderedRead) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  fearless::Watched<int> cfg{fearless::named("cfg"), 1};
  std::latch both(2);
  // Two concurrent readers: no race between them, but the read vector must
  // keep both for the write that follows.
  auto a = fearless::Builder().name("r1").spawn([&] {
    (void)cfg.get();
    both.count_down();
  });
  auto b = fearless::Builder().name("r2").spawn([&] {
    (void)cfg.get();
    both.count_down();
  });
  both.wait();
  a.join(); // orders r1's read before main's write, not r2's
  cfg.set(2);
  b.join();
  const fearless::Report race = the_race(reports);
  EXPECT_EQ(race.title, "write of 'cfg' by thread 'main' races with a "
                        "previous read by thread 'r2'");
}

// A reader of the read vector skips its later reads in the same epoch
// (t_seen): a write by another thread must end that, or the reader's read
// after the write goes unchecked.
TEST(Race, ReadVectorReaderReadingAgainAfterAnUnorderedWriteIsReported) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  fearless::Watched<int> cfg{fearless::named("cfg"), 1};
  std::latch r2_read(1), r1_read(1), written(1);
  auto r2 = fearless::Builder().name("r2").spawn([&] {
    (void)cfg.get();
    r2_read.count_down();
  });
  auto r1 = fearless::Builder().name("r1").spawn([&] {
    r2_read.wait();
    (void)cfg.get(); // joins r2's read: the read vector
    r1_read.count_down();
    written.wait(); // not a release: the same epoch
    (void)cfg.get();
  });
  auto w = fearless::Builder().name("w").spawn([&] {
    r1_read.wait();
    cfg.set(2);
    written.count_down();
  });
  r1.join();
  r2.join();
  w.join();
  auto seen = races(reports);
  ASSERT_EQ(seen.size(), 2u); // the write, then r1's second read
  EXPECT_EQ(seen[1].title, "read of 'cfg' by thread 'r1' races with a "
                           "previous write by thread 'w'");
}

// A release starts a new epoch: a read after it must be recorded again in
// the read vector, for a writer ordered only after the release.
TEST(Race, ReadVectorReadAfterAReleaseIsRecordedAgain) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  fearless::Watched<int> cfg{fearless::named("cfg"), 1};
  fearless::Mutex<int> mu(0);
  std::latch r2_read(1), r1_done(1);
  auto r2 = fearless::Builder().name("r2").spawn([&] {
    (void)cfg.get();
    r2_read.count_down();
  });
  auto r1 = fearless::Builder().name("r1").spawn([&] {
    r2_read.wait();
    {
      auto g = mu.lock();
      (void)cfg.get(); // joins r2's read: the read vector
    }                  // the unlock: a new epoch
    (void)cfg.get();
    r1_done.count_down();
  });
  r2.join();
  r1_done.wait();
  {
    auto g = mu.lock(); // after r1's first read, not its second
    cfg.set(2);
  }
  r1.join();
  EXPECT_EQ(the_race(reports).title,
            "write of 'cfg' by thread 'main' races with a previous read by "
            "thread 'r1'");
}

TEST(Race, ValueModifiedBySenderAfterSendIsReported) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  auto [tx, rx] = fearless::channel<std::shared_ptr<fearless::Watched<int>>>();
  std::latch received(1);
  const auto read_site = std::source_location::current();
  auto consumer =
      fearless::Builder()
          .name("consumer")
          .spawn(
              [&received, read_site](
                  fearless::Receiver<std::shared_ptr<fearless::Watched<int>>>
                      rx) {
                auto msg = rx.recv().value();
                int v = msg->get(read_site); // ordered after the send: fine
                received.count_down();
                return v;
              },
              std::move(rx));
  auto msg =
      std::make_shared<fearless::Watched<int>>(fearless::named("msg"), 1);
  tx.send(msg).value();
  received.wait();
  const auto write_site = std::source_location::current();
  msg->set(2, write_site); // the sender keeps using what it sent
  EXPECT_EQ(consumer.join(), 1);
  const fearless::Report race = the_race(reports);
  EXPECT_EQ(race.title, "write of 'msg' by thread 'main' races with a "
                        "previous read by thread 'consumer'");
  EXPECT_TRUE(lines_match(race.to_string(),
                          {"  this write:     .* at " + at(write_site),
                           "  previous read:  .* at " + at(read_site)}));
}

TEST(Race, BufferWrittenBySenderAfterSendIsReportedByWatchWrite) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  std::vector<int> buffer(16, 0); // plain memory, watched by hand
  auto [tx, rx] = fearless::sync_channel<std::size_t>(1); // "it is ready"
  std::latch received(1);
  int sum = 0;
  fearless::scope([&](fearless::Scope &s) {
    (void)s.builder().name("consumer").spawn([&, rx = std::move(rx)]() mutable {
      std::size_t n = rx.recv().value();
      fearless::watch_read(buffer.data(), n * sizeof(int));
      for (std::size_t i = 0; i < n; ++i)
        sum += buffer[i];
      received.count_down();
    });
    fearless::watch_write(buffer.data(), buffer.size() * sizeof(int));
    for (int &x : buffer)
      x = 1;
    tx.send(buffer.size()).value();
    received.wait();
    fearless::watch_write(&buffer[3], sizeof(int)); // still the sender's?
    buffer[3] = 7;
  });
  EXPECT_EQ(sum, 16);
  const fearless::Report race = the_race(reports);
  EXPECT_TRUE(std::regex_match(
      race.title, std::regex("write of the memory at 0x[0-9a-f]+ by thread "
                             "'main' races with a previous read by thread "
                             "'consumer'")))
      << race.title;
  fearless::unwatch(buffer.data(), buffer.size() * sizeof(int));
}

TEST(Race, ReferenceKeptAfterTheGuardWasDroppedIsReported) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  const auto lock_site = std::source_location::current();
  fearless::Mutex<std::vector<int>> shared(std::vector<int>(4, 0), lock_site);
  std::latch kept(1), other_done(1);
  auto h = fearless::Builder().name("keeper").spawn([&] {
    int *kept_ptr;
    {
      auto g = shared.lock();
      kept_ptr = &(*g)[0];
      fearless::watch_write(kept_ptr, sizeof(int));
      *kept_ptr = 1;
    } // the guard is gone, the pointer is not
    kept.count_down();
    other_done.wait();
    fearless::watch_write(kept_ptr, sizeof(int)); // no lock held
    *kept_ptr = 2;
  });
  kept.wait();
  {
    auto g = shared.lock(); // ordered after keeper's first write: fine
    fearless::watch_read(&(*g)[0], sizeof(int));
    EXPECT_EQ((*g)[0], 1);
  }
  other_done.count_down();
  h.join();
  const fearless::Report race = the_race(reports);
  EXPECT_EQ(race.title.substr(race.title.find(" by thread")),
            " by thread 'keeper' races with a previous read by thread 'main'");
  EXPECT_TRUE(lines_match(
      race.to_string(),
      {"  hint: the previous read held '" + at(lock_site) +
       "' but this write holds no lock: take it here too \\(was a pointer or "
       "reference kept after its guard was dropped\\?\\)"}));
}

// One site used under several locks in turn (a helper called from several
// critical sections): each access is recorded with the lock held at it, so
// the report names both.
void add_one(fearless::Watched<int> &x,
             std::source_location where = std::source_location::current()) {
  x.update([](int &v) { ++v; }, where);
}

// A spawned thread updates a value at `helper` under each of `turns` in
// order, `rounds` times; then this thread does under `other`. The report's
// hint must name the last turn's lock and `other`. (Each test passes a
// site of its own: a pair of sites is reported once per process.)
void expect_each_access_recorded_with_its_lock(
    std::initializer_list<fearless::Mutex<int> *> turns, int rounds,
    fearless::Mutex<int> &other, const std::source_location &last_site,
    const std::source_location &other_site,
    const std::source_location &helper) {
  Reports reports;
  fearless::Watched<int> x{fearless::named("x"), 0};
  one_after_the_other(
      "other",
      [&] {
        for (int round = 0; round < rounds; ++round)
          for (fearless::Mutex<int> *m : turns) {
            auto g = m->lock();
            add_one(x, helper);
          }
      },
      [&] {
        auto g = other.lock(); // not what the last write held
        add_one(x, helper);
      });
  const fearless::Report race = the_race(reports);
  EXPECT_TRUE(lines_match(
      race.to_string(), {"  hint: the two accesses hold different locks \\('" +
                         at(last_site) + "' and '" + at(other_site) +
                         "'\\): guard the value with one "
                         "fearless::Mutex, always the same"}))
      << race.to_string();
}

TEST(Race, ASiteUsedUnderTwoLocksIsRecordedWithEach) {
  SKIP_WITHOUT_DETECTOR();
  const auto site_a = std::source_location::current();
  fearless::Mutex<int> a(0, site_a);
  const auto site_b = std::source_location::current();
  fearless::Mutex<int> b(0, site_b);
  // a, b, a: the last write is recorded with 'a'; the thread's site cache
  // holds both.
  expect_each_access_recorded_with_its_lock({&a, &b, &a}, 1, b, site_a, site_b,
                                            std::source_location::current());
}

TEST(Race, ASiteUsedUnderThreeLocksInTurnIsRecordedWithEach) {
  SKIP_WITHOUT_DETECTOR();
  const auto site_a = std::source_location::current();
  fearless::Mutex<int> a(0, site_a);
  const auto site_b = std::source_location::current();
  fearless::Mutex<int> b(0, site_b);
  const auto site_c = std::source_location::current();
  fearless::Mutex<int> c(0, site_c);
  // Three locks in turn miss the thread's two-way site cache every time
  // and go to the process-wide index: it must keep the locks apart too.
  expect_each_access_recorded_with_its_lock({&a, &b, &c}, 3, a, site_c, site_a,
                                            std::source_location::current());
}

TEST(Race, APairOfSitesIsReportedOnce) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  fearless::Watched<int> n{fearless::named("n"), 0};
  for (int round = 0; round < 3; ++round) {
    one_after_the_other(
        "writer", [&] { n.set(round); },
        [&] { n.set(-round); }); // races with the spawned write each round
  }
  EXPECT_EQ(races(reports).size(), 1u);
}

TEST(Race, WritesUnderReadLocksAreNotOrderedByThem) {
  SKIP_WITHOUT_DETECTOR();
  // Two readers of an RwLock are not ordered by it: a write made under a
  // read lock (a bug) races with a later reader's write.
  Reports reports;
  fearless::Watched<int> value{fearless::named("value3"), 0};
  fearless::RwLock<int> lock(0);
  std::latch first(1);
  auto a = fearless::spawn([&] {
    {
      auto g = lock.read();
      value.set(1); // a write under a read lock
    }
    first.count_down();
  });
  first.wait();
  {
    auto g = lock.read(); // read-unlock -> read-lock: no order
    value.set(2);
  }
  a.join();
  EXPECT_EQ(races(reports).size(), 1u);
}

// --- race-free programs that must not be reported
// ------------------------------

TEST(RaceFree, HandOffThroughAChannel) {
  Reports reports;
  auto [tx, rx] = fearless::channel<std::unique_ptr<fearless::Watched<int>>>();
  auto consumer = fearless::spawn(
      [](fearless::Receiver<std::unique_ptr<fearless::Watched<int>>> rx) {
        auto msg = rx.recv().value();
        msg->update([](int &v) { v *= 2; }); // the receiver owns it now
        return msg->get();
      },
      std::move(rx));
  auto msg =
      std::make_unique<fearless::Watched<int>>(fearless::named("job"), 0);
  msg->set(21);
  tx.send(std::move(msg)).value();
  EXPECT_EQ(consumer.join(), 42);
  EXPECT_TRUE(races(reports).empty());
}

TEST(RaceFree, RendezvousOrdersBothWays) {
  Reports reports;
  fearless::Watched<int> box{fearless::named("box"), 0};
  auto [tx, rx] = fearless::sync_channel<int>(0);
  auto receiver = fearless::spawn(
      [&box](fearless::Receiver<int> rx) {
        box.set(1); // before the receive...
        return rx.recv().value();
      },
      std::move(rx));
  tx.send(5).value();
  EXPECT_EQ(box.get(), 1); // ...is before the send returned
  EXPECT_EQ(receiver.join(), 5);
  EXPECT_TRUE(races(reports).empty());
}

TEST(RaceFree, HandOffThroughAMutex) {
  Reports reports;
  fearless::Watched<int> count{fearless::named("count"), 0};
  fearless::Mutex<bool> turn(false); // guards `count` by convention
  std::atomic<bool> first_done{false};
  auto h = fearless::spawn([&] {
    auto g = turn.lock();
    count.update([](int &v) { ++v; });
    *g = true;
    first_done.store(true);
  });
  while (!first_done.load())
    std::this_thread::yield();
  {
    auto g = turn.lock(); // after the spawned thread's unlock
    count.update([](int &v) { ++v; });
  }
  h.join();
  EXPECT_EQ(count.get(), 2);
  EXPECT_TRUE(races(reports).empty());
}

// Waits (yielding) until `step` is `k`: orders threads in time, not for
// fearless.
void wait_for_step(const std::atomic<int> &step, int k) {
  while (step.load() != k)
    std::this_thread::yield();
}

// A lock handed back and forth records only its releaser's own clock
// component (src/race/sync.cpp, RaceSync::pending) -- unless the releaser
// acquired something else meanwhile: then what it acquired goes with the
// lock too. Thread "a" learns of c's write through a tag, then hands the
// mutex to main, which has taken it from "a" before (both memos warm).
// `chained` false: "a" skips the tag, and main's read races with c's write.
// `read_at`: main's read, a site of each test's own (a pair of sites is
// reported once per process).
void lock_hand_off_after_another_acquire(bool chained,
                                         std::source_location read_at) {
  Reports reports;
  fearless::Watched<int> x{fearless::named("x"), 0};
  fearless::Mutex<int> m(0);
  int tag = 0;
  std::atomic<int> step{0};
  auto a = fearless::Builder().name("a").spawn([&] {
    for (int round = 0; round < 3; ++round) {
      wait_for_step(step, 2 * round);
      *m.lock() += 1;
      step.store(2 * round + 1);
    }
    wait_for_step(step, 7);
    if (chained)
      fearless::sync_acquire(&tag);
    *m.lock() += 1;
    step.store(8);
  });
  for (int round = 0; round < 3; ++round) {
    wait_for_step(step, 2 * round + 1);
    *m.lock() += 1;
    step.store(2 * round + 2);
  }
  auto c = fearless::Builder().name("c").spawn([&] {
    wait_for_step(step, 6);
    x.set(1);
    fearless::sync_release(&tag);
    step.store(7);
  });
  wait_for_step(step, 8);
  int got = 0;
  {
    auto g = m.lock();
    got = x.get(read_at);
  }
  a.join();
  c.join();
  EXPECT_EQ(got, 1);
  auto seen = races(reports);
  if (chained) {
    EXPECT_TRUE(seen.empty());
  } else {
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_NE(seen[0].title.find("read of 'x' by thread 'main' races with a "
                                 "previous write by thread 'c'"),
              std::string::npos)
        << seen[0].title;
  }
}

TEST(RaceFree, LockHandOffCarriesWhatTheReleaserAcquiredElsewhere) {
  SKIP_WITHOUT_DETECTOR();
  lock_hand_off_after_another_acquire(true, std::source_location::current());
}

TEST(Race, LockHandOffWithoutTheOtherAcquireDoesNotOrder) {
  SKIP_WITHOUT_DETECTOR();
  lock_hand_off_after_another_acquire(false, std::source_location::current());
}

// More threads take turns with one mutex than its sync object keeps own
// components for (RaceSync::kPending): thread i reads cell i+5 and writes
// cell i, so each write meets a read made five turns (five threads) before
// -- whose clock component the object has folded into its base clock by
// then. Every thread must still see it.
TEST(RaceFree, ManyThreadsTakingTurnsWithOneMutex) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  constexpr int kThreads = 7, kRounds = 4;
  struct Cells {
    fearless::Watched<int> c[kThreads]{
        fearless::Watched<int>(0), fearless::Watched<int>(0),
        fearless::Watched<int>(0), fearless::Watched<int>(0),
        fearless::Watched<int>(0), fearless::Watched<int>(0),
        fearless::Watched<int>(0)};
  } cells;
  fearless::Mutex<int> m(0);
  std::atomic<int> step{0};
  std::vector<fearless::JoinHandle<void>> hs;
  for (int i = 0; i < kThreads; ++i)
    hs.push_back(fearless::spawn([&, i] {
      for (int round = 0; round < kRounds; ++round) {
        wait_for_step(step, round * kThreads + i);
        {
          auto g = m.lock();
          (void)cells.c[(i + 5) % kThreads].get();
          cells.c[i].set(round + 1);
        }
        step.store(round * kThreads + i + 1);
      }
    }));
  for (auto &h : hs)
    h.join();
  for (auto &c : cells.c)
    EXPECT_EQ(c.get(), kRounds);
  EXPECT_TRUE(races(reports).empty());
}

// std::mutex, atomics, a library's queue: fearless does not see them, and
// sync_release / sync_acquire on a tag say what they order.
TEST(RaceFree, HandOffThroughUserSynchronisationTags) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  fearless::Watched<int> slot{fearless::named("slot"), 0};
  std::mutex queue_mu; // the tag: what the real code synchronises on
  int got = one_after_the_other(
      "producer",
      [&] {
        slot.set(7);
        fearless::sync_release(&queue_mu);
      },
      [&] {
        fearless::sync_acquire(&queue_mu);
        return slot.get();
      });
  EXPECT_EQ(got, 7);
  EXPECT_TRUE(races(reports).empty());
}

TEST(Race, AcquireOfAnotherTagDoesNotOrder) {
  SKIP_WITHOUT_DETECTOR();
  Reports reports;
  fearless::Watched<int> slot{fearless::named("slot"), 0};
  std::mutex released, acquired;
  one_after_the_other(
      "producer",
      [&] {
        slot.set(7);
        fearless::sync_release(&released);
      },
      [&] {
        fearless::sync_acquire(&acquired);
        return slot.get();
      });
  EXPECT_EQ(the_race(reports).title,
            "read of 'slot' by thread 'main' races with a previous write by "
            "thread 'producer'");
}

TEST(RaceFree, HandOffThroughJoin) {
  Reports reports;
  fearless::Watched<std::string> out{fearless::named("out")};
  auto h = fearless::spawn([&] { out.set("done"); });
  h.join();
  EXPECT_EQ(out.get(), "done");
  out.set("again");
  EXPECT_TRUE(races(reports).empty());
}

TEST(RaceFree, HandOffThroughACondvarPredicate) {
  Reports reports;
  fearless::Watched<int> result{fearless::named("result"), 0};
  fearless::Mutex<bool> ready(false);
  fearless::Condvar cv;
  auto h = fearless::spawn([&] {
    result.set(42); // before the predicate is published under the mutex
    *ready.lock() = true;
    cv.notify_one();
  });
  {
    auto g = ready.lock();
    cv.wait_while(g, [](bool &r) { return !r; });
  }
  EXPECT_EQ(result.get(), 42);
  h.join();
  EXPECT_TRUE(races(reports).empty());
}

TEST(RaceFree, ScopeEndOrdersItsThreads) {
  Reports reports;
  fearless::Watched<int> a{fearless::named("a"), 0}, b{fearless::named("b"), 0};
  fearless::scope([&](fearless::Scope &s) {
    (void)s.spawn([&] { a.set(1); }); // not joined by its handle
    (void)s.spawn([&] { b.set(2); });
  });
  EXPECT_EQ(a.get() + b.get(), 3);
  EXPECT_TRUE(races(reports).empty());
}

TEST(RaceFree, RwLockWriterThenReadersThenWriter) {
  Reports reports;
  fearless::Watched<int> value{fearless::named("value"), 0};
  fearless::RwLock<int> lock(0); // orders `value` by convention
  std::latch written(1), read(2);
  auto w = fearless::spawn([&] {
    {
      auto g = lock.write();
      value.set(1);
    }
    written.count_down();
  });
  written.wait();
  auto reader = [&] {
    auto g = lock.read(); // write-unlock -> read-lock
    EXPECT_EQ(value.get(), 1);
    read.count_down();
  };
  auto r1 = fearless::spawn(reader);
  auto r2 = fearless::spawn(reader);
  read.wait();
  r1.join();
  r2.join();
  {
    auto g = lock.write(); // read-unlocks -> write-lock (joins order it too)
    value.set(2);
  }
  w.join();
  EXPECT_TRUE(races(reports).empty());
}

TEST(RaceFree, ReadUnlockOrdersTheNextWriterWithoutJoin) {
  Reports reports;
  fearless::Watched<int> value{fearless::named("value2"), 0};
  fearless::RwLock<int> lock(0);
  std::latch read(1), may_exit(1);
  auto r = fearless::spawn([&] {
    {
      auto g = lock.read();
      (void)value.get();
    }
    read.count_down();
    may_exit.wait();
  });
  read.wait();
  {
    auto g = lock.write(); // only the read-unlock orders the read before
    value.set(3);
  }
  may_exit.count_down();
  r.join();
  EXPECT_TRUE(races(reports).empty());
}

TEST(RaceFree, ReadUnlockOrdersAWriterThroughAnEarlierWriter) {
  Reports reports;
  // reader: read-unlock -> first writer (main): write-unlock -> second
  // writer. The first writer's release covers the read-unlock's clock (the
  // lock's read clock is dropped there), so the second writer is ordered
  // after the read. The latches force the order and order nothing.
  fearless::Watched<int> value{fearless::named("value5"), 0};
  fearless::Watched<int> other{fearless::named("other5"), 0};
  fearless::RwLock<int> lock(0);
  std::latch read(1), first_wrote(1);
  auto second = fearless::spawn([&] {
    first_wrote.wait();
    auto g = lock.write();
    value.set(5);
  });
  auto reader = fearless::spawn([&] {
    {
      auto g = lock.read();
      (void)value.get();
    }
    read.count_down();
  });
  read.wait();
  {
    auto g = lock.write();
    other.set(1);
  }
  first_wrote.count_down();
  second.join();
  reader.join();
  EXPECT_TRUE(races(reports).empty());
}

TEST(Race, AReadAfterItsReadUnlockIsNotCarriedByTheWriters) {
  SKIP_WITHOUT_DETECTOR();
  // The negative twin: the same three threads, but the reader reads after
  // its read-unlock, which then orders nothing before the read.
  Reports reports;
  fearless::Watched<int> value{fearless::named("value6"), 0};
  fearless::Watched<int> other{fearless::named("other6"), 0};
  fearless::RwLock<int> lock(0);
  std::latch read(1), first_wrote(1);
  auto second = fearless::spawn([&] {
    first_wrote.wait();
    auto g = lock.write();
    value.set(6); // races with the reader's read
  });
  auto reader = fearless::spawn([&] {
    { auto g = lock.read(); }
    (void)value.get(); // outside the lock
    read.count_down();
  });
  read.wait();
  {
    auto g = lock.write();
    other.set(1);
  }
  first_wrote.count_down();
  second.join();
  reader.join();
  EXPECT_EQ(races(reports).size(), 1u);
}

TEST(RaceFree, ReadUnlocksAfterAWriterAreCarriedToTheNextWriter) {
  Reports reports;
  // A write-unlock drops the lock's read clock (a read-unlock is in it
  // here); later read-unlocks fill it again, and the next writer is
  // ordered after them.
  fearless::Watched<int> value{fearless::named("value7"), 0};
  fearless::RwLock<int> lock(0);
  std::latch read(1);
  auto second = fearless::spawn([&] {
    read.wait();
    auto g = lock.write(); // read-unlock -> write-lock
    value.set(7);
  });
  { auto g = lock.read(); } // fills the read clock the next unlock drops
  {
    auto g = lock.write();
    value.set(1);
  }
  auto reader = fearless::spawn([&] { // spawned after the write
    {
      auto g = lock.read();
      (void)value.get();
    }
    read.count_down();
  });
  second.join();
  reader.join();
  EXPECT_TRUE(races(reports).empty());
}

// --- JSON --------------------------------------------------------------------
// A child run of this binary with FEARLESS_REPORT_JSON set (read at start-up)
// makes one report; the parent parses the file.
// The layout docs/runtime/race.md promises: a Watched<int> is 32 bytes
// with the detector (eight in a row span four cache lines), and a plain
// int without it (ThreadSanitizer, FEARLESS_LOCK_TRACKING=0).
TEST(WatchedLayout, IntIsThirtyTwoBytesWithTheDetectorAndPlainWithout) {
  if (FEARLESS_RACE_DETECTION)
    EXPECT_EQ(sizeof(fearless::Watched<int>), 32u);
  else
    EXPECT_EQ(sizeof(fearless::Watched<int>), sizeof(int));
}

TEST(RaceJson, Child) {
  if (!std::getenv("FEARLESS_RACE_TEST_CHILD"))
    GTEST_SKIP() << "run by RaceJson.ReportHasTheTrackersFieldsAndBothAccesses";
  fearless::Watched<int> hits{fearless::named("json_hits"), 0};
  one_after_the_other(
      "json_writer", [&] { hits.set(1); }, // JSON-WRITE
      [&] { (void)hits.get(); });          // JSON-READ
}

// The line of this file whose comment is `// <marker>` (the child's sites).
std::string line_of(const std::string &marker) {
  std::ifstream src(__FILE__);
  int n = 0;
  for (std::string l; std::getline(src, l);) {
    ++n;
    if (l.size() >= marker.size() + 3 &&
        l.compare(l.size() - marker.size() - 3, std::string::npos,
                  "// " + marker) == 0)
      return std::to_string(n);
  }
  return "?";
}

TEST(RaceJson, ReportHasTheTrackersFieldsAndBothAccesses) {
  SKIP_WITHOUT_DETECTOR();
  char path[] = "/tmp/fearless_race_json_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::string err;
  ASSERT_EQ(run_child("FEARLESS_RACE_TEST_CHILD=1 FEARLESS_REPORT_JSON=" +
                          std::string(path),
                      "RaceJson.Child", &err),
            0)
      << err;
  std::ifstream in(path);
  std::vector<nlohmann::json> objs;
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      objs.push_back(nlohmann::json::parse(line));
  std::remove(path);
  ASSERT_EQ(objs.size(), 1u);
  const auto &j = objs[0];
  EXPECT_EQ(j["kind"], "data race");
  EXPECT_EQ(j["severity"], "error");
  EXPECT_EQ(j["title"], "read of 'json_hits' by thread 'main' races with a "
                        "previous write by thread 'json_writer'");
  EXPECT_EQ(j["thread"], "");
  EXPECT_TRUE(j["locks"].is_array());
  EXPECT_EQ(j["location"], "json_hits");
  ASSERT_EQ(j["accesses"].size(), 2u);
  EXPECT_EQ(j["accesses"][0]["access"], "read");
  EXPECT_EQ(j["accesses"][0]["thread"], "main");
  EXPECT_EQ(j["accesses"][0]["site"], "race_test.cpp:" + line_of("JSON-READ"));
  EXPECT_EQ(j["accesses"][1]["access"], "write");
  EXPECT_EQ(j["accesses"][1]["thread"], "json_writer");
  EXPECT_EQ(j["accesses"][1]["site"], "race_test.cpp:" + line_of("JSON-WRITE"));
  EXPECT_EQ(j["text"].get<std::string>().rfind("fearless: data race\n", 0), 0u);
}

// --- before the first watched value ------------------------------------------
// Until a Watched exists the primitives skip their clock work. In a fresh
// process, threads started and a lock taken while the detector was off must
// still order what follows them (no report), and a real race in the same
// process must still be reported (exactly one).
TEST(RaceLazy, Child) {
  if (!std::getenv("FEARLESS_RACE_TEST_CHILD"))
    GTEST_SKIP() << "run by RaceLazy.SynchronisationBeforeTheFirstValueCounts";
  fearless::Mutex<int> mu(0);
  auto [tx, rx] = fearless::channel<int>();
  std::unique_ptr<fearless::Watched<int>> handed, racy;
  std::latch handed_made(1), racy_made(1), racy_written(1);
  fearless::scope([&](fearless::Scope &s) {
    // All three start while no Watched exists: their starts are not
    // recorded.
    (void)s.spawn([&, rx = std::move(rx)]() mutable {
      (void)rx.recv().value();
      (void)handed->get(); // ordered by the send
    });
    (void)s.spawn([&] {
      handed_made.wait();
      auto g = mu.lock(); // after main's unlock: ordered by the mutex
      (void)handed->get();
    });
    (void)s.spawn([&] {
      racy_made.wait();
      racy->set(1); // the latch orders it in time only: a race
      racy_written.count_down();
    });
    {
      auto g = mu.lock(); // taken while the detector is off
      handed = std::make_unique<fearless::Watched<int>>(
          fearless::named("lazy_handed"), 1); // turns it on
    }                                         // this unlock is recorded
    handed_made.count_down();
    tx.send(0).value();
    racy = std::make_unique<fearless::Watched<int>>(
        fearless::named("lazy_racy"), 0);
    racy_made.count_down();
    racy_written.wait();
  });
  handed->set(2); // after both reads: ordered by the end of the scope
}

TEST(RaceLazy, SynchronisationBeforeTheFirstValueCounts) {
  SKIP_WITHOUT_DETECTOR();
  std::string err;
  ASSERT_EQ(run_child("FEARLESS_RACE_TEST_CHILD=1", "RaceLazy.Child", &err), 0)
      << err;
  std::size_t reports = 0;
  for (std::size_t at = 0;
       (at = err.find("fearless: data race", at)) != std::string::npos; ++at)
    ++reports;
  EXPECT_EQ(reports, 1u) << err;
  EXPECT_NE(err.find("  write of 'lazy_racy' by thread"), std::string::npos)
      << err;
}

// --- under ThreadSanitizer ---------------------------------------------------
// TSan, not fearless, reports: once per race, for Watched and for watch_*.
// The accesses are ordered in time by relaxed atomics, which order nothing
// for TSan.
TEST(RaceUnderTsan, Child) {
  if (!std::getenv("FEARLESS_RACE_TEST_CHILD"))
    GTEST_SKIP() << "run by RaceUnderTsan.TsanReportsWatchedAccessesOnce";
  // Each on an 8-byte granule of its own: TSan keeps four accesses per
  // granule, and the polled `step` beside a 4-byte Watched<int> (a plain
  // int under TSan) can push the racing write out (at -O2 it does).
  alignas(16) fearless::Watched<int> hits{fearless::named("tsan_hits"), 0};
  alignas(16) int plain[2] = {0, 0};
  alignas(16) std::atomic<int> step{0};
  auto h = fearless::spawn([&] {
    hits.set(1);
    fearless::watch_write(plain, sizeof plain);
    step.store(1, std::memory_order_relaxed);
  });
  while (step.load(std::memory_order_relaxed) != 1)
    std::this_thread::yield();
  hits.set(2);
  fearless::watch_write(plain, sizeof plain);
  h.join();
}

TEST(RaceUnderTsan, TsanReportsWatchedAccessesOnce) {
  if (!FEARLESS_DETAIL_UNDER_TSAN)
    GTEST_SKIP() << "needs a -fsanitize=thread build";
  std::string err;
  run_child("FEARLESS_RACE_TEST_CHILD=1 TSAN_OPTIONS='halt_on_error=0 "
            "exitcode=0'",
            "RaceUnderTsan.Child", &err);
  std::size_t tsan = 0;
  for (std::size_t at = 0; (at = err.find("WARNING: ThreadSanitizer: data race",
                                          at)) != std::string::npos;
       ++at)
    ++tsan;
  EXPECT_EQ(tsan, 2u) << err; // the Watched value and the watched bytes
  EXPECT_EQ(err.find("fearless: data race"), std::string::npos) << err;
}

// --- policy ------------------------------------------------------------------
TEST(RaceDeathTest, AbortPolicyStopsAtTheRace) {
  SKIP_WITHOUT_DETECTOR();
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto racy_program = [] {
    fearless::set_policy(fearless::Policy::abort);
    fearless::Watched<int> v{fearless::named("doomed"), 0};
    one_after_the_other(
        "doomed_writer", [&] { v.set(1); }, [&] { v.set(2); });
  };
  EXPECT_DEATH(racy_program(), "fearless: data race\n  write of 'doomed'");
}

} // namespace
