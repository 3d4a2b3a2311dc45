// The buggy twin of samples/runtime/async_tasks.cpp: the task keeps its
// MutexGuard alive across a co_await that resumes it on the other worker.
// The mutex stays locked for the whole suspension and is then unlocked by a
// thread that did not lock it. Rust rejects this at compile time: "future
// cannot be sent between threads safely" (MutexGuard is not Send).
//
// fearless-guard-across-await reports the co_await; at run time the tracker
// reports the release by the other thread.
#include "../runtime/async_tasks.h"
#include "fearless/mutex.h"

#include <cstdio>
#include <latch>

Detached add_twice(Worker &a, Worker &b, fearless::Mutex<long> &total, long n,
                   std::latch &done) {
  co_await a.schedule(); // now on worker 'a'
  auto g = total.lock();
  *g += n;
  co_await b.schedule(); // BUG: 'g' still holds the lock; resumes on 'b'
  *g += n;
  done.count_down();
} // 'g' unlocks here, on worker 'b'

int main() {
  fearless::Mutex<long> total(0);
  std::latch done(1);
  {
    Worker a("worker-a"), b("worker-b");
    add_twice(a, b, total, 1, done);
    done.wait();
  }
  long result = *total.lock();
  std::printf("1 task hopping between 2 workers: total = %ld\n", result);
  return 0;
}
