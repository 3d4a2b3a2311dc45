#include "solo.h"

namespace wp {
void Server::stop() {
  std::lock_guard<std::mutex> g(mu_);
  join_workers();
}

// Negative: the lock is released before the join.
void Server::stop_unlocked() {
  {
    std::lock_guard<std::mutex> g(mu_);
  }
  join_workers();
}

// Negative: flush() does not block.
void Server::stop_and_flush() {
  std::lock_guard<std::mutex> g(mu_);
  flush();
}
} // namespace wp
