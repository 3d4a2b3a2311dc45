// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
//
// A write made without the mutex is a lost wake-up only if it can release a
// waiter: move the wait predicate towards "done". A reset the waiter does
// not wait for, or an unsigned counter increased against a wait for zero
// (rocksdb's db_impl_write.cc `pending_memtable_writes_ += n` against
// `pending_memtable_writes_.load() == 0`), cannot. Each beside the write
// that can, which is still reported.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>

// An unsigned counter: increments cannot reach zero, a decrement can.
struct Memtables {
  std::atomic<std::size_t> pending{0};
  std::mutex mu;
  std::condition_variable cv;
  void wait_idle() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return pending.load() == 0; });
  }
  void start(std::size_t n) {
    pending += n;
    cv.notify_all();
  }
  void start_one() {
    pending.fetch_add(1);
    ++pending;
    cv.notify_all();
  }
  void finish() {
    pending.fetch_sub(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'pending' is written without holding 'mu', but the wait predicate in 'Memtables::wait_idle' reads it under 'mu': {{.*}} (lost wake-up) [fearless-missing-guarded-by]
    cv.notify_all();
  }
};

// A flag the waiter waits to see set: clearing it cannot wake anybody,
// setting it can.
struct Ready {
  std::atomic<bool> ready{false};
  std::mutex mu;
  std::condition_variable cv;
  void consume() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return ready.load(); });
  }
  void rearm() {
    ready = false;
    cv.notify_one();
  }
  void publish() {
    ready.store(true);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'ready' is written without holding 'mu', but the wait predicate in 'Ready::consume' reads it under 'mu': {{.*}} (lost wake-up) [fearless-missing-guarded-by]
    cv.notify_one();
  }
};

// The loop form waits while its condition holds: `while (!stop && empty)`
// is released by stop = true, not by stop = false; a state compared with a
// constant is released only by that constant.
struct Loop {
  bool stop = false;
  int state = 0;
  int items = 0;
  std::mutex mu;
  std::condition_variable cv;
  void run() {
    std::unique_lock<std::mutex> lock(mu);
    while (!stop && items == 0)
      cv.wait(lock);
    while (state != 2)
      cv.wait(lock);
  }
  void restart() {
    stop = false;
    state = 1;
    cv.notify_all();
  }
  void shutdown() {
    stop = true;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'stop' is written without holding 'mu', but the wait predicate in 'Loop::run' reads it under 'mu': {{.*}} (lost wake-up) [fearless-missing-guarded-by]
    state = 2;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'state' is written without holding 'mu', but the wait predicate in 'Loop::run' reads it under 'mu': {{.*}} (lost wake-up) [fearless-missing-guarded-by]
    cv.notify_all();
  }
  void put() {
    std::lock_guard<std::mutex> lock(mu);
    ++items;
    cv.notify_all();
  }
};

// A signed counter increased may reach zero from below: still reported.
struct Signed {
  std::atomic<int> balance{-1};
  std::mutex mu;
  std::condition_variable cv;
  void wait_even() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return balance.load() == 0; });
  }
  void deposit() {
    ++balance;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'balance' is written without holding 'mu', but the wait predicate in 'Signed::wait_even' reads it under 'mu': {{.*}} (lost wake-up) [fearless-missing-guarded-by]
    cv.notify_all();
  }
};
