// fearless-guarded-by: GUARDED_BY on a plain std::mutex, and a lambda run
// under the lock.
//
//   Counter::add_buggy   reads and writes hits_ without holding mu_: reported.
//   Counter::add         holds mu_, also inside the lambda it calls: clean
//                        (Clang's -Wthread-safety would report the lambda).
#include "fearless/thread_safety.h"

#include <algorithm>
#include <mutex>
#include <vector>

class Counter {
public:
  void add_buggy(const std::vector<int> &values) {
    std::for_each(values.begin(), values.end(), [&](int v) { hits_ += v; });
  }

  void add(const std::vector<int> &values) {
    std::lock_guard<std::mutex> lock(mu_);
    std::for_each(values.begin(), values.end(), [&](int v) { hits_ += v; });
  }

  int total() {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_;
  }

private:
  std::mutex mu_;
  int hits_ FEARLESS_GUARDED_BY(mu_) = 0;
};

int sample_guarded_by() {
  Counter c;
  c.add({1, 2, 3});
  c.add_buggy({4});
  return c.total();
}
