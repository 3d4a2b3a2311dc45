// RUN: %check_fearless_tidy %s fearless-static-mut %t

#include "fearless/annotations.h"

#include <atomic>
#include <mutex>
#include <thread>

int hits = 0;
std::atomic<int> atomic_hits{0};
const int limit = 10;
std::mutex mu;
int guarded FEARLESS_GUARDED_BY(mu) = 0;
thread_local int per_thread = 0;

struct Registry {
  static int count;
};
int Registry::count = 0;

void bump() {
  ++hits;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: non-const global 'hits' is used from a thread started by 'std::thread' but 'int' is not thread-safe [fearless-static-mut]
}

void direct_use() {
  std::thread t([] { hits += limit; });
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: non-const global 'hits' is used from a thread started by 'std::thread' but 'int' is not thread-safe [fearless-static-mut]
  t.join();
}

void through_a_call() {
  std::thread t(bump);
  t.join();
}

void class_static_and_local_static() {
  std::thread t([] {
    static int calls = 0;
    ++calls;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: non-const static 'calls' is used from a thread started by 'std::thread' but 'int' is not thread-safe [fearless-static-mut]
    ++Registry::count;
    // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: non-const class static 'count' is used from a thread started by 'std::thread' but 'int' is not thread-safe [fearless-static-mut]
  });
  t.join();
}

// Negative: atomics, constants, thread_local, guarded and locked uses.
void correct_uses() {
  std::thread t([] {
    ++atomic_hits;
    ++per_thread;
    (void)limit;
    std::lock_guard<std::mutex> g(mu);
    ++guarded;
    ++hits;
  });
  t.join();
}

// Negative: not on another thread.
void same_thread() { ++hits; }

// std::array, std::pair and std::tuple are aggregates of their elements:
// thread-safe exactly when the elements are (real code: a global array of
// atomic counters indexed by thread).
#include <array>
#include <tuple>
#include <utility>
std::array<std::atomic<int>, 2> per_side;
std::pair<std::atomic<int>, std::atomic<bool>> count_and_flag;
std::tuple<std::atomic<long>, const int> stamped{0, 1};
std::array<int, 2> plain_sides;
std::pair<std::atomic<int>, int> half_atomic;

void aggregates() {
  std::thread t([] {
    per_side[1].fetch_add(1);
    count_and_flag.second = true;
    std::get<0>(stamped)++;
    plain_sides[0] = 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: non-const global 'plain_sides' is used from a thread started by 'std::thread' but 'std::array<int, 2>' is not thread-safe [fearless-static-mut]
    half_atomic.second = 2;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: non-const global 'half_atomic' is used from a thread started by 'std::thread' but 'std::pair<std::atomic<int>, int>' is not thread-safe [fearless-static-mut]
  });
  t.join();
}
