// RUN: %check_fearless_tidy %s fearless-guarded-by %t

// libstdc++ carries no thread-safety attributes; fearless-guarded-by treats
// the standard mutexes and lock guards as if it did.

#include "fearless/thread_safety.h"
#include <mutex>
#include <shared_mutex>

class Counter {
public:
  void unlocked() {
    ++hits_;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  }
  // Negative: each standard way of holding mu_.
  void lockGuard() {
    std::lock_guard<std::mutex> lk(mu_);
    ++hits_;
  }
  void ctad() {
    std::lock_guard lk(mu_);
    ++hits_;
  }
  void scopedLock() {
    std::scoped_lock lk(mu_, other_);
    ++hits_;
    ++others_;
  }
  void manual() {
    mu_.lock();
    ++hits_;
    mu_.unlock();
  }
  void tryLock() {
    if (mu_.try_lock()) {
      ++hits_;
      mu_.unlock();
    }
  }
  void adopted() {
    mu_.lock();
    std::lock_guard<std::mutex> lk(mu_, std::adopt_lock);
    ++hits_;
  }

  void uniqueLockRelocks() {
    std::unique_lock<std::mutex> lk(mu_);
    ++hits_;
    lk.unlock();
    ++hits_;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    lk.lock();
    ++hits_;
  }
  void uniqueLockDeferred() {
    std::unique_lock<std::mutex> lk(mu_, std::defer_lock);
    ++hits_;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'hits_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    lk.lock();
    ++hits_;
  }
  void forgotUnlock() {
    mu_.lock();
    ++hits_;
  }
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: mutex 'mu_' is still held at the end of function [fearless-guarded-by]
  void doubleLock() {
    std::lock_guard<std::mutex> lk(mu_);
    mu_.lock();
    // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: acquiring mutex 'mu_' that is already held [fearless-guarded-by]
  }

  int readShared() {
    std::shared_lock<std::shared_mutex> lk(rw_);
    return table_;
  }
  void writeUnderSharedLock() {
    std::shared_lock<std::shared_mutex> lk(rw_);
    table_ = 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'table_' requires holding mutex 'rw_' exclusively [fearless-guarded-by]
  }
  void writeUnique() {
    std::unique_lock<std::shared_mutex> lk(rw_);
    table_ = 1;
  }
  int readManualShared() {
    rw_.lock_shared();
    int v = table_;
    rw_.unlock_shared();
    return v;
  }

  void timedAndRecursive() {
    std::lock_guard<std::timed_mutex> a(timed_);
    std::lock_guard<std::recursive_mutex> b(recursive_);
    ++slow_;
    ++nested_;
  }
  void timedUnlocked() {
    ++slow_;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'slow_' requires holding mutex 'timed_' exclusively [fearless-guarded-by]
  }

private:
  std::mutex mu_;
  std::mutex other_;
  std::shared_mutex rw_;
  std::timed_mutex timed_;
  std::recursive_mutex recursive_;
  int hits_ FEARLESS_GUARDED_BY(mu_) = 0;
  int others_ FEARLESS_GUARDED_BY(other_) = 0;
  int table_ FEARLESS_GUARDED_BY(rw_) = 0;
  int slow_ FEARLESS_GUARDED_BY(timed_) = 0;
  int nested_ FEARLESS_GUARDED_BY(recursive_) = 0;
};

// A function that must be called with a std::mutex held.
std::mutex g_mu;
int g_value FEARLESS_GUARDED_BY(g_mu);
void setValue(int v) FEARLESS_REQUIRES(g_mu) { g_value = v; }
void callers() {
  setValue(1);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: calling function 'setValue' requires holding mutex 'g_mu' exclusively [fearless-guarded-by]
  std::lock_guard<std::mutex> lk(g_mu);
  setValue(2);
}
