// What the race detector costs, in one run (race_cases.h has the loops):
//
//   watched     Watched<int> under a tracked fearless::Mutex  (this program)
//   plain       a plain int under the same mutex              (this program)
//   untracked   the same program, every fearless check compiled out
//               (race_untracked_child)
//   tsan        the same program under ThreadSanitizer (race_tsan_child,
//               clang -fsanitize=thread)
//
// The overhead of a checker is its time minus the untracked time; the last
// column is how many times TSan's overhead is fearless's (the target is at
// least 5). Run it with tracking on (FEARLESS_LOCK_TRACKING=ON), as
// `./fearless.sh bench` does; CPU ns per iteration.
#include "fearless/watched.h"

#include "race_cases.h"
#include "ratio_reporter.h"
#include "tracker_cases.h"

#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using fearless_bench::run_child;

// How long a cache line takes to go to another CPU and back (two threads
// passing a counter), in ns. The two-thread critical sections move a few
// lines per hand-off, so their times follow this figure; on a virtual
// machine it can change severalfold between runs, as the host moves the
// virtual CPUs.
double line_round_trip_ns() {
  alignas(64) static std::atomic<int> ball{0};
  constexpr int kTrips = 100000;
  ball.store(0);
  std::thread other([] {
    for (int i = 0; i < kTrips; ++i) {
      while (ball.load(std::memory_order_acquire) != 2 * i + 1) {
      }
      ball.store(2 * i + 2, std::memory_order_release);
    }
  });
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kTrips; ++i) {
    while (ball.load(std::memory_order_acquire) != 2 * i) {
    }
    ball.store(2 * i + 1, std::memory_order_release);
  }
  other.join();
  std::chrono::duration<double, std::nano> took =
      std::chrono::steady_clock::now() - start;
  return took.count() / kTrips;
}

void print_table(const fearless_bench::RatioReporter &r,
                 const std::map<std::string, double> &untracked,
                 const std::map<std::string, double> &tsan) {
  using fearless_bench::child_ns, fearless_bench::ratio_cell;
  auto cell = [](std::optional<double> v) {
    return fearless_bench::ns_cell(v, 1);
  };
  std::printf("\nrace detection, CPU ns per iteration (tracking %s in this "
              "program):\n",
              FEARLESS_LOCK_TRACKING ? "on" : "compiled out");
  std::printf("  %-11s %3s %9s %9s %9s %9s | %9s %9s %9s %9s %9s\n", "loop",
              "thr", "untracked", "plain", "watched", "tsan", "wat/plain",
              "tsan/untr", "fearless+", "tsan+", "tsan+/f+");
  for (const char *loop : {"read_mostly", "write_heavy", "read_loop"}) {
    for (int threads : {1, 2}) {
      std::string t = "/threads:" + std::to_string(threads);
      std::string l = loop;
      auto unt = child_ns(untracked, l + "/untracked" + t);
      auto plain = r.cpu_ns(l + "/plain" + t);
      auto watched = r.cpu_ns(l + "/watched" + t);
      auto ts = child_ns(tsan, l + "/tsan" + t);
      // Overheads over the program with every check compiled out.
      std::optional<double> over_f, over_t;
      if (watched && unt)
        over_f = *watched - *unt;
      if (ts && unt)
        over_t = *ts - *unt;
      std::printf("  %-11s %3d %s %s %s %s | %s %s %s %s %s\n", loop, threads,
                  cell(unt).c_str(), cell(plain).c_str(), cell(watched).c_str(),
                  cell(ts).c_str(), ratio_cell(watched, plain).c_str(),
                  ratio_cell(ts, unt).c_str(), cell(over_f).c_str(),
                  cell(over_t).c_str(), ratio_cell(over_t, over_f).c_str());
    }
  }
  std::printf("  (fearless+, tsan+: ns added over 'untracked'; tsan+/f+: how "
              "many times TSan's overhead is fearless's, target >= 5)\n");
  std::printf("  cache-line round trip between two CPUs, measured after the "
              "runs: %.0f ns (the two-thread rows follow it)\n",
              line_round_trip_ns());
}

} // namespace

int main(int argc, char **argv) {
  fearless_bench::become_multithreaded();
  fearless_bench::register_race_cases<fearless::Watched<int>>("watched");
  fearless_bench::register_race_cases<fearless_bench::PlainCell>("plain");
  std::vector<char *> child_args(argv, argv + argc);
  return fearless_bench::run(argc, argv, [&](const auto &r) {
    auto untracked = run_child("race_untracked_child", int(child_args.size()),
                               child_args.data());
    auto tsan =
        run_child("race_tsan_child", int(child_args.size()), child_args.data());
    print_table(r, untracked, tsan);
  });
}
