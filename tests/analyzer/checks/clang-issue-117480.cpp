// RUN: %check_fearless_tidy %s 'fearless-*' %t
//
// llvm-project #117480: "[libc++] missing thread safety annotations for
// std::unique_lock and std::shared_lock". With libc++'s annotations Clang
// accepts a read under std::lock_guard but reports the same read under
// std::unique_lock and std::shared_lock ("reading variable 'state_' requires
// holding shared_mutex 'lock_'"): both lockers hold the mutex, so neither is
// a finding. Positive twins: a write under a shared lock, and reads with no
// lock or after the locker released it, are real bugs.
#include <mutex>
#include <shared_mutex>
#include "fearless/thread_safety.h"

class Foo {
public:
  int guard() {
    std::lock_guard l(lock_);
    return state_;
  }
  int unique() {
    std::unique_lock l(lock_);
    return state_;
  }
  int shared() {
    std::shared_lock l(lock_);
    return state_;
  }
  void write_unique(int v) {
    std::unique_lock l(lock_);
    state_ = v;
  }
  void write_shared(int v) {
    std::shared_lock l(lock_);
    state_ = v;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'state_' requires holding mutex 'lock_' exclusively [fearless-guarded-by]
  }
  int unlocked() {
    return state_;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reading variable 'state_' requires holding mutex 'lock_' [fearless-guarded-by]
  }
  int after_unlock() {
    std::unique_lock l(lock_);
    l.unlock();
    return state_;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reading variable 'state_' requires holding mutex 'lock_' [fearless-guarded-by]
  }
  int after_shared_unlock() {
    std::shared_lock l(lock_);
    l.unlock();
    return state_;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reading variable 'state_' requires holding mutex 'lock_' [fearless-guarded-by]
  }

private:
  int state_ FEARLESS_GUARDED_BY(lock_) = 0;
  std::shared_mutex lock_;
};
