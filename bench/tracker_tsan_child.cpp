// std::mutex lock+unlock under ThreadSanitizer: the cost a TSan build adds
// to the cases of tracker_cases.h. Built by bench/CMakeLists.txt with
// clang -fsanitize=thread and run by tracker_bench, which prints the ratio.
#include "tracker_cases.h"

#include <mutex>

namespace {

void std_mutex_tsan(benchmark::State &state) {
  std::mutex outer[4], inner;
  fearless_bench::at_depth(
      state,
      [&](int i) {
        return std::make_unique<fearless_bench::Held<std::mutex>>(outer[i]);
      },
      [&] {
        inner.lock();
        inner.unlock();
      });
}
BENCHMARK(std_mutex_tsan)
    ->Name("lock_unlock/std_mutex_tsan")
    ->Arg(0)
    ->Arg(1)
    ->Arg(4);

} // namespace

int main(int argc, char **argv) {
  return fearless_bench::child_main(argc, argv);
}
