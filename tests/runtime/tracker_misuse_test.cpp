// Held-lock bookkeeping under misuse (issue 23): a lock destroyed while
// held, released by a thread that does not hold it, unlocked twice, or held
// beyond the inline stack is reported once, and nothing is reported
// afterwards that did not happen (no "double lock" on a reused address, no
// "thread exited while holding locks", no "destroying a locked lock" for a
// lock released long ago). Abseil's DeadlockIdBug and
// LockedMutexDestructionBug are among them.
#include "fearless/detail/hooks.h"
#include "fearless/report.h"
#include "fearless/rwlock.h"

#include "tracker_test_util.h"

#include <gtest/gtest.h>

#include <latch>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fd = fearless::detail;
using fd::LockMode;

namespace {

using fearless_test::Lock;
using fearless_test::on_thread;
using fearless_test::Reports;

std::vector<std::string> titles(const std::vector<fearless::Report> &seen) {
  std::vector<std::string> out;
  for (const auto &r : seen)
    out.push_back(r.title);
  return out;
}

// Abseil's DeadlockIdBug: a lock destroyed while held, and a new lock at
// the same address taken by the same thread.
TEST(TrackerMisuse, DestroyedWhileHeldThenAddressReusedIsNoDoubleLock) {
  Reports reports;
  on_thread([] {
    alignas(Lock) unsigned char storage[sizeof(Lock)];
    Lock b("idbug.B");
    auto *a = new (storage) Lock("idbug.A");
    a->lock();
    b.lock(); // an edge A -> B
    b.unlock();
    a->~Lock();
    auto *c = new (storage) Lock("idbug.C"); // same address
    c->lock();
    c->unlock();
    c->~Lock();
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u) << ::testing::PrintToString(titles(seen));
  EXPECT_EQ(seen[0].title, "destroying a locked lock");
  EXPECT_NE(seen[0].details.find("'idbug.A' is still held by thread"),
            std::string::npos)
      << seen[0].details;
  EXPECT_NE(seen[0].details.find("(exclusive), acquired at "),
            std::string::npos);
  EXPECT_NE(seen[0].details.find("  stack:\n"), std::string::npos);
}

// Abseil's LockedMutexDestructionBug: ten rounds of ten locks, half write-
// and half read-locked, destroyed while held. One report per lock; the
// thread then exits holding nothing.
TEST(TrackerMisuse, LocksDestroyedWhileHeldAreEachReportedOnce) {
  Reports reports;
  static const char *const kNames[] = {
      "destruction.0", "destruction.1", "destruction.2", "destruction.3",
      "destruction.4", "destruction.5", "destruction.6", "destruction.7",
      "destruction.8", "destruction.9"};
  on_thread([] {
    for (int round = 0; round < 10; ++round) {
      std::vector<std::unique_ptr<Lock>> locks;
      for (int j = 0; j < 10; ++j)
        locks.push_back(std::make_unique<Lock>(kNames[j]));
      for (int j = 0; j < 10; ++j)
        locks[j]->lock(j % 2 == 0 ? LockMode::exclusive : LockMode::shared);
    }
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 100u) << seen.back().to_string();
  int shared = 0;
  for (const auto &r : seen) {
    EXPECT_EQ(r.title, "destroying a locked lock");
    shared += r.details.find("(shared), acquired at") != std::string::npos;
  }
  EXPECT_EQ(shared, 50);
}

TEST(TrackerMisuse, RwLockDestroyedWhileReadLockedIsReported) {
  if (fearless_test::under_tsan())
    GTEST_SKIP() << "ThreadSanitizer stops the process at the destroyed lock";
  Reports reports;
  on_thread([] {
    auto lock = std::make_unique<fearless::RwLock<int>>(7);
    // The guard is never destroyed: it would unlock freed memory.
    alignas(fearless::ReadGuard<int>) unsigned char
        storage[sizeof(fearless::ReadGuard<int>)];
    new (storage) fearless::ReadGuard<int>(lock->read());
    lock.reset();
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u) << ::testing::PrintToString(titles(seen));
  EXPECT_EQ(seen[0].title, "destroying a locked lock");
  EXPECT_NE(seen[0].details.find("(shared), acquired at"), std::string::npos)
      << seen[0].details;
}

// A lock destroyed by one thread while another holds it: the holder is
// named with where it took the lock, and exits holding nothing.
TEST(TrackerMisuse, DestroyedByAnotherThreadWhileHeld) {
  Reports reports;
  auto a = std::make_unique<Lock>("foreign.destroy");
  std::latch locked(1), destroyed(1);
  std::thread holder([&] {
    a->lock();
    locked.count_down();
    destroyed.wait();
  });
  locked.wait();
  a.reset();
  destroyed.count_down();
  holder.join();
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u) << ::testing::PrintToString(titles(seen));
  EXPECT_EQ(seen[0].title, "destroying a locked lock");
  EXPECT_NE(seen[0].details.find("(exclusive), acquired at "),
            std::string::npos)
      << seen[0].details;
}

// A guard moved to another thread and released there: one report naming
// where the holder took the lock; the holder can take it again and exits
// holding nothing.
TEST(TrackerMisuse, ReleasedByAnotherThreadLeavesNothingHeld) {
  Reports reports;
  Lock a("foreign.release");
  std::latch locked(1), released(1);
  std::thread holder([&] {
    a.lock();
    locked.count_down();
    released.wait();
    a.lock(); // not a double lock: the lock was released
    a.unlock();
  });
  locked.wait();
  on_thread([&] { a.unlock(); });
  released.count_down();
  holder.join();
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u) << ::testing::PrintToString(titles(seen));
  EXPECT_EQ(seen[0].title, "lock released by a thread that does not hold it");
  EXPECT_NE(seen[0].details.find("locked it, acquired at "), std::string::npos)
      << seen[0].details;
}

TEST(TrackerMisuse, ReadLockReleasedByAnotherThreadLeavesNothingHeld) {
  Reports reports;
  Lock a("foreign.read");
  on_thread([&] {
    a.lock(LockMode::shared);
    on_thread([&] { a.unlock(LockMode::shared); });
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u) << ::testing::PrintToString(titles(seen));
  EXPECT_EQ(seen[0].title, "lock released by a thread that does not hold it");
}

TEST(TrackerMisuse, DoubleUnlockIsReportedOnceAndNothingAfter) {
  Reports reports;
  Lock a("double.unlock");
  on_thread([&] {
    a.lock();
    a.unlock();
    a.unlock();
    a.lock();
    a.unlock();
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u) << ::testing::PrintToString(titles(seen));
  EXPECT_EQ(seen[0].title, "unlock of a lock that is not held");
}

// Beyond the inline stack (48) locks are still held exactly: released out
// of order, relocked (a double lock is seen), and destroyed after release
// without a report.
TEST(TrackerMisuse, LocksBeyondTheInlineStackAreTrackedExactly) {
  Reports reports;
  std::vector<std::string> names;
  for (int i = 0; i < 60; ++i)
    names.push_back("beyond." + std::to_string(i));
  std::vector<std::unique_ptr<Lock>> locks;
  for (auto &n : names)
    locks.push_back(std::make_unique<Lock>(n.c_str()));
  on_thread([&] {
    for (auto &l : locks) l->lock();
    (void)fd::on_acquire(locks[55]->state, LockMode::exclusive);
    for (auto &l : locks) l->unlock(); // oldest first: out of order
  });
  locks.clear();
  auto seen = reports.take();
  ASSERT_EQ(titles(seen), (std::vector<std::string>{"too many locks held",
                                                    "double lock"}));
  // Held at exit: every one is listed, the 60th too.
  std::vector<std::unique_ptr<Lock>> again;
  for (auto &n : names)
    again.push_back(std::make_unique<Lock>(n.c_str()));
  on_thread([&] {
    for (auto &l : again) l->lock();
  });
  seen = reports.take();
  ASSERT_EQ(titles(seen), (std::vector<std::string>{
                              "too many locks held",
                              "thread exited while holding locks"}));
  EXPECT_NE(seen[1].details.find("'beyond.59' acquired at"), std::string::npos);
  for (auto &l : again) // as if their holder had released them
    l->state.owner.store(0);
}

} // namespace

#endif // FEARLESS_LOCK_TRACKING
