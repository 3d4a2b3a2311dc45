// replay.h - makes a buggy sample run the same interleaving every time.
//
// The samples in this folder contain real data races, and the interleaving
// that shows a race can depend on timing. Step forces one order of the
// threads' steps through a std::atomic, so that the program prints the same
// thing on every run and the report appears on every run. fearless's race
// detector orders accesses only by its own primitives (unlock -> lock,
// send -> recv, spawn -> start, end -> join), never by std::atomic, so Step
// does not hide a race from it; it only picks which run you get.
#ifndef FEARLESS_SAMPLES_REPLAY_H_
#define FEARLESS_SAMPLES_REPLAY_H_

#include <atomic>
#include <thread>

namespace replay {

class Step {
public:
  /// Lets the threads waiting for steps up to `n` go on.
  void reach(int n) { at_.store(n); }
  /// Waits until some thread has reached step `n`.
  void await(int n) const {
    while (at_.load() < n)
      std::this_thread::yield();
  }

private:
  std::atomic<int> at_{0};
};

} // namespace replay

#endif // FEARLESS_SAMPLES_REPLAY_H_
