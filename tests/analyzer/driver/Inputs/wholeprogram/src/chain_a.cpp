#include "wp.h"

namespace wp {
std::mutex ChainA;

void chain_start() {
  std::lock_guard<std::mutex> g(ChainA);
  chain_middle();
}
} // namespace wp
