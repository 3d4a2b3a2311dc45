#include "wp.h"

namespace wp {
int Cache::get() {
  std::lock_guard<std::mutex> g(mu_);
  refresh();
  return value_;
}

// Negative: the lock is not held at the call.
int Cache::peek() {
  refresh();
  std::lock_guard<std::mutex> g(mu_);
  return value_;
}
} // namespace wp
