// RUN: %check_fearless_tidy %s 'fearless-*' %t
//
// llvm-project #156760: "[libc++] False positive mutex '...' is still held
// at the end of function": std::lock over two defer_lock unique_locks made
// Clang (with libc++'s std::lock annotations) report "mutex 'ul1' is still
// held at the end of function", naming the lockers as if they were mutexes.
// The unique_locks own the mutexes from std::lock on and release them when
// destroyed: no finding; guarded data is accessible after std::lock; a
// locker unlocked by hand no longer covers its data.
#include <mutex>
#include "fearless/thread_safety.h"

std::mutex m0, m1;
int d0 FEARLESS_GUARDED_BY(m0);
int d1 FEARLESS_GUARDED_BY(m1);

void func() {
  std::unique_lock ul1(m0, std::defer_lock);
  std::unique_lock ul2(m1, std::defer_lock);
  std::lock(ul1, ul2);
}

void write_both() {
  std::unique_lock<std::mutex> ul1(m0, std::defer_lock);
  std::unique_lock<std::mutex> ul2(m1, std::defer_lock);
  std::lock(ul1, ul2);
  d0 = 1;
  d1 = 2;
}

void three_way(std::mutex &m2) {
  std::unique_lock ul1(m0, std::defer_lock);
  std::unique_lock ul2(m1, std::defer_lock);
  std::unique_lock ul3(m2, std::defer_lock);
  std::lock(ul1, ul2, ul3);
  d0 = d1;
}

void unlock_one() {
  std::unique_lock ul1(m0, std::defer_lock);
  std::unique_lock ul2(m1, std::defer_lock);
  std::lock(ul1, ul2);
  ul2.unlock();
  d0 = 1;
  d1 = 2;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'd1' requires holding mutex 'm1' exclusively [fearless-guarded-by]
}

void not_locked_yet() {
  std::unique_lock ul1(m0, std::defer_lock);
  d0 = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'd0' requires holding mutex 'm0' exclusively [fearless-guarded-by]
}
