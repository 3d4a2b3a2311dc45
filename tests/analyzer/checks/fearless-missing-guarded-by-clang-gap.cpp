// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
// Clang's own analysis has nothing to say: the flag is atomic, and nothing
// is annotated.
// RUN: clang++ -std=c++20 -fsyntax-only -Wthread-safety -Wthread-safety-beta \
// RUN:   %fearless_include %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CLANG --allow-empty --implicit-check-not='warning:'
// CLANG-NOT: warning:

// Known gap: a lost wake-up through an atomic stop flag. The worker checks
// the flag under the mutex (false), the destructor stores it and notifies
// before the worker waits, and the worker sleeps through the notification:
// join() never returns.
#include "fearless/thread_safety.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

class Worker {
public:
  Worker() : thread_([this] { run(); }) {}
  ~Worker() {
    stop_ = true;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'stop_' is written without holding 'mu_', but the wait predicate in 'Worker::run' reads it under 'mu_': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
    // CHECK-NOTES: :[[@LINE-2]]:5: warning: 'stop_' is written without holding 'mu_', but the wait predicate in 'Worker::run' reads it under 'mu_': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
    cv_.notify_one();
    thread_.join();
  }

private:
  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_.load(); });
    // CHECK-NOTES: :[[@LINE-1]]:36: note: the wait predicate reads 'stop_' here with 'mu_' held
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The same fields of a class and their notes: the guarded write, and each
// unguarded access.
class Meter {
public:
  void add(int v) {
    std::lock_guard<std::mutex> lock(mu_);
    total_ += v;
  }
  int total() const { return total_; }

private:
  mutable std::mutex mu_;
  int total_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'total_' is written with 'mu_' held in 1 of 1 places; read without it in 'Meter::total' [fearless-missing-guarded-by]
  // CHECK-NOTES: :[[@LINE-2]]:7: warning: 'total_' is written with 'mu_' held in 1 of 1 places; read without it in 'Meter::total' [fearless-missing-guarded-by]
  // CHECK-NOTES: :[[@LINE-3]]:13: note: FIX-IT applied suggested code changes
  // CHECK-NOTES: :[[@LINE-10]]:5: note: 'total_' is written here with 'mu_' held
  // CHECK-NOTES: :[[@LINE-9]]:30: note: 'total_' is read here without 'mu_'
};
