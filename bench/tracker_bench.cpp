// What the lock-order tracker costs: lock+unlock of a fearless::Mutex with
// 0, 1 and 4 other locks held, against std::mutex under the same nesting, in
// one run; then the cost of the slow path (a new chain). Prints the ratios.
//
// Built in both bench configurations by ./fearless.sh bench: with tracking
// compiled out (FEARLESS_LOCK_TRACKING=OFF) and on.
#include "fearless/mutex.h"
#include "fearless/tracker.h"

#include "ratio_reporter.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

void std_mutex_at_depth(benchmark::State &state) {
  const int depth = static_cast<int>(state.range(0));
  std::vector<std::unique_ptr<std::mutex>> outer(depth);
  for (auto &m : outer) {
    m = std::make_unique<std::mutex>();
    m->lock();
  }
  std::mutex inner;
  for (auto _ : state) {
    inner.lock();
    inner.unlock();
  }
  for (auto &m : outer)
    m->unlock();
}

void fearless_mutex_at_depth(benchmark::State &state) {
  const int depth = static_cast<int>(state.range(0));
  std::vector<std::unique_ptr<fearless::Mutex<int>>> outer;
  std::vector<std::unique_ptr<fearless::MutexGuard<int>>> held;
  // One class per outer lock, so that nesting them is not same-class nesting.
  auto mode = fearless::set_class_mode(fearless::ClassMode::instance);
  for (int i = 0; i < depth; ++i)
    outer.emplace_back(new fearless::Mutex<int>());
  fearless::set_class_mode(mode);
  for (auto &m : outer) // guards do not move: C++17 elision into new
    held.emplace_back(new fearless::MutexGuard<int>(m->lock()));
  fearless::Mutex<int> inner;
  for (auto _ : state) {
    auto g = inner.lock();
    benchmark::DoNotOptimize(*g);
  }
  while (!held.empty()) // release in reverse order
    held.pop_back();
}

// A new chain every iteration: a fresh pair of lock classes (per-instance
// mode), so every nested acquisition takes the graph lock and searches.
void fearless_new_edge(benchmark::State &state) {
  auto old = fearless::set_class_mode(fearless::ClassMode::instance);
  fearless::Mutex<int> outer;
  auto g = outer.lock();
  for (auto _ : state) {
    state.PauseTiming();
    auto inner = std::make_unique<fearless::Mutex<int>>();
    state.ResumeTiming();
    auto gi = inner->lock();
    benchmark::DoNotOptimize(*gi);
  }
  fearless::set_class_mode(old);
}

BENCHMARK(std_mutex_at_depth)->Arg(0)->Arg(1)->Arg(4);
BENCHMARK(fearless_mutex_at_depth)->Arg(0)->Arg(1)->Arg(4);
BENCHMARK(fearless_new_edge)->Iterations(20000);

void print_ratios(const fearless_bench::RatioReporter &r) {
  std::printf("\nfearless::Mutex lock+unlock vs std::mutex (tracking %s):\n",
              FEARLESS_LOCK_TRACKING ? "on" : "compiled out");
  for (int depth : {0, 1, 4}) {
    std::string d = "/" + std::to_string(depth);
    auto f = r.ns("fearless_mutex_at_depth" + d);
    auto s = r.ns("std_mutex_at_depth" + d);
    if (f && s)
      std::printf("  depth %d: %6.2f ns vs %6.2f ns  ratio %.2fx\n", depth, *f,
                  *s, *f / *s);
  }
  if (auto slow = r.ns("fearless_new_edge/iterations:20000"))
    std::printf("  new-edge slow path: %.0f ns per acquisition\n", *slow);
}

} // namespace

int main(int argc, char **argv) {
  return fearless_bench::run(argc, argv, print_ratios);
}
