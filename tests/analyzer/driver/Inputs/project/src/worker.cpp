// One finding: a lock guard moved into another thread.
#include "shared.h"

#include <thread>

namespace project {
void hand_off() {
  std::unique_lock<std::mutex> Lock(AccountsMu);
  std::thread Worker([Held = std::move(Lock)]() mutable { Held.unlock(); });
  Worker.join();
}
} // namespace project
