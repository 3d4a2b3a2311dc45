// RwLock<T>: shared readers, exclusive writers, writer preference, poisoning.
#include "fearless/rwlock.h"
#include "fearless/thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdlib>
#include <latch>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

bool under_sanitizer() {
  return std::getenv("FEARLESS_TEST_SANITIZER") != nullptr;
}

template <class T> void poison(fearless::RwLock<T> &l) {
  try {
    auto w = l.write();
    throw std::runtime_error("boom");
  } catch (const std::runtime_error &) {
  }
}

TEST(RwLock, ConstructsValueInPlace) {
  fearless::RwLock<std::vector<int>> l{1, 2, 3};
  EXPECT_EQ(l.read()->size(), 3u);
  fearless::RwLock<std::string> s(2, 'y');
  EXPECT_EQ(*s.read(), "yy");
}

TEST(RwLock, WriteThenRead) {
  fearless::RwLock<std::map<std::string, int>> l;
  l.write()->emplace("a", 1);
  auto r = l.read();
  EXPECT_EQ(r->at("a"), 1);
  static_assert(
      std::is_same_v<decltype(*r), const std::map<std::string, int> &>,
      "a read guard gives const access only");
}

// Each reader holds its read guard while waiting at a barrier that only
// opens when all of them arrive: if readers excluded each other, this
// would deadlock instead of passing.
TEST(RwLock, ReadersHoldTheLockAtTheSameTime) {
  constexpr int readers = 4;
  fearless::RwLock<int> l{42};
  std::barrier all_inside(readers);
  std::atomic<int> max_inside{0};
  std::atomic<int> inside{0};
  fearless::scope([&](fearless::Scope &s) {
    for (int i = 0; i < readers; ++i)
      s.spawn([&] {
        auto r = l.read();
        int now = inside.fetch_add(1) + 1;
        int seen = max_inside.load();
        while (now > seen && !max_inside.compare_exchange_weak(seen, now)) {
        }
        all_inside.arrive_and_wait();
        EXPECT_EQ(*r, 42);
        inside.fetch_sub(1);
      });
  });
  EXPECT_EQ(max_inside.load(), readers);
}

TEST(RwLock, WriterExcludesReaders) {
  fearless::RwLock<int> l{0};
  auto w = l.write();
  bool got_read = true, got_write = true;
  std::thread t([&] {
    got_read = l.try_read().has_value();
    got_write = l.try_write().has_value();
  });
  t.join();
  EXPECT_FALSE(got_read);
  EXPECT_FALSE(got_write);
}

TEST(RwLock, ReaderExcludesWriterButNotReaders) {
  fearless::RwLock<int> l{0};
  auto r = l.read();
  bool got_read = false, got_write = true;
  std::thread t([&] {
    got_read = l.try_read().has_value();
    got_write = l.try_write().has_value();
  });
  t.join();
  EXPECT_TRUE(got_read);
  EXPECT_FALSE(got_write);
}

TEST(RwLock, WaitingWriterBlocksNewReaders) {
  fearless::RwLock<int> l{0};
  auto r = l.try_read(); // in an optional, so that it can be released early
  ASSERT_TRUE(r.has_value());
  std::thread writer([&] { *l.write() = 1; });
  // Wait (without sleeping) until the writer is queued behind our read lock.
  while (l.writers_waiting() == 0)
    std::this_thread::yield();
  bool got_read = true;
  std::thread reader([&] { got_read = l.try_read().has_value(); });
  reader.join();
  EXPECT_FALSE(got_read) << "a new reader overtook a waiting writer";
  r.reset();
  writer.join();
  EXPECT_EQ(*l.read(), 1);
}

TEST(RwLock, TimedVariantsTimeOutAndSucceed) {
  fearless::RwLock<int> l{0};
  {
    auto w = l.write();
    bool got_read = true, got_write = true;
    std::thread t([&] {
      got_read = l.try_read_for(1ms).has_value();
      got_write = l.try_write_for(1ms).has_value();
    });
    t.join();
    EXPECT_FALSE(got_read);
    EXPECT_FALSE(got_write);
  }
  EXPECT_TRUE(l.try_write_for(1ms).has_value());
  EXPECT_TRUE(l.try_read_for(1ms).has_value());
}

TEST(RwLock, TimedOutWriterLetsReadersIn) {
  fearless::RwLock<int> l{0};
  auto r = l.read();
  std::thread t([&] { EXPECT_FALSE(l.try_write_for(1ms).has_value()); });
  t.join();
  EXPECT_EQ(l.writers_waiting(), 0u);
  std::thread reader([&] { EXPECT_TRUE(l.try_read().has_value()); });
  reader.join();
}

TEST(RwLock, WriteGuardDestroyedByExceptionPoisons) {
  fearless::RwLock<int> l;
  poison(l);
  EXPECT_TRUE(l.is_poisoned());
  EXPECT_THROW((void)l.read(), fearless::PoisonError);
  EXPECT_THROW((void)l.write(), fearless::PoisonError);
  EXPECT_THROW((void)l.try_read(), fearless::PoisonError);
  EXPECT_THROW((void)l.try_write(), fearless::PoisonError);
  {
    auto w = l.write(fearless::ignore_poison);
    EXPECT_TRUE(w.is_poisoned());
    *w = 3;
  }
  l.clear_poison();
  EXPECT_EQ(*l.read(), 3);
}

TEST(RwLock, ReadGuardDestroyedByExceptionDoesNotPoison) {
  fearless::RwLock<int> l;
  try {
    auto r = l.read();
    throw std::runtime_error("x");
  } catch (const std::runtime_error &) {
  }
  EXPECT_FALSE(l.is_poisoned());
}

TEST(RwLock, GetMutAndIntoInner) {
  fearless::RwLock<std::string> l{"a"};
  l.get_mut() += "b";
  EXPECT_EQ(std::move(l).into_inner(), "ab");
}

TEST(RwLock, SendSyncFollowT) {
  static_assert(fearless::ThreadSafe<fearless::RwLock<int>>);
  static_assert(!fearless::Send<fearless::ReadGuard<int>>);
  static_assert(!fearless::Send<fearless::WriteGuard<int>>);
}

TEST(RwLock, StressWritersAndReadersSeeConsistentPairs) {
  const int iterations = under_sanitizer() ? 2'000 : 100'000;
  struct Pair {
    long a = 0, b = 0;
  };
  fearless::RwLock<Pair> l;
  fearless::scope([&](fearless::Scope &s) {
    for (int w = 0; w < 2; ++w)
      s.spawn([&] {
        for (int i = 0; i < iterations; ++i) {
          auto g = l.write();
          ++g->a;
          ++g->b;
        }
      });
    for (int r = 0; r < 2; ++r)
      s.spawn([&] {
        for (int i = 0; i < iterations; ++i) {
          auto g = l.read();
          ASSERT_EQ(g->a, g->b);
        }
      });
  });
  EXPECT_EQ(l.read()->a, 2L * iterations);
}

} // namespace
