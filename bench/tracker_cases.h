// bench/tracker_cases.h - the lock+unlock cases the tracker benchmarks share.
//
// tracker_bench.cpp (fearless::Mutex with tracking on, std::mutex,
// absl::Mutex), tracker_untracked_child.cpp (fearless::Mutex with tracking
// compiled out) and tracker_tsan_child.cpp (std::mutex under
// ThreadSanitizer) register the same cases, so their numbers compare:
//
//   lock_unlock/<kind>/<depth>   lock+unlock of one mutex while the thread
//                                holds <depth> others (0, 1, 4), one thread;
//   two_threads/<kind>/threads:N lock+unlock of a thread's own mutex under
//                                its own outer lock, on N threads at once
//                                (no shared mutex: a shared counter or lock
//                                inside the tool shows up as N > 1 cost).
//
// Every program starts (and joins) one thread before it measures: glibc's
// mutexes skip the bus lock in a process that never had a second thread,
// which would make single-threaded numbers of programs that lock nothing
// like a real threaded program.
//
// The child programs print "@@ <name> <cpu ns>" lines (ChildReporter) that
// tracker_bench collects. Times are CPU time per iteration: the machines
// this runs on are often shared, and wall time then measures the others.
#ifndef FEARLESS_BENCH_TRACKER_CASES_H_
#define FEARLESS_BENCH_TRACKER_CASES_H_

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fearless_bench {

/// Runs `inner()` (one lock+unlock) per iteration while `depth` outer locks
/// from `make_outer()` are held. `Outer` holds its lock while alive.
template <class MakeOuter, class Inner>
void at_depth(benchmark::State &state, MakeOuter make_outer, Inner inner) {
  const int depth = static_cast<int>(state.range(0));
  std::vector<decltype(make_outer(0))> held;
  for (int i = 0; i < depth; ++i)
    held.push_back(make_outer(i));
  for (auto _ : state)
    inner();
  while (!held.empty()) // release in reverse order
    held.pop_back();
}

/// Holds a standard-style mutex (lock()/unlock()) while alive.
template <class M> struct Held {
  explicit Held(M &m) : m_(m) { m_.lock(); }
  ~Held() { m_.unlock(); }
  Held(const Held &) = delete;
  Held &operator=(const Held &) = delete;
  M &m_;
};

/// Leaves glibc's single-threaded mode for good (see the top of the file).
inline void become_multithreaded() {
  std::thread([] {}).join();
}

/// A reporter that prints nothing but "@@ name cpu_ns" lines.
class ChildReporter : public benchmark::BenchmarkReporter {
public:
  bool ReportContext(const Context &) override { return true; }
  void ReportRuns(const std::vector<Run> &runs) override {
    for (const Run &r : runs)
      if (!r.error_occurred &&
          (r.run_type == Run::RT_Iteration || r.aggregate_name == "median"))
        std::printf("@@ %s %.4f\n", r.run_name.str().c_str(),
                    r.GetAdjustedCPUTime());
  }
};

/// The folder this program was started from.
inline std::string own_dir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return ".";
  std::string path(buf, std::size_t(n));
  return path.substr(0, path.rfind('/'));
}

/// Runs a sibling program with the same benchmark flags; its "@@" lines
/// (an empty map, and a note, if it was not built).
inline std::map<std::string, double> run_child(const std::string &name,
                                               int argc, char **argv) {
  std::map<std::string, double> out;
  std::string cmd = own_dir() + "/" + name;
  if (access(cmd.c_str(), X_OK) != 0) {
    std::printf("(%s not built: its column is empty)\n", name.c_str());
    return out;
  }
  for (int i = 1; i < argc; ++i)
    cmd += std::string(" '") + argv[i] + "'";
  std::printf("running %s ...\n", name.c_str());
  std::fflush(stdout);
  if (FILE *p = popen(cmd.c_str(), "r")) {
    char line[512], bench[400];
    double ns = 0;
    while (std::fgets(line, sizeof line, p))
      if (std::sscanf(line, "@@ %399s %lf", bench, &ns) == 2)
        out[bench] = ns;
    pclose(p);
  }
  return out;
}

/// What a child program reported for `key` (run_child's map), if anything.
inline std::optional<double> child_ns(const std::map<std::string, double> &m,
                                      const std::string &key) {
  auto it = m.find(key);
  if (it == m.end())
    return std::nullopt;
  return it->second;
}

/// A table cell: `v` in 9 columns with `digits` decimals, or "-".
inline std::string ns_cell(std::optional<double> v, int digits = 2) {
  char buf[32];
  if (v)
    std::snprintf(buf, sizeof buf, "%9.*f", digits, *v);
  else
    std::snprintf(buf, sizeof buf, "%9s", "-");
  return std::string(buf);
}

/// A table cell: `a / b` as "N.NNx" in 9 columns, or "-".
inline std::string ratio_cell(std::optional<double> a,
                              std::optional<double> b) {
  char buf[32];
  if (a && b && *b > 0)
    std::snprintf(buf, sizeof buf, "%8.2fx", *a / *b);
  else
    std::snprintf(buf, sizeof buf, "%9s", "-");
  return std::string(buf);
}

/// main() of a child program: runs its benchmarks, prints "@@" lines.
inline int child_main(int argc, char **argv) {
  become_multithreaded();
  benchmark::Initialize(&argc, argv);
  ChildReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

} // namespace fearless_bench

#endif // FEARLESS_BENCH_TRACKER_CASES_H_
