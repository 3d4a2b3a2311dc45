// What the lock-order tracker costs, in one run:
//
//   lock+unlock at held depth 0, 1 and 4 (tracker_cases.h) for
//     fearless::Mutex, tracking on            (this program)
//     fearless::Mutex, tracking compiled out  (tracker_untracked_child)
//     std::mutex                              (this program)
//     absl::Mutex, deadlock detection kReport (this program, if Abseil is
//     found) std::mutex under ThreadSanitizer        (tracker_tsan_child,
//     clang)
//   2-thread scaling: two threads, each locking its own mutexes;
//   the new-edge slow path (a chain never seen: graph lock + cycle search);
//   graph memory per class for 2^17 classes and 10^6 edges.
//
// The child programs sit next to this one and are run by it; a missing one
// leaves its column empty. Ratios are of CPU time per iteration (see
// tracker_cases.h). Run it with tracking on (FEARLESS_LOCK_TRACKING=ON):
// with tracking off the "tracked" column measures the untracked build.
#include "fearless/detail/lock_graph.h"
#include "fearless/mutex.h"
#include "fearless/tracker.h"

#include "ratio_reporter.h"
#include "tracker_cases.h"
#include "tracker_fearless_cases.h"

#include <benchmark/benchmark.h>

#if FEARLESS_BENCH_HAVE_ABSL
#include <absl/synchronization/mutex.h>
#endif

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using fearless_bench::at_depth;
using fearless_bench::run_child;

void std_at_depth(benchmark::State &state) {
  std::mutex outer[4], inner;
  at_depth(
      state,
      [&](int i) {
        return std::make_unique<fearless_bench::Held<std::mutex>>(outer[i]);
      },
      [&] {
        std::lock_guard<std::mutex> g(inner);
        benchmark::DoNotOptimize(&g);
      });
}

void std_two_threads(benchmark::State &state) {
  std::mutex outer, inner;
  std::lock_guard<std::mutex> held(outer);
  for (auto _ : state) {
    std::lock_guard<std::mutex> g(inner);
    benchmark::DoNotOptimize(&g);
  }
}

#if FEARLESS_BENCH_HAVE_ABSL
struct AbslHeld {
  explicit AbslHeld(absl::Mutex &m) : m_(m) { m_.Lock(); }
  ~AbslHeld() { m_.Unlock(); }
  absl::Mutex &m_;
};

// Abseil's detector keeps a global graph of every mutex it sees.
void absl_at_depth(benchmark::State &state) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kReport);
  absl::Mutex outer[4], inner;
  at_depth(
      state, [&](int i) { return std::make_unique<AbslHeld>(outer[i]); },
      [&] {
        absl::MutexLock g(&inner);
        benchmark::DoNotOptimize(&g);
      });
}

void absl_two_threads(benchmark::State &state) {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kReport);
  absl::Mutex outer, inner;
  absl::MutexLock held(&outer);
  for (auto _ : state) {
    absl::MutexLock g(&inner);
    benchmark::DoNotOptimize(&g);
  }
}
#endif

// A new chain every iteration: a fresh lock class (per-instance mode) under
// a held one, so every acquisition takes the graph lock and searches.
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

// --- memory per class
// ------------------------------------------------------------ 2^17 classes,
// 10^6 edges, straight into the graph (the tracker's slow path adds the same
// records). Two layers -- every edge from one of 2^16 "outer" classes to one of
// 2^16 "inner" ones -- so that no insertion searches far: this measures memory,
// not the cycle search.
void graph_memory() {
  constexpr std::uint32_t classes = 1u << 17, half = classes / 2;
  constexpr std::size_t edges = 1000000;
  fearless::detail::LockGraph graph;
  std::mt19937 rng(42);
  auto start = std::chrono::steady_clock::now();
  while (graph.edge_count() < edges) {
    auto from = 1 + rng() % half, to = 1 + half + rng() % half;
    graph.add_edge(from, fearless::detail::EdgeMode::exclusive, to,
                   fearless::detail::EdgeMode::exclusive, 1);
  }
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  // One more edge, back from the inner layer: a real search.
  auto t0 = std::chrono::steady_clock::now();
  auto r = graph.add_edge(1 + half, fearless::detail::EdgeMode::exclusive, 1,
                          fearless::detail::EdgeMode::exclusive, 2);
  double search_us = std::chrono::duration<double, std::micro>(
                         std::chrono::steady_clock::now() - t0)
                         .count();
  std::size_t bytes = graph.memory_bytes();
  std::printf("\nlock-order graph, %u classes and %zu edges (two layers):\n",
              classes, graph.edge_count());
  std::printf("  memory %.1f MiB: %.0f bytes per class, %.0f per edge\n",
              double(bytes) / (1 << 20), double(bytes) / classes,
              double(bytes) / double(graph.edge_count()));
  std::printf("  %.2f us per edge added; one edge back (cycle %s): %.1f us\n",
              secs * 1e6 / double(edges), r.cycle ? "found" : "none",
              search_us);
}

// --- the table
// ------------------------------------------------------------------
void print_tables(const fearless_bench::RatioReporter &r,
                  const std::map<std::string, double> &untracked,
                  const std::map<std::string, double> &tsan) {
  using fearless_bench::ns_cell, fearless_bench::ratio_cell;
  auto get = fearless_bench::child_ns;
  auto cell = [](std::optional<double> v) { return ns_cell(v); };
  auto ratio = ratio_cell;
  std::printf("\nlock+unlock, CPU ns per iteration (tracking %s in this "
              "program):\n",
              FEARLESS_LOCK_TRACKING ? "on" : "compiled out");
  std::printf("  depth   tracked untracked std_mutex absl_dtct  tsan_std |"
              " trk/std  trk/untr absl/trk tsan/trk\n");
  for (int depth : {0, 1, 4}) {
    std::string d = "/" + std::to_string(depth);
    auto trk = r.cpu_ns("lock_unlock/fearless_tracked" + d);
    auto unt = get(untracked, "lock_unlock/fearless_untracked" + d);
    auto stdm = r.cpu_ns("lock_unlock/std_mutex" + d);
    auto absl = r.cpu_ns("lock_unlock/absl_detect" + d);
    auto ts = get(tsan, "lock_unlock/std_mutex_tsan" + d);
    std::printf("  %5d %s%s%s%s%s | %s%s%s%s\n", depth, cell(trk).c_str(),
                cell(unt).c_str(), cell(stdm).c_str(), cell(absl).c_str(),
                cell(ts).c_str(), ratio(trk, stdm).c_str(),
                ratio(trk, unt).c_str(), ratio(absl, trk).c_str(),
                ratio(ts, trk).c_str());
  }
  std::printf("\n2 threads, each locking its own mutexes (CPU ns per "
              "iteration per thread):\n");
  std::printf("  kind                  1 thread  2 threads  2t/1t\n");
  auto scaling = [&](const char *label, std::optional<double> one,
                     std::optional<double> two) {
    std::printf("  %-20s %s %s %s\n", label, cell(one).c_str(),
                cell(two).c_str(), ratio(two, one).c_str());
  };
  scaling("fearless (tracked)",
          r.cpu_ns("two_threads/fearless_tracked/threads:1"),
          r.cpu_ns("two_threads/fearless_tracked/threads:2"));
  scaling("fearless (untracked)",
          get(untracked, "two_threads/fearless_untracked/threads:1"),
          get(untracked, "two_threads/fearless_untracked/threads:2"));
  scaling("std::mutex", r.cpu_ns("two_threads/std_mutex/threads:1"),
          r.cpu_ns("two_threads/std_mutex/threads:2"));
  scaling("absl (detection on)", r.cpu_ns("two_threads/absl_detect/threads:1"),
          r.cpu_ns("two_threads/absl_detect/threads:2"));
  if (auto slow = r.cpu_ns("fearless_new_edge/iterations:20000"))
    std::printf("\nnew-edge slow path (graph lock, stack capture, cycle "
                "search): %.0f ns CPU per acquisition\n",
                *slow);
}

} // namespace

int main(int argc, char **argv) {
  fearless_bench::become_multithreaded();
  fearless_bench::register_fearless_cases("fearless_tracked");
  benchmark::RegisterBenchmark("lock_unlock/std_mutex", std_at_depth)
      ->Arg(0)
      ->Arg(1)
      ->Arg(4);
  benchmark::RegisterBenchmark("two_threads/std_mutex", std_two_threads)
      ->Threads(1)
      ->Threads(2);
#if FEARLESS_BENCH_HAVE_ABSL
  benchmark::RegisterBenchmark("lock_unlock/absl_detect", absl_at_depth)
      ->Arg(0)
      ->Arg(1)
      ->Arg(4);
  benchmark::RegisterBenchmark("two_threads/absl_detect", absl_two_threads)
      ->Threads(1)
      ->Threads(2);
#endif
  benchmark::RegisterBenchmark("fearless_new_edge", fearless_new_edge)
      ->Iterations(20000);
  std::vector<char *> child_args(argv, argv + argc);
  int code = fearless_bench::run(argc, argv, [&](const auto &r) {
    auto untracked = run_child("tracker_untracked_child",
                               int(child_args.size()), child_args.data());
    auto tsan = run_child("tracker_tsan_child", int(child_args.size()),
                          child_args.data());
    print_tables(r, untracked, tsan);
#if !FEARLESS_BENCH_HAVE_ABSL
    std::printf("(Abseil not found: no absl column)\n");
#endif
    graph_memory();
  });
  return code;
}
