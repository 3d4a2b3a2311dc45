// fearless/user_lock.h: a lock of one's own, named by its address, through
// the runtime's definitions (the preload's are the same code; tests/preload
// runs them). Each test uses locks of its own.
#include "fearless/user_lock.h"

#include "fearless/report.h"
#include "fearless/tracker.h"

#include "tracker_test_util.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {
// The table of locks named by address (src/foreign_lock.h).
LockState *foreign_lock(const void *address, bool make) noexcept;
void forget_foreign_lock(const void *address) noexcept;
} // namespace fearless::detail

namespace {

using fearless_test::on_thread;
using fearless_test::Reports;

// A lock that only reports: the tests run one thread at a time.
struct Annotated {
  explicit Annotated(const char *name) {
    fearless_lock_init(this, name, nullptr, 0);
  }
  ~Annotated() { fearless_lock_destroy(this); }
  void lock(unsigned flags = 0) {
    fearless_lock_acquire(this, flags);
    fearless_lock_acquired(this, flags);
  }
  void try_lock(unsigned flags = 0) {
    fearless_lock_acquired(this, flags | FEARLESS_LOCK_TRY);
  }
  void unlock(unsigned flags = 0) { fearless_lock_release(this, flags); }
  char storage = 0; // a distinct address
};

TEST(UserLock, InversionIsReportedWithTheNamesGiven) {
  Reports reports;
  Annotated a("user.inversion.a"), b("user.inversion.b");
  on_thread([&] {
    a.lock();
    b.lock();
    b.unlock();
    a.unlock();
  });
  on_thread([&] {
    b.lock();
    a.lock();
    a.unlock();
    b.unlock();
  });
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "lock-order inversion");
  EXPECT_NE(seen[0].details.find("'user.inversion.a' --> 'user.inversion.b'"),
            std::string::npos)
      << seen[0].to_string();
}

TEST(UserLock, ATryInReverseIsNoInversion) {
  Reports reports;
  Annotated a("user.try.a"), b("user.try.b");
  on_thread([&] {
    a.lock();
    b.lock();
    b.unlock();
    a.unlock();
  });
  on_thread([&] {
    b.lock();
    a.try_lock();
    a.unlock();
    b.unlock();
  });
  EXPECT_TRUE(reports.take().empty());
}

TEST(UserLock, ReadersOnlyAreNoInversion) {
  Reports reports;
  Annotated a("user.read.a"), b("user.read.b");
  const unsigned r = FEARLESS_LOCK_SHARED;
  on_thread([&] {
    a.lock(r);
    b.lock(r);
    b.unlock(r);
    a.unlock(r);
  });
  on_thread([&] {
    b.lock(r);
    a.lock(r);
    a.unlock(r);
    b.unlock(r);
  });
  EXPECT_TRUE(reports.take().empty());
}

TEST(UserLock, MisuseIsReported) {
  Reports reports;
  Annotated m("user.misuse");
  m.lock();
  m.unlock();
  m.unlock(); // double unlock
  auto seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "unlock of a lock that is not held");
  {
    auto doomed = std::make_unique<Annotated>("user.destroyed");
    doomed->lock();
    doomed.reset(); // destroyed while held: reported, then forgotten
  }
  seen = reports.take();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].title, "destroying a locked lock");
}

TEST(UserLock, InitByLineAndFirstAcquisitionGiveClasses) {
  Reports reports;
  char x = 0, y = 0;
  const unsigned init_line = __LINE__ + 1;
  FEARLESS_LOCK_INIT(&x); // the class is this line
  const unsigned take_line = __LINE__ + 4;
  on_thread([&] {
    fearless_lock_acquire(&x, 0);
    fearless_lock_acquired(&x, 0);
    fearless_lock_acquire(&y, 0); // no init: the class is this line
    fearless_lock_acquired(&y, 0);
    fearless_lock_release(&y, 0);
    fearless_lock_release(&x, 0);
  });
  std::string dot = fearless::lock_graph_dot();
  std::string edge =
      "\"user_lock_test.cpp:" + std::to_string(init_line) + "\" -> \"";
#if !defined(__clang__)
  // (Debian 12's libdw reads no line table in clang-19's binaries: the class
  // of the first acquisition is then its function.)
  edge += "user_lock_test.cpp:" + std::to_string(take_line) + ":";
#else
  (void)take_line;
#endif
  EXPECT_NE(dot.find(edge), std::string::npos) << edge << "\n" << dot;
  fearless_lock_destroy(&x);
  fearless_lock_destroy(&y);
  EXPECT_TRUE(reports.take().empty());
}

// Many locks made and destroyed at once and over again: the address table
// grows, reuses removed slots, and finds every live lock (two threads).
TEST(UserLock, ManyLocksComeAndGo) {
  Reports reports;
  auto churn = [](int seed) {
    for (int round = 0; round < 20; ++round) {
      std::vector<std::unique_ptr<Annotated>> locks;
      for (int i = 0; i < 500; ++i)
        locks.push_back(std::make_unique<Annotated>("user.churn"));
      for (auto &l : locks) {
        l->lock();
        l->unlock();
      }
      (void)seed;
    }
  };
  std::thread t1(churn, 1), t2(churn, 2);
  t1.join();
  t2.join();
  EXPECT_TRUE(reports.take().empty());
}

// The address table against a std::map: random inserts and removals over
// a few thousand addresses (removals shift entries back; the table grows
// several times), every address looked up after each step of a round.
TEST(UserLock, AddressTableMatchesAMap) {
  std::vector<char> arena(1 << 16);
  std::map<const void *, fearless::detail::LockState *> model;
  std::mt19937 rng(22);
  for (int round = 0; round < 40; ++round) {
    for (int step = 0; step < 400; ++step) {
      const void *a = &arena[(rng() % 4096) * 8];
      if (rng() % 3 == 0) {
        fearless::detail::forget_foreign_lock(a);
        model.erase(a);
      } else {
        auto *s = fearless::detail::foreign_lock(a, true);
        auto [it, inserted] = model.emplace(a, s);
        ASSERT_EQ(it->second, s) << "a second state for one address";
      }
    }
    for (int i = 0; i < 4096; ++i) {
      const void *a = &arena[i * 8];
      auto it = model.find(a);
      ASSERT_EQ(fearless::detail::foreign_lock(a, false),
                it == model.end() ? nullptr : it->second)
          << "round " << round << ", address " << i;
    }
  }
  for (const auto &[a, s] : model)
    fearless::detail::forget_foreign_lock(a);
}

} // namespace

#endif // FEARLESS_LOCK_TRACKING
