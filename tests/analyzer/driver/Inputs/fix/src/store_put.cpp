#include "store.h"

namespace fx {

Store::Store(int Capacity) : capacity_(Capacity) {
  generation_ = 1;
  keys_.reserve(static_cast<std::size_t>(Capacity));
}

void Store::put(int Key) {
  std::lock_guard<std::mutex> Lock(mu_);
  bump(clamp(Key));
  journal_.add("put");
}

void Store::bump(int Key) {
  keys_.push_back(Key);
  ++hits_;
}

int Store::total() {
  std::lock_guard<std::mutex> Lock(mu_);
  return static_cast<int>(keys_.size()) + generation_;
}

} // namespace fx
