// Mutex<T>: locking, try/timeout variants, poisoning, stress.
#include "fearless/detail/raw_mutex.h"
#include "fearless/mutex.h"
#include "fearless/thread.h"
#include "fearless/tracker.h"

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

// The raw lock under Mutex<T> (a futex on Linux): mutual exclusion checked
// inside the critical section, not only by the final count. A plain
// (non-atomic) counter and an "inside" flag: two threads in at once would
// lose increments or find the flag set.
void many_threads_never_overlap_and_count_exactly() {
  const int per_thread = under_sanitizer() ? 5'000 : 200'000;
  constexpr int threads = 16;
  fearless::detail::RawMutex m;
  long counter = 0;
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < threads; ++i)
    ts.emplace_back([&] {
      for (int j = 0; j < per_thread; ++j) {
        m.lock();
        if (inside.fetch_add(1, std::memory_order_relaxed) != 0)
          overlaps.fetch_add(1, std::memory_order_relaxed);
        ++counter;
        inside.fetch_sub(1, std::memory_order_relaxed);
        m.unlock();
      }
    });
  for (auto &t : ts)
    t.join();
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(counter, long(threads) * per_thread);
}

#if FEARLESS_DETAIL_FUTEX_
// Unlock is a plain store and load when the process could register for
// membarrier (the sleeper fences for both), an atomic exchange otherwise:
// both protocols are run by the tests below.
class UnlockMode {
public:
  explicit UnlockMode(bool light) {
    fearless::detail::futex::asym::set_light_unlock_for_testing(light);
  }
  ~UnlockMode() {
    fearless::detail::futex::asym::set_light_unlock_for_testing(true);
  }
  UnlockMode(const UnlockMode &) = delete;
  UnlockMode &operator=(const UnlockMode &) = delete;
};

TEST(RawMutex, LightUnlockIsOnWhereMembarrierIsAvailable) {
  long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  if (cmds <= 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
    GTEST_SKIP() << "this kernel has no private expedited membarrier";
  EXPECT_TRUE(fearless::detail::futex::asym::light_unlock());
}
#endif

TEST(RawMutex, ManyThreadsNeverOverlapAndCountExactly) {
  many_threads_never_overlap_and_count_exactly();
}

#if FEARLESS_DETAIL_FUTEX_
TEST(RawMutex, ManyThreadsNeverOverlapWithAtomicUnlock) {
  UnlockMode heavy(false);
  ASSERT_FALSE(fearless::detail::futex::asym::light_unlock());
  many_threads_never_overlap_and_count_exactly();
}

#if FEARLESS_DETAIL_SINGLE_THREADED_
// Before the first thread starts, try_lock is a plain load and store: a
// lock taken then still excludes the threads started while it is held.
TEST(RawMutexDeathTest, LockTakenSingleThreadedExcludesLaterThreads) {
  GTEST_FLAG_SET(death_test_style, "threadsafe"); // a fresh process
  EXPECT_EXIT(
      {
        bool single = __libc_single_threaded;
        fearless::detail::RawMutex m;
        m.lock();
        bool relocked = m.try_lock(); // held: fails, even single-threaded
        bool other_got_it = true;
        std::thread([&] { other_got_it = m.try_lock(); }).join();
        m.unlock();
        bool other_got_it_after = false;
        std::thread([&] {
          other_got_it_after = m.try_lock();
          if (other_got_it_after)
            m.unlock();
        }).join();
        std::exit(single && !relocked && !other_got_it && other_got_it_after ? 7
                                                                     : 1);
      },
      testing::ExitedWithCode(7), "");
}
#endif
#endif

TEST(RawMutex, TryLockFailsWhileHeldAndSucceedsAfter) {
  fearless::detail::RawMutex m;
  ASSERT_TRUE(m.try_lock());
  bool got = true;
  std::thread([&] { got = m.try_lock(); }).join();
  EXPECT_FALSE(got);
  m.unlock();
  std::thread([&] {
    got = m.try_lock();
    if (got)
      m.unlock();
  }).join();
  EXPECT_TRUE(got);
}

TEST(RawMutex, TimedLockTimesOutWhileHeld) {
  fearless::detail::RawMutex m;
  m.lock();
  bool got = true;
  std::thread t([&] {
    auto deadline = std::chrono::steady_clock::now() + 2ms;
    got = m.try_lock_until(deadline);
    // It returned because the deadline passed, not early.
    EXPECT_GE(std::chrono::steady_clock::now(), deadline);
  });
  t.join();
  EXPECT_FALSE(got);
  // A deadline in the past only tries.
  std::thread([&] {
    got = m.try_lock_until(std::chrono::steady_clock::now() - 1s);
  }).join();
  EXPECT_FALSE(got);
  m.unlock();
}

// Threads sleep in the kernel behind a holder, some with deadlines: every
// one that gives up leaves the lock usable, and every unlock still reaches
// a sleeper (a lost wake-up hangs this test).
void sleepers_and_timed_waiters_all_get_the_lock() {
  const int rounds = under_sanitizer() ? 200 : 2'000;
  constexpr int threads = 8;
  fearless::detail::RawMutex m;
  long counter = 0;
  std::atomic<int> timeouts{0};
  std::vector<std::thread> ts;
  for (int i = 0; i < threads; ++i)
    ts.emplace_back([&, i] {
      for (int j = 0; j < rounds; ++j) {
        if (i % 2 == 0) {
          m.lock();
        } else {
          // Short deadlines: some expire while the lock is contended.
          while (!m.try_lock_until(std::chrono::steady_clock::now() +
                                   std::chrono::microseconds(j % 50)))
            timeouts.fetch_add(1, std::memory_order_relaxed);
        }
        ++counter;
        if (j % 64 == 0) // hold it long enough for others to go to sleep
          std::this_thread::sleep_for(std::chrono::microseconds(50));
        m.unlock();
      }
    });
  for (auto &t : ts)
    t.join();
  EXPECT_EQ(counter, long(threads) * rounds);
  ASSERT_TRUE(m.try_lock()); // free at the end, whatever state it went through
  m.unlock();
}

TEST(RawMutex, SleepersAndTimedWaitersAllGetTheLock) {
  sleepers_and_timed_waiters_all_get_the_lock();
}

#if FEARLESS_DETAIL_FUTEX_
TEST(RawMutex, SleepersAndTimedWaitersAllGetTheLockWithAtomicUnlock) {
  UnlockMode heavy(false);
  sleepers_and_timed_waiters_all_get_the_lock();
}

// membarrier refused after registration (a sandbox installed later):
// unlocks turn to exchanges and sleepers sleep in 1 ms slices.
TEST(RawMutex, SleepersAndTimedWaitersAllGetTheLockWhenMembarrierIsRefused) {
  UnlockMode restore(true);
  fearless::detail::futex::asym::degrade_for_testing();
  ASSERT_FALSE(fearless::detail::futex::asym::light_unlock());
  ASSERT_FALSE(fearless::detail::futex::asym::heavy_fence());
  sleepers_and_timed_waiters_all_get_the_lock();
}
#endif

// Mutex<T> with every way of locking mixed: lock, try_lock, try_lock_for.
TEST(Mutex, ContendedLockTryLockAndTimedLockCountExactly) {
  const int per_thread = under_sanitizer() ? 2'000 : 100'000;
  constexpr int threads = 12;
  fearless::Mutex<long> counter{0L};
  std::atomic<long> done{0};
  fearless::scope([&](fearless::Scope &s) {
    for (int i = 0; i < threads; ++i)
      s.spawn([&, i] {
        for (int j = 0; j < per_thread; ++j) {
          switch ((i + j) % 3) {
          case 0:
            *counter.lock() += 1;
            break;
          case 1:
            for (;;)
              if (auto g = counter.try_lock()) {
                **g += 1;
                break;
              }
            break;
          default:
            for (;;)
              if (auto g = counter.try_lock_for(1ms)) {
                **g += 1;
                break;
              }
          }
          done.fetch_add(1, std::memory_order_relaxed);
        }
      });
  });
  EXPECT_EQ(*counter.lock(), done.load());
  EXPECT_EQ(done.load(), long(threads) * per_thread);
}

// ThreadSanitizer's own lock-order detector sees fearless::Mutex: a
// lock-order inversion through two of them is reported by TSan itself
// (docs/runtime/mutex.md). A Mutex that locked with a try-lock first was
// invisible to it (issue 23).
TEST(MutexUnderTsanDeathTest, TsanSeesTheLockOrder) {
#if FEARLESS_DETAIL_TSAN_
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto inversion = [] {
    fearless::set_policy(fearless::Policy::ignore); // TSan's report only
    fearless::Mutex<int> a(0), b(0);
    std::thread([&] {
      auto x = a.lock();
      auto y = b.lock();
    }).join();
    std::thread([&] {
      auto y = b.lock();
      auto x = a.lock();
    }).join();
    std::exit(0); // TSan's exit code says it reported
  };
  EXPECT_EXIT(inversion(), ::testing::ExitedWithCode(66),
              "ThreadSanitizer: lock-order-inversion");
#else
  GTEST_SKIP() << "built without ThreadSanitizer";
#endif
}

} // namespace
