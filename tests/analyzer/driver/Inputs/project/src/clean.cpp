// No findings: one lock at a time, released before the thread starts.
#include "shared.h"

#include <thread>

namespace project {
std::mutex AccountsMu;
std::mutex LogMu;
int Balance = 0;

void deposit() {
  {
    std::lock_guard<std::mutex> Lock(AccountsMu);
    ++Balance;
  }
  std::thread Worker([] { std::lock_guard<std::mutex> Lock(LogMu); });
  Worker.join();
}
} // namespace project
