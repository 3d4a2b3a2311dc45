// bench/race_cases.h - the loops race_bench measures, shared with its two
// child programs so that all three run the very same code:
//
//   race_bench              tracking on: Watched<int> checked, and a plain
//                           int under the same (tracked) fearless::Mutex;
//   race_untracked_child    FEARLESS_LOCK_TRACKING=0: the program with every
//                           fearless check compiled out;
//   race_tsan_child         the same, built with clang -fsanitize=thread:
//                           TSan instruments Watched's plain accesses.
//
// Each iteration is one critical section over eight cells: read-mostly
// reads all eight and writes one, write-heavy writes all eight. read_loop
// makes 64 reads of the eight cells with no synchronisation in between
// (FastTrack's same-epoch case; with two threads the cells are in the
// read-vector state). One and two threads; CPU ns per iteration.
#ifndef FEARLESS_BENCH_RACE_CASES_H_
#define FEARLESS_BENCH_RACE_CASES_H_

#include "fearless/mutex.h"
#include "fearless/watched.h"

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

namespace fearless_bench {

/// A plain int with Watched's accessors, for the baseline.
class PlainCell {
public:
  explicit PlainCell(int v = 0) : v_(v) {}
  int get() const { return v_; }
  void set(int v) { v_ = v; }

private:
  int v_;
};

inline constexpr int kCells = 8;

template <class Cell> struct Cells {
  Cell c[kCells]{Cell(0), Cell(1), Cell(2), Cell(3),
                 Cell(4), Cell(5), Cell(6), Cell(7)};
};

// One mutex per cell type, shared by the loops and their threads. The
// cells are made under it by the first thread that gets there: Google
// Benchmark's threads are not fearless threads (no spawn -> start), so
// only the mutex orders a thread's first access after the construction.
template <class Cell> fearless::Mutex<std::unique_ptr<Cells<Cell>>> &shared() {
  static fearless::Mutex<std::unique_ptr<Cells<Cell>>> mu;
  return mu;
}

template <class Cell>
Cells<Cell> &locked_cells(std::unique_ptr<Cells<Cell>> &p) {
  if (!p) [[unlikely]]
    p = std::make_unique<Cells<Cell>>();
  return *p;
}

template <class Cell> void read_mostly(benchmark::State &state) {
  auto &mu = shared<Cell>();
  int i = state.thread_index();
  for (auto _ : state) {
    auto g = mu.lock();
    Cells<Cell> &s = locked_cells(*g);
    int sum = 0;
    for (const Cell &c : s.c)
      sum += c.get();
    s.c[i++ & (kCells - 1)].set(sum & 0xff);
    benchmark::DoNotOptimize(sum);
  }
}

template <class Cell> void write_heavy(benchmark::State &state) {
  auto &mu = shared<Cell>();
  int i = state.thread_index();
  for (auto _ : state) {
    auto g = mu.lock();
    for (Cell &c : locked_cells(*g).c)
      c.set(i);
    ++i;
  }
}

template <class Cell> void read_loop(benchmark::State &state) {
  Cells<Cell> *s;
  {
    auto g = shared<Cell>().lock(); // after every earlier loop's writes
    s = &locked_cells(*g);
  }
  for (auto _ : state) {
    int sum = 0;
    for (int k = 0; k < 64; ++k)
      sum += s->c[k & (kCells - 1)].get();
    benchmark::DoNotOptimize(sum);
  }
}

/// Registers the three loops as "<loop>/<suffix>/threads:N".
template <class Cell> void register_race_cases(const std::string &suffix) {
  benchmark::RegisterBenchmark(("read_mostly/" + suffix).c_str(),
                               read_mostly<Cell>)
      ->Threads(1)
      ->Threads(2);
  benchmark::RegisterBenchmark(("write_heavy/" + suffix).c_str(),
                               write_heavy<Cell>)
      ->Threads(1)
      ->Threads(2);
  benchmark::RegisterBenchmark(("read_loop/" + suffix).c_str(), read_loop<Cell>)
      ->Threads(1)
      ->Threads(2);
}

} // namespace fearless_bench

#endif // FEARLESS_BENCH_RACE_CASES_H_
