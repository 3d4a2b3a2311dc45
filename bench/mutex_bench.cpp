// fearless::Mutex against std::mutex, in the same binary and run:
//
//   uncontended  lock, increment, unlock on one thread (the fast path);
//   contended    the same with two threads hammering one mutex.
//
// Names are "<scenario>/<mutex>". After the run a table gives the ratio
// fearless / std for each scenario (target: <= 1.05 with the tracker
// compiled out, which is how `./fearless.sh bench` builds it).
#include "fearless/mutex.h"

#include "ratio_reporter.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace {

// One shared instance per mutex kind, so that the 2-thread runs contend.
std::mutex std_mu;
long std_value = 0;
fearless::Mutex<long> fearless_mu{0L};

void BM_std(benchmark::State &state) {
  for (auto _ : state) {
    std::lock_guard<std::mutex> lock(std_mu);
    ++std_value;
    benchmark::ClobberMemory();
  }
}

void BM_fearless(benchmark::State &state) {
  for (auto _ : state) {
    auto g = fearless_mu.lock();
    ++*g;
    benchmark::ClobberMemory();
  }
}

// Medians of 5 runs: a shared machine is noisy, and the ratio is what counts.
BENCHMARK(BM_std)
    ->Name("uncontended/std::mutex")
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_fearless)
    ->Name("uncontended/fearless::Mutex")
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_std)
    ->Name("contended/std::mutex")
    ->Threads(2)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_fearless)
    ->Name("contended/fearless::Mutex")
    ->Threads(2)
    ->UseRealTime()
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

// The ratio table: fearless::Mutex against std::mutex, per scenario.
void print_ratios(const fearless_bench::RatioReporter &r) {
  std::printf("\n%-12s %14s %14s %8s\n", "median", "std::mutex ns",
              "fearless ns", "ratio");
  for (const char *scenario : {"uncontended", "contended"}) {
    auto s = r.ns(std::string(scenario) + "/std::mutex");
    auto f = r.ns(std::string(scenario) + "/fearless::Mutex");
    if (!s || !f)
      continue;
    std::printf("%-12s %14.2f %14.2f %7.2fx\n", scenario, *s, *f, *f / *s);
  }
#if FEARLESS_LOCK_TRACKING
  std::printf("(tracking compiled in: configure with "
              "-DFEARLESS_LOCK_TRACKING=OFF for the release cost)\n");
#endif
}

} // namespace

int main(int argc, char **argv) {
  return fearless_bench::run(argc, argv, print_ratios);
}
