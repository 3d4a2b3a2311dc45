// Sleeps while holding a lock: fearless_check(buggy) fails the build.
#include <chrono>
#include <mutex>
#include <thread>

std::mutex Mu;

void poll() {
  std::lock_guard<std::mutex> Lock(Mu);
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
}
