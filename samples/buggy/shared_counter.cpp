// Buggy twin of samples/runtime/shared_counter.cpp: one thread keeps a
// pointer into the Mutex after its guard is gone, to save a lock per
// increment, and increments through it while another thread increments
// under the lock. Rust refuses it ("`guard` does not live long enough").
//
// fearless: fearless-guard-escape at the pointer's assignment, and at run
// time "fearless: data race" on the counter (a fearless::Watched, so that
// the race detector checks every access).
#include "fearless/mutex.h"
#include "fearless/thread.h"
#include "fearless/watched.h"
#include "replay.h"

#include <cstdio>
#include <memory>

namespace {
using Counter = fearless::Watched<long>;
// See replay.h. Here the order decides whether there is a race to see: had
// the locker finished before the borrower took its pointer, the borrower's
// lock would order every increment. Step lets the borrower take the pointer
// first and increment through it last.
replay::Step step;
} // namespace

int main() {
  auto counter = std::make_shared<fearless::Mutex<Counter>>(
      fearless::named("counter"), 0L);

  auto borrower = fearless::Builder().name("borrower").spawn([counter] {
    Counter *count = nullptr;
    {
      auto guard = counter->lock();
      count = &*guard; // Bug: outlives the guard
    }
    step.reach(1);
    step.await(2);
    for (int n = 0; n < 1000; ++n)
      count->update([](long &c) { ++c; }); // without the lock
  });
  auto locker = fearless::Builder().name("locker").spawn([counter] {
    step.await(1);
    for (int n = 0; n < 1000; ++n)
      counter->lock()->update([](long &c) { ++c; });
    step.reach(2);
  });
  borrower.join();
  locker.join();
  std::printf("2 threads x 1000 increments: counter = %ld\n",
              counter->lock()->get());
  return 0;
}
