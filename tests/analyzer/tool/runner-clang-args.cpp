// The test runner passes what follows "--" to the compiler: the finding
// below exists only with -DHAND_OFF, so this test fails if the flag is lost.
// RUN: %check_fearless_tidy %s fearless-guard-not-send %t -- -DHAND_OFF
#include <mutex>
#include <thread>

std::mutex mu;

void hand_off() {
  std::unique_lock<std::mutex> lk(mu);
#ifdef HAND_OFF
  std::thread t([&lk] { lk.unlock(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: lock guard 'lk' is captured by reference into a thread started by 'std::thread'
  t.join();
#endif
}
