// RUN: %check_fearless_tidy %s fearless-missing-guarded-by,fearless-lock-order %t

// Reduced from rocksdb's and folly's scope guards: a lambda handed to a
// local object whose destructor calls it runs at the latest when that
// object dies, at the end of its block -- before the lock_guard declared
// ahead of it unlocks. It runs with the lock held.
#include <functional>
#include <mutex>
#include <thread>

template <class F> struct ScopeGuard {
  F f;
  ~ScopeGuard() { f(); }
};
template <class F> ScopeGuard<F> makeGuard(F f) { return {f}; }

struct Cleanup {
  explicit Cleanup(std::function<void()> f) : f_(std::move(f)) {}
  ~Cleanup() { f_(); }
  std::function<void()> f_;
};

class Counters {
public:
  void add() {
    std::lock_guard<std::mutex> l(mu_);
    Cleanup c([&] { ++pending_; });
    ++done_;
  }
  void addTemplate() {
    std::lock_guard<std::mutex> l(mu_);
    auto g = makeGuard([&] { ++pending_; });
    ++done_;
  }
  void reset() {
    std::lock_guard<std::mutex> l(mu_);
    pending_ = 0;
    done_ = 0;
  }
  // Negative for the rule, positive for the check: a thread's lambda is not
  // a scope guard's, so its write runs without mu_.
  void later() {
    std::thread t([this] { ++done_; });
    t.join();
  }

private:
  std::mutex mu_;
  int pending_ = 0;
  int done_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'done_' is written with 'mu_' held in 3 of 4 places; written without it in 'Counters::later' [fearless-missing-guarded-by]
};

// A scope guard's lambda that takes another lock nests it under mu.
std::mutex mu, log_mu;
void guarded_log() {
  std::lock_guard<std::mutex> l(mu);
  Cleanup c([] { std::lock_guard<std::mutex> g(log_mu); });
}
void log_then_mu() {
  std::lock_guard<std::mutex> g(log_mu);
  std::lock_guard<std::mutex> l(mu);
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: lock-order inversion: 'log_mu' -> 'mu' -> 'log_mu'; threads taking these paths at once deadlock [fearless-lock-order]
}
