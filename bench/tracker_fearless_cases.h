// bench/tracker_fearless_cases.h - the fearless::Mutex cases of
// tracker_cases.h, compiled twice: into tracker_bench with tracking on and
// into tracker_untracked_child with FEARLESS_LOCK_TRACKING=0.
#ifndef FEARLESS_BENCH_TRACKER_FEARLESS_CASES_H_
#define FEARLESS_BENCH_TRACKER_FEARLESS_CASES_H_

#include "fearless/mutex.h"

#include "tracker_cases.h"

#include <memory>
#include <string>

namespace fearless_bench {

using FearlessGuard = std::unique_ptr<fearless::MutexGuard<int>>;

// Four outer mutexes made at four lines: four lock classes, so holding them
// together is an ordinary chain (one line would be same-class nesting).
struct OuterMutexes {
  fearless::Mutex<int> a;
  fearless::Mutex<int> b;
  fearless::Mutex<int> c;
  fearless::Mutex<int> d;
  fearless::Mutex<int> &operator[](int i) {
    return i == 0 ? a : i == 1 ? b : i == 2 ? c : d;
  }
};

inline void fearless_at_depth(benchmark::State &state) {
  OuterMutexes outer;
  fearless::Mutex<int> inner;
  at_depth(
      state,
      [&](int i) {
        return FearlessGuard(new fearless::MutexGuard<int>(outer[i].lock()));
      },
      [&] {
        auto g = inner.lock();
        benchmark::DoNotOptimize(*g);
      });
}

// Each thread locks its own pair: outer, then inner (depth 1).
inline void fearless_two_threads(benchmark::State &state) {
  fearless::Mutex<int> outer;
  fearless::Mutex<int> inner;
  auto held = outer.lock();
  for (auto _ : state) {
    auto g = inner.lock();
    benchmark::DoNotOptimize(*g);
  }
}

inline void register_fearless_cases(const std::string &kind) {
  benchmark::RegisterBenchmark(("lock_unlock/" + kind).c_str(),
                               fearless_at_depth)
      ->Arg(0)
      ->Arg(1)
      ->Arg(4);
  benchmark::RegisterBenchmark(("two_threads/" + kind).c_str(),
                               fearless_two_threads)
      ->Threads(1)
      ->Threads(2);
}

} // namespace fearless_bench

#endif // FEARLESS_BENCH_TRACKER_FEARLESS_CASES_H_
