// Producer/consumer with a Condvar: the consumer sleeps until the queue has
// work or the producer is done.
//
// Rust:
//   let (lock, cvar) = &*pair;
//   let mut q = cvar.wait_while(lock.lock().unwrap(), |q|
//   q.is_empty()).unwrap();
#include "fearless/condvar.h"
#include "fearless/mutex.h"
#include "fearless/thread.h"

#include <cstdio>
#include <deque>

namespace {
struct Queue {
  std::deque<int> jobs;
  bool done = false;
};
} // namespace

int main() {
  fearless::Mutex<Queue> queue;
  fearless::Condvar changed;
  long sum = 0;

  fearless::scope([&](fearless::Scope &s) {
    s.spawn([&] { // producer
      for (int i = 1; i <= 100; ++i) {
        queue.lock()->jobs.push_back(i);
        changed.notify_one();
      }
      queue.lock()->done = true;
      changed.notify_one();
    });
    s.spawn([&] { // consumer
      for (;;) {
        auto q = queue.lock();
        changed.wait_while(q,
                           [](Queue &x) { return x.jobs.empty() && !x.done; });
        if (q->jobs.empty())
          return; // done and drained
        sum += q->jobs.front();
        q->jobs.pop_front();
      }
    });
  });
  std::printf("consumer summed jobs 1..100: %ld\n", sum);
  return sum == 5050 ? 0 : 1;
}
