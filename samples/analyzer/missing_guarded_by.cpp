// A field that every writer updates under the lock but one reader reads
// without it: the reader sees a torn or stale value, and nothing says which
// lock protects the field. fearless reports it as fearless-missing-guarded-by
// and proposes the annotation; fearless-guarded-by then checks every access.
#include "fearless/thread_safety.h"

#include <condition_variable>
#include <mutex>

namespace missing_guarded_by {

// Buggy: record() updates both counters under 'mu_', but count() reads
// 'count_' without it.
class Stats {
public:
  void record(long ms) {
    std::lock_guard<std::mutex> lock(mu_);
    total_ms_ += ms;
    ++count_;
  }
  long total() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_ms_;
  }
  int count() const { return count_; }

private:
  mutable std::mutex mu_;
  long total_ms_ = 0;
  int count_ = 0;
};

// Correct: every access holds 'mu_', and the fields say so.
class FixedStats {
public:
  void record(long ms) {
    std::lock_guard<std::mutex> lock(mu_);
    total_ms_ += ms;
    ++count_;
  }
  long total() const {
    std::lock_guard<std::mutex> lock(mu_);
    return total_ms_;
  }
  int count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }

private:
  mutable std::mutex mu_;
  long total_ms_ FEARLESS_GUARDED_BY(mu_) = 0;
  int count_ FEARLESS_GUARDED_BY(mu_) = 0;
};

} // namespace missing_guarded_by

// The same mistake with a global flag and a condition variable: the waiter
// checks 'g_ready' under 'g_mu', the publisher sets it without the mutex
// and notifies. If the store and the notification land between the
// waiter's check and its sleep, the waiter sleeps through them (a lost
// wake-up). fearless-missing-guarded-by reports the write.

namespace missing_guarded_by_global {

std::mutex g_mu;
std::condition_variable g_cv;
bool g_ready = false;

// Buggy.
void wait_until_ready() {
  std::unique_lock<std::mutex> lock(g_mu);
  g_cv.wait(lock, [] { return g_ready; });
}

void publish() {
  g_ready = true;
  g_cv.notify_one();
}

// Correct: the flag is set under the mutex, and says which one guards it.
std::mutex fixed_mu;
std::condition_variable fixed_cv;
bool fixed_ready FEARLESS_GUARDED_BY(fixed_mu) = false;

void fixed_wait_until_ready() {
  std::unique_lock<std::mutex> lock(fixed_mu);
  while (!fixed_ready)
    fixed_cv.wait(lock);
}

void fixed_publish() {
  {
    std::lock_guard<std::mutex> lock(fixed_mu);
    fixed_ready = true;
  }
  fixed_cv.notify_one();
}

} // namespace missing_guarded_by_global
