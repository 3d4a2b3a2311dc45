// std::mutex lock+unlock under ThreadSanitizer: the cost a TSan build adds
// to the cases of tracker_cases.h. Built by bench/CMakeLists.txt with
// clang -fsanitize=thread and run by tracker_bench, which prints the ratio.
#include "tracker_cases.h"

#include <mutex>

namespace {

struct Held {
  explicit Held(std::mutex &m) : m_(m) { m_.lock(); }
  ~Held() { m_.unlock(); }
  std::mutex &m_;
};

void std_mutex_tsan(benchmark::State &state) {
  std::mutex outer[4], inner;
  fearless_bench::at_depth(
      state,
      [&](int i) { return std::make_unique<Held>(outer[i]); },
      [&] {
        inner.lock();
        inner.unlock();
      });
}
BENCHMARK(std_mutex_tsan)->Name("lock_unlock/std_mutex_tsan")->Arg(0)->Arg(1)->Arg(4);

} // namespace

int main(int argc, char **argv) {
  return fearless_bench::child_main(argc, argv);
}
