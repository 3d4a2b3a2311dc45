// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t

#include "fearless/thread_safety.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

// --- the counts and the first unguarded function ----------------------------
class Cache {
public:
  void put(int v) {
    std::lock_guard<std::mutex> lock(mu_);
    hits_ += v;
  }
  void add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++hits_;
  }
  void reset() {
    mu_.lock();
    hits_ = 0;
    mu_.unlock();
  }
  void clear() { hits_ = 0; }
  int size() const { return hits_; }

private:
  std::mutex mu_;
  int hits_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'hits_' is written with 'mu_' held in 3 of 4 places; written without it in 'Cache::clear' and 1 other function [fearless-missing-guarded-by]
};

// The example of the documentation: read without it.
class Stats {
public:
  void record() {
    std::scoped_lock lock(mu_);
    ++count_;
  }
  int count() const { return count_; }

private:
  mutable std::mutex mu_;
  int count_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'count_' is written with 'mu_' held in 1 of 1 places; read without it in 'Stats::count' [fearless-missing-guarded-by]
};

// Negative: every access holds the lock (a method that REQUIRES it counts).
class Consistent {
public:
  void add() {
    std::lock_guard<std::mutex> lock(mu_);
    addLocked();
  }
  int get() {
    std::unique_lock<std::mutex> lock(mu_);
    return n_;
  }

private:
  void addLocked() FEARLESS_REQUIRES(mu_) { ++n_; }
  std::mutex mu_;
  int n_ = 0;
};

// Negative: a field never written under the lock is not proposed.
class NeverLocked {
public:
  void set(int v) { v_ = v; }
  int get() const { return v_; }
  void other() { std::lock_guard<std::mutex> lock(mu_); }

private:
  std::mutex mu_;
  int v_ = 0;
};

// Negative: constructors are not unguarded accesses.
class Ctor {
public:
  Ctor() { items_.push_back(0); }
  explicit Ctor(int n) : total_(n) { total_ += 1; }
  void add(int v) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(v);
    total_ += v;
  }

private:
  std::mutex mu_;
  std::vector<int> items_;
  int total_ = 0;
};

// Negative: atomic, const, already guarded and synchronisation members.
class NeverProposed {
public:
  void update() {
    std::lock_guard<std::mutex> lock(mu_);
    flag_ = true;
    guarded_ = 1;
    std::lock_guard<std::mutex> inner(other_);
  }
  bool peek() const { return flag_ && limit_ > 0; }
  int peekGuarded() const FEARLESS_NO_THREAD_SAFETY_ANALYSIS { return guarded_; }
  void relock() { std::lock_guard<std::mutex> lock(other_); }

private:
  std::mutex mu_;
  std::mutex other_;
  std::atomic<bool> flag_{false};
  const int limit_ = 3;
  int guarded_ FEARLESS_GUARDED_BY(mu_) = 0;
};

// Several mutexes: the one held at the most writes is proposed.
class TwoLocks {
public:
  void a() {
    std::lock_guard<std::mutex> lock(b_mu_);
    x_ = 1;
  }
  void b() {
    std::lock_guard<std::mutex> lock(a_mu_);
    x_ = 2;
  }
  void c() {
    std::lock_guard<std::mutex> lock(a_mu_);
    x_ = 3;
  }
  int d() { return x_; }

private:
  std::mutex a_mu_, b_mu_;
  int x_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'x_' is written with 'a_mu_' held in 2 of 3 places; written without it in 'TwoLocks::a' and 1 other function [fearless-missing-guarded-by]
};

// Out-of-line definitions count, and a lambda run in place (std::for_each)
// holds the lock of its caller; one given to a thread does not.
class Totals {
public:
  void addAll(const std::vector<int> &vs);
  void addLater();
  int sum();

private:
  std::mutex mu_;
  long sum_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'sum_' is written with 'mu_' held in 1 of 2 places; written without it in 'Totals::addLater' [fearless-missing-guarded-by]
  std::thread worker_;
};

void Totals::addAll(const std::vector<int> &vs) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int v : vs)
    [&] { sum_ += v; }();
}

void Totals::addLater() {
  worker_ = std::thread([this] { sum_ += 1; });
}

int Totals::sum() {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(sum_);
}

// --- destructors -------------------------------------------------------------
// The classic lost wake-up: the destructor sets the stop flag without the
// lock, while the worker checks it under the lock in its wait predicate.
class Pool {
public:
  Pool() : worker_([this] { run(); }) {}
  ~Pool() {
    stop_ = true;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'stop_' is written without holding 'mu_', but the wait predicate in 'Pool::run' reads it under 'mu_': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
    cv_.notify_all();
    worker_.join();
    jobs_ = 0; // after the join: the object is private again
  }
  void post() {
    std::lock_guard<std::mutex> lock(mu_);
    ++jobs_;
    cv_.notify_one();
  }

private:
  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_ || jobs_ > 0; });
    jobs_ = 0;
  }
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  int jobs_ = 0;
  std::thread worker_;
};

// The same bug with an atomic flag: atomicity does not close the window.
class AtomicStop {
public:
  ~AtomicStop() {
    stop_.store(true);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'stop_' is written without holding 'mu_', but the wait predicate in 'AtomicStop::run' reads it under 'mu_': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
    cv_.notify_all();
    worker_.join();
  }
  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_)
      cv_.wait(lock);
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  std::thread worker_;
};

// Negative: the stop flag is written under the lock.
class GoodStop {
public:
  ~GoodStop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
  }
  void run() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return stop_; });
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread worker_;
};

// Negative: a destructor of an object that owns no thread is private.
class NoThreads {
public:
  ~NoThreads() { n_ = 0; }
  void inc() {
    std::lock_guard<std::mutex> lock(mu_);
    ++n_;
  }

private:
  std::mutex mu_;
  int n_ = 0;
};

// A class annotated as a capability is a mutex too.
class FEARLESS_CAPABILITY("mutex") SpinLock {
public:
  void lock() FEARLESS_ACQUIRE();
  void unlock() FEARLESS_RELEASE();
};
class Spun {
public:
  void set() {
    lk_.lock();
    v_ = 1;
    lk_.unlock();
  }
  int get() { return v_; }

private:
  SpinLock lk_;
  int v_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'v_' is written with 'lk_' held in 1 of 1 places; read without it in 'Spun::get' [fearless-missing-guarded-by]
};

// Overloads brought in by a using-declaration are looked through.
struct CounterBase {
  void bump();
};
struct Counter : CounterBase {
  using CounterBase::bump;
  void bump(int by);
};
class UsesUsing {
public:
  void inc() {
    std::lock_guard<std::mutex> lock(mu_);
    c_.bump(1);
  }
  void peek() { c_.bump(); }

private:
  std::mutex mu_;
  Counter c_;
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'c_' is written with 'mu_' held in 1 of 2 places; written without it in 'UsesUsing::peek' [fearless-missing-guarded-by]
};

// A capability whose acquire and release are named by their attributes
// (leveldb's port::Mutex::Lock() is EXCLUSIVE_LOCK_FUNCTION()).
class FEARLESS_CAPABILITY("mutex") PortMutex {
public:
  void Lock() FEARLESS_ACQUIRE();
  void Unlock() FEARLESS_RELEASE();
};
class Versions {
public:
  void set(int v) {
    mu_.Lock();
    current_ = v;
    mu_.Unlock();
  }
  int get() {
    mu_.Lock();
    int v = current_;
    mu_.Unlock();
    return v;
  }
  int peek() { return current_; }

private:
  PortMutex mu_;
  int current_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'current_' is written with 'mu_' held in 1 of 1 places; read without it in 'Versions::peek' [fearless-missing-guarded-by]
};
