// A lock guard handed to another thread: the Rust compiler refuses this with
// "`MutexGuard<'_, i32>` cannot be sent between threads safely"; fearless
// reports it as fearless-guard-not-send.
#include <mutex>
#include <thread>

namespace guard_not_send {

std::mutex mu;
int balance = 0;

// Buggy: the worker unlocks a mutex that the spawning thread locked, which is
// undefined behaviour for std::mutex (and a deadlock or a crash in practice).
void buggy_hand_off() {
  std::unique_lock<std::mutex> lock(mu);
  balance += 1;
  std::thread worker([held = std::move(lock)]() mutable {
    held.unlock(); // unlocks a mutex this thread never locked
  });
  worker.join();
}

// Correct: each thread takes the lock itself.
void correct_hand_off() {
  {
    std::lock_guard<std::mutex> lock(mu);
    balance += 1;
  }
  std::thread worker([] {
    std::lock_guard<std::mutex> lock(mu);
    balance += 1;
  });
  worker.join();
}

} // namespace guard_not_send
