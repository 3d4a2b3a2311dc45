// RUN: %check_fearless_tidy %s fearless-guard-across-await %t -- -I%S/Inputs

// Every note of one finding: where the lock was taken and how to fix it.
#include "mini_task.h"
#include <mutex>

std::mutex mu;
int counter;

Task held_across_await() {
  std::unique_lock<std::mutex> lk(mu);
  counter++;
  co_await read_some();
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: lock guard 'lk' holds 'mu' across this co_await; the coroutine may resume on another thread, which then releases it, and every thread that needs 'mu' waits for the whole suspension [fearless-guard-across-await]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: lock guard 'lk' holds 'mu' across this co_await; the coroutine may resume on another thread, which then releases it, and every thread that needs 'mu' waits for the whole suspension [fearless-guard-across-await]
  // CHECK-NOTES: :[[@LINE-5]]:32: note: 'mu' acquired here
  // CHECK-NOTES: :[[@LINE-4]]:3: note: release it before the co_await: end the guard's scope, or unlock() it and lock again after
  counter++;
}

// Taken again after the suspension: not held across it.
Task relocked_after() {
  std::unique_lock<std::mutex> lk(mu);
  lk.unlock();
  co_await read_some();
  lk.lock();
  counter++;
}
