// RUN: %check_fearless_tidy %s fearless-guarded-by %t
// RUN: %check_fearless_tidy -check-suffixes=CLANG %s fearless-guarded-by %t \
// RUN:   --config="{CheckOptions: {fearless-guarded-by.InheritLocksInLambdas: false}}"

// Clang analyses every lambda as if no lock were held where it runs (its most
// reported false positive). fearless lets a lambda that runs synchronously
// inherit the locks held where it runs, and checks them there. The CLANG
// prefix shows what Clang reports for the same code.

#include "fearless/thread_safety.h"
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

class Stats {
public:
  // Negative: called right here, under the lock.
  void immediatelyInvoked() {
    std::lock_guard<std::mutex> lk(mu_);
    [&] { ++hits_; }();
    // CHECK-MESSAGES-CLANG: :[[@LINE-1]]:13: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  }
  // Negative: a local lambda called only under the lock.
  void localVariable() {
    auto bump = [this] { ++hits_; };
    // CHECK-MESSAGES-CLANG: :[[@LINE-1]]:28: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    std::lock_guard<std::mutex> lk(mu_);
    bump();
    bump();
  }
  // Negative: a standard algorithm runs it before returning.
  void algorithm(const std::vector<int> &v) {
    std::lock_guard<std::mutex> lk(mu_);
    std::for_each(v.begin(), v.end(), [&](int x) { hits_ += x; });
    // CHECK-MESSAGES-CLANG: :[[@LINE-1]]:52: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  }
  // Negative: a condition variable's predicate runs with the lock held.
  void waitPredicate() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [this] { return hits_ > 10; });
    // CHECK-MESSAGES-CLANG: :[[@LINE-1]]:34: warning: reading variable 'hits_' requires holding mutex 'mu_' [fearless-guarded-by]
  }

  // The lock is not held where the lambda runs: reported, at the access.
  void calledWithoutLock() {
    auto bump = [this] { ++hits_; };
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    // CHECK-MESSAGES-CLANG: :[[@LINE-2]]:28: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    bump();
  }
  void algorithmWithoutLock(const std::vector<int> &v) {
    std::for_each(v.begin(), v.end(), [&](int x) { hits_ += x; });
    // CHECK-MESSAGES: :[[@LINE-1]]:52: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    // CHECK-MESSAGES-CLANG: :[[@LINE-2]]:52: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  }
  // Called once with and once without the lock: the unlocked call is a bug.
  void calledBothWays() {
    auto bump = [this] { ++hits_; };
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    // CHECK-MESSAGES-CLANG: :[[@LINE-2]]:28: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    {
      std::lock_guard<std::mutex> lk(mu_);
      bump();
    }
    bump();
  }

  // A lambda that crosses a thread boundary starts with no lock held, even
  // if the spawning thread holds it: the other thread does not.
  void thread() {
    std::lock_guard<std::mutex> lk(mu_);
    std::thread t([this] { ++hits_; });
    // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    // CHECK-MESSAGES-CLANG: :[[@LINE-2]]:30: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    t.join();
  }
  // A lambda that escapes (stored in a member) keeps Clang's behaviour.
  void escapes() {
    std::lock_guard<std::mutex> lk(mu_);
    callback_ = [this] { ++hits_; };
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    // CHECK-MESSAGES-CLANG: :[[@LINE-2]]:28: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  int hits_ FEARLESS_GUARDED_BY(mu_) = 0;
  std::function<void()> callback_;
};

// Locals of the enclosing function, captured by reference.
struct Account {
  std::mutex mu;
  int balance FEARLESS_GUARDED_BY(mu) = 0;
};
void deposit(Account &a) {
  std::lock_guard<std::mutex> lk(a.mu);
  [&] { a.balance += 1; }();
  // CHECK-MESSAGES-CLANG: :[[@LINE-1]]:11: warning: writing variable 'balance' requires holding mutex 'a.mu' exclusively [fearless-guarded-by]
}
void depositUnlocked(Account &a) {
  [&] { a.balance += 1; }();
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: writing variable 'balance' requires holding mutex 'a.mu' exclusively [fearless-guarded-by]
  // CHECK-MESSAGES-CLANG: :[[@LINE-2]]:11: warning: writing variable 'balance' requires holding mutex 'a.mu' exclusively [fearless-guarded-by]
}
