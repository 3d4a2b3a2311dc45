#include "store.h"

namespace fx {

int Store::peek() const {
  ++reads_;
  return hits_ + capacity_;
}

int Store::clamp(int N) { return N < capacity_ ? N : capacity_; }

int Store::limit(int N) { return clamp(N) + static_cast<int>(journal_.size()); }

} // namespace fx
