// RUN: %check_fearless_tidy %s 'fearless-*' %t
//
// llvm-project #154281: "[Clang] Thread safety doesn't allow annotating
// multiple standard library features": libc++ has no annotations for
// recursive_mutex, timed_mutex, recursive_timed_mutex, std::try_lock,
// scoped_lock of more than one mutex, shared_lock and unique_lock. fearless
// models each of them: guarded data accessed under any of them is no
// finding; the same data after the release is.
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include "fearless/thread_safety.h"

using namespace std::chrono_literals;

struct S {
  std::recursive_mutex rm;
  std::timed_mutex tm;
  std::recursive_timed_mutex rtm;
  std::mutex a, b;
  std::shared_timed_mutex sm;
  int r FEARLESS_GUARDED_BY(rm) = 0;
  int t FEARLESS_GUARDED_BY(tm) = 0;
  int rt FEARLESS_GUARDED_BY(rtm) = 0;
  int x FEARLESS_GUARDED_BY(a) = 0;
  int y FEARLESS_GUARDED_BY(b) = 0;
  int s FEARLESS_GUARDED_BY(sm) = 0;

  // recursive_mutex: reentrant.
  void recursive() {
    std::lock_guard<std::recursive_mutex> g1(rm);
    std::lock_guard<std::recursive_mutex> g2(rm);
    r++;
  }
  void recursive_by_hand() {
    rm.lock();
    rm.lock();
    r++;
    rm.unlock();
    r++;
    rm.unlock();
  }
  // Counted: released as often as taken, it is no longer held.
  void recursive_released() {
    rm.lock();
    rm.lock();
    rm.unlock();
    rm.unlock();
    r++;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'r' requires holding mutex 'rm' exclusively [fearless-guarded-by]
  }
  void recursive_guard_then_by_hand() {
    {
      std::lock_guard<std::recursive_mutex> g(rm);
      rm.lock();
      rm.unlock();
      r++;
    }
    r++;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'r' requires holding mutex 'rm' exclusively [fearless-guarded-by]
  }
  // timed_mutex: try_lock_for / try_lock_until hold the mutex when they succeed.
  void timed() {
    if (tm.try_lock_for(10ms)) {
      t++;
      tm.unlock();
    }
    std::unique_lock<std::timed_mutex> l(tm, 10ms);
    if (l.owns_lock())
      t++;
  }
  void timed_after_failure() {
    if (!tm.try_lock_for(10ms)) {
      t++;
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 't' requires holding mutex 'tm' exclusively [fearless-guarded-by]
      return;
    }
    tm.unlock();
  }
  // recursive_timed_mutex.
  void recursive_timed() {
    std::unique_lock<std::recursive_timed_mutex> l1(rtm);
    if (rtm.try_lock_until(std::chrono::steady_clock::now() + 10ms)) {
      rt++;
      rtm.unlock();
    }
    rt++;
  }
  // std::try_lock returns -1 when it took every mutex.
  void try_lock_both() {
    if (std::try_lock(a, b) == -1) {
      x++;
      y++;
      a.unlock();
      b.unlock();
    }
  }
  // scoped_lock of two mutexes.
  void scoped_two() {
    std::scoped_lock l(a, b);
    x++;
    y++;
  }
  int scoped_two_after() {
    { std::scoped_lock l(a, b); x++; }
    return y;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reading variable 'y' requires holding mutex 'b' [fearless-guarded-by]
  }
  // shared_lock and unique_lock on a shared_timed_mutex.
  int shared_read() {
    std::shared_lock l(sm);
    return s;
  }
  void unique_write() {
    std::unique_lock l(sm);
    s++;
  }
  void shared_write() {
    std::shared_lock l(sm);
    s = 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 's' requires holding mutex 'sm' exclusively [fearless-guarded-by]
  }
};
