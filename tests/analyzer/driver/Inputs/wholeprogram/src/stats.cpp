#include "wp.h"

namespace wp {
std::mutex StatsMu;
int Events = 0;

void register_stats() {
  Bus.subscribe([] {
    std::lock_guard<std::mutex> g(StatsMu);
    ++Events;
  });
}

void resubscribe_stats() {
  std::lock_guard<std::mutex> g(StatsMu);
  Bus.subscribe([] {});
}
} // namespace wp
