// Mutex<T>: locking, try/timeout variants, poisoning, stress.
#include "fearless/mutex.h"
#include "fearless/thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

bool under_sanitizer() {
  return std::getenv("FEARLESS_TEST_SANITIZER") != nullptr;
}

// Poisons `m` by throwing while a guard is alive.
template <class T> void poison(fearless::Mutex<T> &m) {
  try {
    auto g = m.lock();
    throw std::runtime_error("boom");
  } catch (const std::runtime_error &) {
  }
}

TEST(Mutex, ConstructsValueInPlace) {
  fearless::Mutex<std::vector<int>> list{1, 2, 3};
  EXPECT_EQ(*list.lock(), (std::vector<int>{1, 2, 3}));
  fearless::Mutex<std::string> repeated(3, 'x');
  EXPECT_EQ(*repeated.lock(), "xxx");
  fearless::Mutex<int> zero;
  EXPECT_EQ(*zero.lock(), 0);
}

TEST(Mutex, GuardGivesMutableAccess) {
  fearless::Mutex<std::vector<int>> m;
  {
    auto g = m.lock();
    g->push_back(7);
    (*g).push_back(8);
  }
  EXPECT_EQ(m.lock()->size(), 2u);
}

TEST(Mutex, TryLockFailsWhenHeld) {
  fearless::Mutex<int> m{5};
  auto g = m.lock();
  // Another thread sees the mutex held (try_lock on the owning thread would
  // be a self-deadlock pattern; test the cross-thread case).
  bool got = true;
  std::thread t([&] { got = m.try_lock().has_value(); });
  t.join();
  EXPECT_FALSE(got);
}

TEST(Mutex, TryLockSucceedsWhenFree) {
  fearless::Mutex<int> m{5};
  auto g = m.try_lock();
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(**g, 5);
}

TEST(Mutex, TryLockForTimesOutWhenHeld) {
  fearless::Mutex<int> m;
  auto g = m.lock();
  bool got = true;
  std::thread t([&] { got = m.try_lock_for(1ms).has_value(); });
  t.join();
  EXPECT_FALSE(got);
}

TEST(Mutex, TryLockForGetsLockReleasedMeanwhile) {
  fearless::Mutex<int> m;
  std::latch holding(1);
  std::atomic<bool> release{false};
  std::thread holder([&] {
    auto g = m.lock();
    holding.count_down();
    while (!release.load())
      std::this_thread::yield();
  });
  holding.wait();
  std::thread waiter([&] {
    // Generous timeout: it only has to outlast the holder, not race it.
    auto g = m.try_lock_for(60s);
    EXPECT_TRUE(g.has_value());
  });
  release = true;
  holder.join();
  waiter.join();
}

TEST(Mutex, TryLockUntilPastDeadlineStillTakesFreeLock) {
  fearless::Mutex<int> m;
  EXPECT_TRUE(
      m.try_lock_until(std::chrono::steady_clock::now() - 1s).has_value());
}

TEST(Mutex, WithLockReturnsResult) {
  fearless::Mutex<std::vector<int>> m{1, 2};
  auto n = m.with_lock([](std::vector<int> &v) {
    v.push_back(3);
    return v.size();
  });
  EXPECT_EQ(n, 3u);
}

TEST(Mutex, GetMutAndIntoInner) {
  fearless::Mutex<std::string> m{"abc"};
  m.get_mut() += "d";
  std::string s = std::move(m).into_inner();
  EXPECT_EQ(s, "abcd");
}

TEST(Mutex, GuardDestroyedByExceptionPoisons) {
  fearless::Mutex<int> m;
  EXPECT_FALSE(m.is_poisoned());
  poison(m);
  EXPECT_TRUE(m.is_poisoned());
}

TEST(Mutex, GuardDestroyedNormallyDoesNotPoison) {
  fearless::Mutex<int> m;
  { auto g = m.lock(); }
  EXPECT_FALSE(m.is_poisoned());
}

TEST(Mutex, LockOnPoisonedThrowsAndReleases) {
  fearless::Mutex<int> m;
  poison(m);
  EXPECT_THROW((void)m.lock(), fearless::PoisonError);
  // The throwing lock() released the mutex again.
  auto g = m.try_lock(fearless::ignore_poison);
  ASSERT_TRUE(g.has_value());
  EXPECT_TRUE(g->is_poisoned());
}

TEST(Mutex, AllAccessorsReportPoison) {
  fearless::Mutex<int> m{1};
  poison(m);
  EXPECT_THROW((void)m.try_lock(), fearless::PoisonError);
  EXPECT_THROW((void)m.try_lock_for(1ms), fearless::PoisonError);
  EXPECT_THROW(m.with_lock([](int &) {}), fearless::PoisonError);
  EXPECT_THROW((void)m.get_mut(), fearless::PoisonError);
  EXPECT_EQ(m.get_mut(fearless::ignore_poison), 1);
}

TEST(Mutex, IgnorePoisonGivesAccessAndClearPoisonResets) {
  fearless::Mutex<int> m{1};
  poison(m);
  {
    auto g = m.lock(fearless::ignore_poison);
    EXPECT_TRUE(g.is_poisoned());
    *g = 2;
  }
  m.clear_poison();
  EXPECT_FALSE(m.is_poisoned());
  EXPECT_EQ(*m.lock(), 2);
}

TEST(Mutex, WithLockExceptionPoisons) {
  fearless::Mutex<int> m;
  EXPECT_THROW(m.with_lock([](int &) { throw std::runtime_error("x"); }),
               std::runtime_error);
  EXPECT_TRUE(m.is_poisoned());
}

TEST(Mutex, ThreadThrowingWhileHoldingPoisons) {
  auto m = std::make_shared<fearless::Mutex<int>>(0);
  auto h = fearless::spawn([m] {
    auto g = m->lock();
    *g = 1;
    throw std::runtime_error("thread failed mid-update");
  });
  EXPECT_THROW(h.join(), std::runtime_error);
  EXPECT_TRUE(m->is_poisoned());
}

struct LocksInDestructor {
  fearless::Mutex<int> *m;
  ~LocksInDestructor() { *m->lock() += 1; }
};

TEST(Mutex, GuardCreatedDuringUnwindingDoesNotPoison) {
  fearless::Mutex<int> m;
  try {
    LocksInDestructor l{&m};
    throw std::runtime_error("x");
  } catch (const std::runtime_error &) {
  }
  EXPECT_FALSE(m.is_poisoned());
  EXPECT_EQ(*m.lock(), 1);
}

struct ChecksUnwindingCount {
  int *fast;
  int *standard;
  ~ChecksUnwindingCount() {
    *fast = fearless::detail::uncaught_exceptions();
    *standard = std::uncaught_exceptions();
  }
};

TEST(Mutex, UnwindingCountMatchesStandard) {
  int fast = -1, standard = -2;
  try {
    ChecksUnwindingCount c{&fast, &standard};
    throw 1;
  } catch (int) {
  }
  EXPECT_EQ(fast, 1);
  EXPECT_EQ(fast, standard);
  EXPECT_EQ(fearless::detail::uncaught_exceptions(),
            std::uncaught_exceptions());
}

struct NotSend {
  FEARLESS_NOT_SEND; // stands for a thread-affine type
};

TEST(Mutex, SendAndThreadSafeFollowT) {
  static_assert(fearless::ThreadSafe<fearless::Mutex<long>>);
  static_assert(fearless::Send<fearless::Mutex<long>>);
  static_assert(fearless::Send<std::shared_ptr<fearless::Mutex<long>>>);
  static_assert(!fearless::Send<fearless::MutexGuard<long>>);
  static_assert(!fearless::ThreadSafe<fearless::Mutex<NotSend>>);
  static_assert(!fearless::Send<fearless::Mutex<NotSend>>);
}

TEST(Mutex, StressEightThreadsCountExactly) {
  const long per_thread = under_sanitizer() ? 20'000 : 1'000'000;
  constexpr int threads = 8;
  fearless::Mutex<long> counter{0L};
  fearless::scope([&](fearless::Scope &s) {
    for (int i = 0; i < threads; ++i)
      s.spawn([&counter, per_thread] {
        for (long j = 0; j < per_thread; ++j)
          *counter.lock() += 1;
      });
  });
  EXPECT_EQ(*counter.lock(), threads * per_thread);
}

} // namespace
