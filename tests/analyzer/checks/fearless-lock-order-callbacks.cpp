// RUN: %check_fearless_tidy %s fearless-lock-order,fearless-blocking-under-lock %t

// Calls through stored callables: a std::function (or a container of them,
// or a function pointer) member or parameter runs what the unit stores into
// it. An observer invoked under a lock runs under that lock.
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

class Bus {
public:
  void subscribe(std::function<void()> cb) {
    std::lock_guard<std::mutex> l(mu_);
    observers_.push_back(std::move(cb));
  }
  void publish() {
    std::lock_guard<std::mutex> l(mu_);
    for (auto &o : observers_)
      o();
  }

private:
  std::mutex mu_;
  std::vector<std::function<void()>> observers_;
};

Bus bus;
std::mutex stats_mu;
int stats = 0;

// The observer takes stats_mu while publish() holds Bus::mu_; resubscribe()
// takes them the other way round.
void watch() {
  bus.subscribe([] {
    std::lock_guard<std::mutex> l(stats_mu);
    ++stats;
  });
}
void resubscribe() {
  std::lock_guard<std::mutex> l(stats_mu);
  bus.subscribe([] {});
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: lock-order inversion: 'stats_mu' -> 'Bus::mu_' -> 'stats_mu'; threads taking these paths at once deadlock [fearless-lock-order]
}
// Publishing while holding stats_mu runs the observer, which takes the same
// global stats_mu again.
void publish_stats() {
  std::lock_guard<std::mutex> l(stats_mu);
  bus.publish();
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: call to 'Bus::publish' acquires 'stats_mu', which is already held: self-deadlock [fearless-lock-order]
}

// A listener of this object, registered by the object itself, re-enters
// the lock its notifier holds.
class Model {
public:
  void set(int v) {
    std::lock_guard<std::mutex> l(mu_);
    value_ = v;
    for (auto &f : listeners_)
      f();
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: call to 'Model::listeners_' acquires 'Model::mu_', which is already held: self-deadlock [fearless-lock-order]
  }
  void watchSelf() {
    listeners_.push_back([this] {
      std::lock_guard<std::mutex> l(mu_);
      ++seen_;
    });
  }
  // Negative: a listener registered on another Model locks that one's mutex.
  void watchOther(Model &other) {
    other.listeners_.push_back([this] { std::lock_guard<std::mutex> l(mu_); });
  }

private:
  std::mutex mu_;
  int value_ = 0, seen_ = 0;
  std::vector<std::function<void()>> listeners_;
};

// A task handed in as a parameter runs where the parameter is called.
std::mutex run_mu;
void run_locked(std::function<void()> task) {
  std::lock_guard<std::mutex> l(run_mu);
  task();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: call to 'task' may block while holding 'run_mu': it reaches 'std::thread::join', which waits for a thread [fearless-blocking-under-lock]
}
void stop(std::thread &t) {
  run_locked([&t] { t.join(); });
}
// Negative: the task stored by this call does not block.
void tick() {
  run_locked([] {});
}
