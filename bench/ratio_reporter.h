// bench/ratio_reporter.h - run Google Benchmark, keep every time, print ratios.
//
// Each benchmark program compares a fearless primitive with the standard
// alternative in the same run; this reporter keeps the time per iteration of
// every run (by function name and by full benchmark name; with repetitions,
// the median) so that main() can print a ratio table after the usual output.
#ifndef FEARLESS_BENCH_RATIO_REPORTER_H_
#define FEARLESS_BENCH_RATIO_REPORTER_H_

#include <benchmark/benchmark.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fearless_bench {

class RatioReporter : public benchmark::ConsoleReporter {
public:
  void ReportRuns(const std::vector<Run> &runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run &r : runs) {
      if (r.error_occurred ||
          !(r.run_type == Run::RT_Iteration || r.aggregate_name == "median"))
        continue;
      ns_[r.run_name.function_name] = r.GetAdjustedRealTime();
      ns_[r.benchmark_name()] = r.GetAdjustedRealTime();
      // Medians come after the repetitions: they win.
      cpu_ns_[r.run_name.str()] = r.GetAdjustedCPUTime();
    }
  }

  /// Nanoseconds per iteration of the named benchmark, if it ran.
  std::optional<double> ns(const std::string &name) const {
    auto it = ns_.find(name);
    if (it == ns_.end() || it->second <= 0)
      return std::nullopt;
    return it->second;
  }

  /// CPU nanoseconds per iteration of the run named `name` (full name,
  /// without an aggregate suffix; the median when repeated), if it ran.
  /// On a shared machine CPU time is what a single-threaded case costs.
  std::optional<double> cpu_ns(const std::string &name) const {
    auto it = cpu_ns_.find(name);
    if (it == cpu_ns_.end() || it->second <= 0)
      return std::nullopt;
    return it->second;
  }

private:
  std::map<std::string, double> ns_;
  std::map<std::string, double> cpu_ns_;
};

/// Runs the registered benchmarks, then `print_ratios(reporter)`.
inline int run(int argc, char **argv,
               const std::function<void(const RatioReporter &)> &print_ratios) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_ratios(reporter);
  benchmark::Shutdown();
  return 0;
}

} // namespace fearless_bench

#endif // FEARLESS_BENCH_RATIO_REPORTER_H_
