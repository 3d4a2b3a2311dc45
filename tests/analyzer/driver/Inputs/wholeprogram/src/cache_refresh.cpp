#include "wp.h"

namespace wp {
void Cache::refresh() {
  std::lock_guard<std::mutex> g(mu_);
  ++value_;
}
} // namespace wp
