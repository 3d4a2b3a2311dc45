// An atomic stop flag: the main thread asks a worker to stop, and the
// worker checks the flag between units of work (Rust: AtomicBool).
//
// Rust:
//   let stop = AtomicBool::new(false);
//   thread::scope(|s| {
//       s.spawn(|| while !stop.load(Ordering::Relaxed) { work(); });
//       thread::sleep(Duration::from_millis(10));
//       stop.store(true, Ordering::Relaxed);
//   });
//
// Buggy twin: samples/buggy/stop_flag.cpp.
#include "fearless/thread.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

int main() {
  std::atomic<bool> stop{false};
  long units = 0;

  fearless::scope([&](fearless::Scope &s) {
    s.builder().name("worker").spawn([&stop, &units] {
      while (!stop.load(std::memory_order_relaxed))
        ++units; // a unit of work
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stop.store(true, std::memory_order_relaxed);
  }); // joins the worker: its units are ours to read
  std::printf("worker saw the stop flag and returned (%s units done)\n",
              units > 0 ? "some" : "no");
  return 0;
}
