// RUN: %check_fearless_tidy %s fearless-guarded-by %t

// std::unique_lock and std::shared_lock whose ownership is only known at run
// time: try_to_lock, the timed constructors, try_lock*(), owns_lock() and
// operator bool; release(); moving a locker; a function that returns one.
// Each finding has its negative twin beside it.

#include "fearless/thread_safety.h"
#include <chrono>
#include <mutex>
#include <thread>
#include <shared_mutex>

using namespace std::chrono_literals;

class Stats {
public:
  // --- try_to_lock ---------------------------------------------------------
  void tryToLock() {
    std::unique_lock<std::mutex> lk(mu_, std::try_to_lock);
    if (lk.owns_lock())
      ++hits_;
    if (lk)
      ++hits_;
  }
  void tryToLockUnchecked() {
    std::unique_lock<std::mutex> lk(mu_, std::try_to_lock);
    ++hits_;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  }
  void tryToLockFailedBranch() {
    std::unique_lock<std::mutex> lk(mu_, std::try_to_lock);
    if (!lk.owns_lock()) {
      ++hits_;
      // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
      return;
    }
    ++hits_;
  }
  void tryThenBlock() {
    std::unique_lock<std::mutex> lk(mu_, std::try_to_lock);
    if (!lk)
      lk.lock();
    ++hits_;
  }

  // --- unique_lock::try_lock / try_lock_for --------------------------------
  void tryLockMember() {
    std::unique_lock<std::mutex> lk(mu_, std::defer_lock);
    if (lk.try_lock())
      ++hits_;
    ++hits_;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  }
  void spinWithTimeout() {
    std::unique_lock<std::timed_mutex> lk(tmu_, std::defer_lock);
    while (!lk.try_lock_for(1ms)) {
    }
    ++timed_;
  }
  void tryLockWhileOwning() {
    std::unique_lock<std::mutex> lk(mu_);
    if (lk.owns_lock()) // a question, not an acquisition: no finding
      ++hits_;
    if (lk.try_lock())
      // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: acquiring mutex 'mu_' that is already held [fearless-guarded-by]
      ++hits_;
  }

  // --- timed constructors --------------------------------------------------
  void timedFor() {
    std::unique_lock<std::timed_mutex> lk(tmu_, 5ms);
    if (lk)
      ++timed_;
    ++timed_;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'timed_' requires holding mutex 'tmu_' exclusively [fearless-guarded-by]
  }
  void timedUntil() {
    std::unique_lock<std::timed_mutex> lk(tmu_, std::chrono::steady_clock::now() + 5ms);
    if (lk.owns_lock())
      ++timed_;
  }

  // --- shared_lock ---------------------------------------------------------
  int sharedTry() {
    std::shared_lock<std::shared_timed_mutex> lk(smu_, std::try_to_lock);
    if (!lk)
      return -1;
    return shared_;
  }
  void sharedTryWrite() {
    std::shared_lock<std::shared_timed_mutex> lk(smu_, std::try_to_lock);
    if (lk)
      shared_ = 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'shared_' requires holding mutex 'smu_' exclusively [fearless-guarded-by]
  }

  // --- release() -----------------------------------------------------------
  void lockAndKeep() FEARLESS_ACQUIRE(mu_) {
    std::unique_lock<std::mutex> lk(mu_);
    ++hits_;
    lk.release(); // mu_ stays locked for the caller: no finding at the end
  }
  void releaseThenUnlock() {
    std::unique_lock<std::mutex> lk(mu_);
    std::mutex *m = lk.release();
    ++hits_; // still held
    m->unlock();
  }
  void forgetsToKeep() FEARLESS_ACQUIRE(mu_) {
    std::unique_lock<std::mutex> lk(mu_);
    ++hits_;
  }
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: expecting mutex 'mu_' to be held at the end of function [fearless-guarded-by]

  // --- moving a locker -----------------------------------------------------
  void moved() {
    std::unique_lock<std::mutex> lk(mu_);
    std::unique_lock<std::mutex> owner(std::move(lk));
    ++hits_;
  }

  // --- a function that returns a locker ------------------------------------
  std::unique_lock<std::mutex> lock() { return std::unique_lock<std::mutex>(mu_); }
  std::shared_lock<std::shared_timed_mutex> reader() {
    std::shared_lock<std::shared_timed_mutex> lk(smu_);
    return lk;
  }
  void throughLock() {
    auto lk = lock();
    ++hits_;
  }
  int throughReader() {
    auto lk = reader();
    return shared_;
  }
  void writeThroughReader() {
    auto lk = reader();
    shared_ = 2;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'shared_' requires holding mutex 'smu_' exclusively [fearless-guarded-by]
  }
  void temporaryOnly() {
    lock();
    ++hits_;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  }
  // Unlocked before it is returned: not taken as acquiring.
  std::unique_lock<std::mutex> unlockedLock() {
    std::unique_lock<std::mutex> lk(mu_);
    lk.unlock();
    return lk;
  }
  void throughUnlockedLock() {
    auto lk = unlockedLock();
    ++hits_;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  }

private:
  std::mutex mu_;
  std::timed_mutex tmu_;
  std::shared_timed_mutex smu_;
  int hits_ FEARLESS_GUARDED_BY(mu_) = 0;
  int timed_ FEARLESS_GUARDED_BY(tmu_) = 0;
  int shared_ FEARLESS_GUARDED_BY(smu_) = 0;
};

struct Account {
  std::mutex mu;
  int balance FEARLESS_GUARDED_BY(mu) = 0;
};
// A free function: the mutex is named through its parameter.
std::unique_lock<std::mutex> lockOf(Account &a) {
  return std::unique_lock<std::mutex>(a.mu);
}
void transfer(Account &from, Account &to) {
  auto lk = lockOf(from);
  from.balance -= 1;
  to.balance += 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: writing variable 'balance' requires holding mutex 'to.mu' exclusively [fearless-guarded-by]
}

// A locker moved into a thread's lambda and unlocked there: the lambda's
// body is analysed alone and cannot see the locker built outside it.
// Before: "releasing mutex 'l' that was not held". (That another thread
// unlocks the mutex is fearless-guard-not-send's finding.) Guarded data in
// that body is still checked: the thread starts with no lock held.
void handOff(Account &a) {
  std::unique_lock<std::mutex> lk(a.mu);
  std::thread t([l = std::move(lk)]() mutable { l.unlock(); });
  t.join();
}
void handOffThenWrite(Account &a) {
  std::unique_lock<std::mutex> lk(a.mu);
  std::thread t([l = std::move(lk), &a]() mutable {
    a.balance = 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'balance' requires holding mutex 'a.mu' exclusively [fearless-guarded-by]
    l.unlock();
  });
  t.join();
}
