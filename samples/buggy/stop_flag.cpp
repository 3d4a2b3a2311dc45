// Buggy twin of samples/runtime/stop_flag.cpp: the stop flag is a plain
// bool instead of std::atomic<bool>. The worker's reads race with the main
// thread's write, and the compiler may even read the flag once and loop for
// ever. Rust refuses it (a `&mut bool` shared with another thread).
//
// fearless: fearless-shared-ref at the capture, and at run time "fearless:
// data race" between the write and the worker's read. The flag keeps its
// type, so the accesses are shown to the race detector by hand
// (fearless::watch_read/watch_write, for code that cannot change its types).
#include "fearless/thread.h"
#include "fearless/watched.h"
#include "replay.h"

#include <cstdio>

namespace {
replay::Step step; // see replay.h: the worker reads the flag first
} // namespace

int main() {
  bool stop = false; // Bug: not atomic
  long units = 0;

  fearless::scope([&](fearless::Scope &s) {
    s.builder().name("worker").spawn([&stop, &units] {
      for (;;) {
        fearless::watch_read(&stop, sizeof stop);
        if (stop)
          break;
        ++units; // a unit of work
        step.reach(1);
        step.await(2); // until main has written the flag
      }
    });
    step.await(1); // (the correct twin sleeps 10 ms here)
    fearless::watch_write(&stop, sizeof stop);
    stop = true;
    step.reach(2); // after the write's report: the worker's next read
  });              // races with the write too, but that pair is reported
  std::printf("worker saw the stop flag and returned (%s units done)\n",
              units > 0 ? "some" : "no");
  return 0;
}
