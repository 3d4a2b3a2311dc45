// RUN: %check_fearless_tidy %s 'fearless-*' %t
//
// llvm-project #58480: "False positive in -Wthread-safety-analysis when
// returning scoped lock from function": a function annotated as acquiring a
// mutex that returns the scoped lock holding it drew "mutex 'mutex' is
// still held at the end of function" (fixed in Clang 20, llvm-project
// #105526). The same with the standard lockers, returned by value (C++17
// guaranteed elision): no finding in the function, and the caller's locker
// holds the mutex until it is destroyed. Positive twin: the data read after
// the returned locker's scope ended.
#include <mutex>
#include "fearless/thread_safety.h"

// The issue's own form, with a user-annotated scoped lock.
class FEARLESS_CAPABILITY("mutex") Mutex {
public:
  void Lock() FEARLESS_ACQUIRE();
  void Unlock() FEARLESS_RELEASE();
};
class FEARLESS_SCOPED_CAPABILITY MutexLock {
public:
  explicit MutexLock(Mutex *mu) FEARLESS_ACQUIRE(mu);
  ~MutexLock() FEARLESS_RELEASE();
};
Mutex mutex;
int a FEARLESS_GUARDED_BY(mutex);

MutexLock lock() FEARLESS_ACQUIRE(mutex) {
  return MutexLock(&mutex);
}

// The standard lockers.
class Counter {
public:
  std::lock_guard<std::mutex> guard() FEARLESS_ACQUIRE(mu_) {
    return std::lock_guard<std::mutex>(mu_);
  }
  std::unique_lock<std::mutex> locked() FEARLESS_ACQUIRE(mu_) {
    return std::unique_lock<std::mutex>(mu_);
  }
  void inc() {
    auto g = guard();
    n_++;
  }
  void inc_unique() {
    auto l = locked();
    n_++;
  }
  int read_after_scope() {
    { auto l = locked(); n_++; }
    return n_;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reading variable 'n_' requires holding mutex 'mu_' [fearless-guarded-by]
  }

private:
  std::mutex mu_;
  int n_ FEARLESS_GUARDED_BY(mu_) = 0;
};
