// Coroutines on a multi-threaded executor: tasks that hop between two
// worker threads and update shared state between their suspensions.
//
// Rust (tokio):
//   let total = Arc::new(Mutex::new(0));
//   tokio::spawn(async move {
//       { *total.lock().unwrap() += n; }   // the guard ends before .await
//       other_worker().await;
//       { *total.lock().unwrap() += n; }
//   });
//
// The guard is dropped before each co_await: holding it across one would
// leave the mutex locked while the task is suspended and have it unlocked by
// the other worker (samples/buggy/async_tasks.cpp).
#include "async_tasks.h"
#include "fearless/mutex.h"

#include <cstdio>
#include <latch>

Detached add_twice(Worker &a, Worker &b, fearless::Mutex<long> &total, long n,
                   std::latch &done) {
  co_await a.schedule(); // now on worker 'a'
  {
    auto g = total.lock();
    *g += n;
  } // unlocked on 'a', where it was locked
  co_await b.schedule(); // now on worker 'b'
  {
    auto g = total.lock();
    *g += n;
  }
  done.count_down();
}

int main() {
  fearless::Mutex<long> total(0);
  std::latch done(3);
  {
    Worker a("worker-a"), b("worker-b");
    for (long n = 1; n <= 3; ++n)
      add_twice(a, b, total, n, done);
    done.wait();
  }
  long result = *total.lock();
  std::printf("3 tasks hopping between 2 workers: total = %ld\n", result);
  return result == 12 ? 0 : 1;
}
