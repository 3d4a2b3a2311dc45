// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t

// A helper that requires the lock and is also called with it held (leveldb's
// DBImpl::DoCompactionWork, EXCLUSIVE_LOCKS_REQUIRED(mutex_), called from
// BackgroundCompaction under mutex_) holds it once: once it drops it, what
// it calls runs without it.
#include <mutex>

#define REQUIRES(x) __attribute__((requires_capability(x)))

class Compactor {
public:
  void background() {
    std::lock_guard<std::mutex> lock(mu_);
    pending_ = 1;
    work();
  }

private:
  void work() REQUIRES(mu_) {
    pending_ = 2;
    mu_.unlock();
    finish();
    mu_.lock();
  }
  void finish() { pending_ = 3; }
  void stay() REQUIRES(mu_) { ++pending_; }
  void caller() REQUIRES(mu_) { stay(); }

  std::mutex mu_;
  int pending_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'pending_' is written with 'mu_' held in 3 of 4 places; written without it in 'Compactor::finish' [fearless-missing-guarded-by]
};
