#include "wp.h"

namespace wp {
std::mutex ChainC;

void chain_leaf() { std::lock_guard<std::mutex> g(ChainC); }

void chain_back() {
  std::lock_guard<std::mutex> g(ChainC);
  std::lock_guard<std::mutex> h(ChainA);
}
} // namespace wp
