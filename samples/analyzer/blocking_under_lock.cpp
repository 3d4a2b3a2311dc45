// Waiting for another thread while holding a lock: every thread that needs
// the lock waits too, and if the awaited thread needs it, nobody ever wakes.
// fearless reports it as fearless-blocking-under-lock.
#include <mutex>
#include <thread>
#include <vector>

namespace blocking_under_lock {

std::mutex mu;
std::vector<int> results;

// Buggy: the worker needs 'mu' to publish its result, and the caller holds
// 'mu' while it joins the worker: a deadlock on every run.
void buggy_join_under_lock() {
  std::lock_guard<std::mutex> lock(mu);
  std::thread worker([] {
    std::lock_guard<std::mutex> inner(mu);
    results.push_back(1);
  });
  worker.join();
}

// Correct: join first, then take the lock only for the shared data.
void correct_join_then_lock() {
  std::thread worker([] {
    std::lock_guard<std::mutex> inner(mu);
    results.push_back(1);
  });
  worker.join();
  std::lock_guard<std::mutex> lock(mu);
  results.push_back(2);
}

} // namespace blocking_under_lock
