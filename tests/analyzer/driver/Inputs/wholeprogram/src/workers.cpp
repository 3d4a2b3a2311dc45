#include "wp.h"

namespace wp {
void Server::join_workers() {
  if (worker_.joinable())
    worker_.join();
}

void Server::flush() {}
} // namespace wp
