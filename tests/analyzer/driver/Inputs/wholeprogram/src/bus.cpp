#include "wp.h"

namespace wp {
EventBus Bus;

void EventBus::subscribe(std::function<void()> handler) {
  std::lock_guard<std::mutex> g(mu_);
  handlers_.push_back(std::move(handler));
}

void EventBus::publish() {
  std::lock_guard<std::mutex> g(mu_);
  for (auto &h : handlers_)
    h();
}
} // namespace wp
