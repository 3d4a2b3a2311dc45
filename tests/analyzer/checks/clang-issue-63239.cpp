// RUN: %check_fearless_tidy %s 'fearless-*' %t
//
// llvm-project #63239: "Thread safety warning when conditionally releasing a
// unique_lock": a scoped lock unlocked on some paths only draws "mutex 'm'
// is not held on every path through here" at its destructor, although the
// destructor releases the mutex only if it still owns it. The same holds
// after adopt_lock, and for a unique_lock moved into a function that
// releases it. Positive twins: the data after a conditional unlock, and a
// mutex still held at the end of the function because the adopting locker
// exists on one branch only.
#include <mutex>
#include <utility>
#include "fearless/thread_safety.h"

std::mutex m;
int data FEARLESS_GUARDED_BY(m);

void conditional_release(bool b) {
  std::unique_lock<std::mutex> l(m);
  data = 1;
  if (b)
    l.unlock();
}

void conditional_release_then_relock(bool b) {
  std::unique_lock<std::mutex> l(m);
  if (b) {
    l.unlock();
    l.lock();
  }
  data = 2;
}

void release_adopted(int i) {
  m.lock();
  std::unique_lock<std::mutex> l(m, std::adopt_lock);
  data = 3;
  if (i)
    l.unlock();
}

void consume(std::unique_lock<std::mutex> l) {
  if (l.owns_lock())
    l.unlock();
}

void pass_to_callee(bool b) {
  std::unique_lock<std::mutex> l(m);
  data = 5;
  if (b)
    consume(std::move(l));
}

int read_after_conditional_release(bool b) {
  std::unique_lock<std::mutex> l(m);
  if (b)
    l.unlock();
  return data;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: reading variable 'data' requires holding mutex 'm' [fearless-guarded-by]
}

void conditionally_adopted(int i, int j) {
  m.lock();
  if (i) {
    std::unique_lock<std::mutex> l(m, std::adopt_lock);
    if (j)
      l.unlock();
  }
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: mutex 'm' is not held on every path through here [fearless-guarded-by]
