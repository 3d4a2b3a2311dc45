// RUN: %check_fearless_tidy %s fearless-guard-across-await %t -- -I%S/Inputs

#include "mini_task.h"
#include <mutex>
#include <shared_mutex>

std::mutex mu;
std::shared_mutex rw;
int counter;

Task held_across_await() {
  std::lock_guard<std::mutex> lk(mu);
  counter++;
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'lk' holds 'mu' across this co_await; the coroutine may resume on another thread, which then releases it, and every thread that needs 'mu' waits for the whole suspension [fearless-guard-across-await]
  counter++;
}

// Reported once, at the first suspension it spans.
Task held_across_two() {
  std::unique_lock<std::mutex> lk(mu);
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'lk' holds 'mu' across this co_await;
  co_await read_some();
}

Task shared_lock_across_yield_await() {
  std::shared_lock<std::shared_mutex> r(rw);
  int v = counter;
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'r' holds 'rw' across this co_await;
  (void)v;
}

Generator<int> yields_under_lock() {
  std::scoped_lock lk(mu);
  co_yield counter;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'lk' holds 'mu' across this co_yield;
}

Task locked_by_hand() {
  mu.lock();
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'mu' is held across this co_await; the coroutine may resume on another thread
  mu.unlock();
}

Task in_a_loop() {
  for (int i = 0; i < 3; ++i) {
    std::lock_guard<std::mutex> lk(mu);
    co_await read_some();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: lock guard 'lk' holds 'mu' across this co_await;
  }
}

auto lambda_coroutine = []() -> Task {
  std::lock_guard<std::mutex> lk(mu);
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'lk' holds 'mu' across this co_await;
};

// --- Negative cases -------------------------------------------------------

// The guard's block ends before the suspension.
Task block_scope() {
  {
    std::lock_guard<std::mutex> lk(mu);
    counter++;
  }
  co_await read_some();
}

// Unlocked before, locked again after.
Task unlock_before_await() {
  std::unique_lock<std::mutex> lk(mu);
  counter++;
  lk.unlock();
  co_await read_some();
  lk.lock();
  counter++;
}

// A lock taken between two awaits and dropped before the second.
Task lock_between_awaits() {
  co_await read_some();
  {
    std::lock_guard<std::mutex> lk(mu);
    counter++;
  }
  co_await read_some();
}

// Released to the caller's care, or moved away.
Task released_or_moved() {
  std::unique_lock<std::mutex> lk(mu);
  std::unique_lock<std::mutex> other(rw.try_lock() ? mu : mu, std::defer_lock);
  lk.release()->unlock();
  co_await read_some();
}

// The lock is taken and dropped inside the awaited expression.
int locked_read() {
  std::lock_guard<std::mutex> lk(mu);
  return counter;
}
Task lock_inside_callee() {
  co_await read_some();
  counter = locked_read();
}

// A coroutine lambda called at once under the caller's lock: its
// suspension does not hold the caller's lock.
void caller_holds_lock() {
  std::lock_guard<std::mutex> lk(mu);
  [&]() -> Task { co_await read_some(); }();
}

// An ordinary function with a lock: no suspension at all.
void not_a_coroutine() {
  std::lock_guard<std::mutex> lk(mu);
  counter++;
}
