// RUN: %check_fearless_tidy %s fearless-shared-ref %t

#include "fearless/annotations.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

void use(int) {}

// --- a counter shared by reference without a lock ---------------------------
void counter_two_threads() {
  int counter = 0;
  std::thread a([&counter] { ++counter; });
  std::thread b([&counter] { ++counter; });
  // CHECK-MESSAGES: :[[@LINE-2]]:19: warning: 'counter' is captured by reference into a thread started by 'std::thread' but 'int' is not thread-safe [fearless-shared-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:19: warning: 'counter' is captured by reference into a thread started by 'std::thread' but 'int' is not thread-safe [fearless-shared-ref]
  a.join();
  b.join();
}

void counter_in_loop() {
  int counter = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&counter] { ++counter; });
  // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: 'counter' is captured by reference into a thread started by 'std::thread' but 'int' is not thread-safe [fearless-shared-ref]
  for (auto &t : threads)
    t.join();
}

void spawner_uses_meanwhile() {
  int counter = 0;
  std::thread t([&counter] { ++counter; });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'counter' is captured by reference into a thread started by 'std::thread' but 'int' is not thread-safe [fearless-shared-ref]
  ++counter;
  t.join();
}

void not_joined() {
  static int counter = 0;
  int *p = &counter;
  std::thread([p] { ++*p; }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'p' is captured into a thread started by 'std::thread' but 'int' is not thread-safe [fearless-shared-ref]
}

// Negative: the correct versions, an atomic and a mutex.
void atomic_counter() {
  std::atomic<int> counter{0};
  std::thread a([&counter] { ++counter; });
  std::thread b([&counter] { ++counter; });
  a.join();
  b.join();
}

void counter_under_lock() {
  std::mutex mu;
  int counter = 0;
  std::thread a([&] {
    std::lock_guard<std::mutex> g(mu);
    ++counter;
  });
  std::thread b([&] {
    std::lock_guard<std::mutex> g(mu);
    ++counter;
  });
  a.join();
  b.join();
}

// Negative: one thread, joined before the spawner touches the data again
// (Rust allows handing out `&mut` this way too).
void exclusive_span() {
  std::vector<int> v(100);
  std::span<int> s(v);
  std::thread t([s] { s[0] = 1; });
  t.join();
  v.push_back(1);
}

// Negative: a jthread declared after the data, not used meanwhile.
void exclusive_jthread() {
  int result = 0;
  std::jthread t([&result] { result = 42; });
}

// --- const access needs Sync -----------------------------------------------
// A Cell-like type: const methods change it.
class Lazy {
public:
  int get() const {
    if (!ready_) {
      value_ = 42;
      ready_ = true;
    }
    return value_;
  }

private:
  mutable bool ready_ = false;
  mutable int value_ = 0;
};

void share_lazy(const Lazy &lazy) {
  std::thread t([&lazy] { use(lazy.get()); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'lazy' is captured by reference into a thread started by 'std::thread' but 'Lazy' is not Sync [fearless-shared-ref]
  t.join();
}

void share_lazy_cref() {
  Lazy lazy;
  std::thread t([](const Lazy &l) { use(l.get()); }, std::cref(lazy));
  // CHECK-MESSAGES: :[[@LINE-1]]:54: warning: 'lazy' is passed by reference into a thread started by 'std::thread' but 'Lazy' is not Sync [fearless-shared-ref]
  t.join();
}

// Negative: const access to a Sync type.
struct Config {
  int threads = 4;
};
void share_config(const Config &cfg) {
  std::thread a([&cfg] { use(cfg.threads); });
  std::thread b([&cfg] { use(cfg.threads); });
  a.join();
  b.join();
}

// --- 'this' ------------------------------------------------------------------
class Stats {
public:
  void start() {
    std::thread([this] { ++count_; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'this' is captured into a thread started by 'std::thread' but 'Stats' is not thread-safe [fearless-shared-ref]
  }

private:
  int count_ = 0;
};

// Negative: a thread-safe class (all state guarded) may be shared.
class SafeStats {
public:
  void start() {
    std::thread([this] { add(); }).detach();
  }
  void add() {
    std::lock_guard<std::mutex> g(mu_);
    ++count_;
  }

private:
  std::mutex mu_;
  int count_ FEARLESS_GUARDED_BY(mu_) = 0;
};

// Negative: a pool whose threads share 'this' (spdlog's thread_pool): its
// counter is touched under the mutex by every member function and its thread
// list only by the constructor and the destructor, which run before and
// after the threads; no annotation needed.
class Pool {
public:
  Pool() {
    for (int i = 0; i < 2; ++i)
      threads_.emplace_back([this] { work(); });
  }
  ~Pool() {
    for (auto &t : threads_)
      t.join();
  }
  void work() {
    std::lock_guard<std::mutex> g(mu_);
    ++done_;
  }

private:
  std::mutex mu_;
  int done_ = 0;
  std::vector<std::thread> threads_;
};

// The same pool whose worker counts without the lock.
class RacyPool {
public:
  RacyPool() {
    for (int i = 0; i < 2; ++i)
      threads_.emplace_back([this] { ++done_; });
    // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: 'this' is captured into a thread started by 'std::thread' but 'RacyPool' is not thread-safe [fearless-shared-ref]
  }
  ~RacyPool() {
    for (auto &t : threads_)
      t.join();
  }

private:
  int done_ = 0;
  std::vector<std::thread> threads_;
};

// Negative: every member function touches the state under a (static) mutex;
// the constructor, defined in another file, runs before the object is shared
// (google benchmark's PerfCountersMeasurement).
class Meter {
public:
  Meter();
  void start() {
    std::lock_guard<std::mutex> g(mu_);
    ++starts_;
  }

private:
  static std::mutex mu_;
  int starts_ = 0;
};
void share_meter() {
  Meter m;
  std::thread a([&m] { m.start(); });
  std::thread b([&m] { m.start(); });
  a.join();
  b.join();
}

// The same meter counting without the lock.
class RacyMeter {
public:
  RacyMeter();
  void start() { ++starts_; }

private:
  int starts_ = 0;
};
void share_racy_meter() {
  RacyMeter m;
  std::thread a([&m] { m.start(); });
  std::thread b([&m] { m.start(); });
  // CHECK-MESSAGES: :[[@LINE-2]]:19: warning: 'm' is captured by reference into a thread started by 'std::thread' but 'RacyMeter' is not thread-safe [fearless-shared-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:19: warning: 'm' is captured by reference into a thread started by 'std::thread' but 'RacyMeter' is not thread-safe [fearless-shared-ref]
  a.join();
  b.join();
}

// A member function defined in another file may touch the state without a
// lock: nothing is inferred.
class OpaqueMeter {
public:
  void start() {
    std::lock_guard<std::mutex> g(mu_);
    ++starts_;
  }
  int peek();

private:
  std::mutex mu_;
  int starts_ = 0;
};
void share_opaque_meter() {
  OpaqueMeter m;
  std::thread a([&m] { m.start(); });
  std::thread b([&m] { m.start(); });
  // CHECK-MESSAGES: :[[@LINE-2]]:19: warning: 'm' is captured by reference into a thread started by 'std::thread' but 'OpaqueMeter' is not thread-safe [fearless-shared-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:19: warning: 'm' is captured by reference into a thread started by 'std::thread' but 'OpaqueMeter' is not thread-safe [fearless-shared-ref]
  a.join();
  b.join();
}

// Negative: state touched under a SCOPED_CAPABILITY guard of the project's
// own, or in a member function that REQUIRES the lock (google benchmark's
// Barrier, shared by pointer with every worker).
class FEARLESS_CAPABILITY("mutex") OwnMutex {
public:
  void lock() FEARLESS_ACQUIRE() {}
  void unlock() FEARLESS_RELEASE() {}
};
class FEARLESS_SCOPED_CAPABILITY OwnLock {
public:
  explicit OwnLock(OwnMutex &mu) FEARLESS_ACQUIRE(mu) : mu_(mu) { mu.lock(); }
  ~OwnLock() FEARLESS_RELEASE() { mu_.unlock(); }

private:
  OwnMutex &mu_;
};
class Barrier {
public:
  explicit Barrier(int n) : running_(n) {}
  bool wait() {
    OwnLock l(mu_);
    return enter();
  }
  void leave() {
    OwnLock l(mu_);
    --running_;
  }

private:
  bool enter() FEARLESS_REQUIRES(mu_) { return ++entered_ == running_; }
  OwnMutex mu_;
  int running_;
  int entered_ = 0;
};
void share_barrier() {
  Barrier barrier(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&barrier] { barrier.wait(); });
  for (auto &t : threads)
    t.join();
}

// The same barrier with a reader that takes no lock.
class LeakyBarrier {
public:
  void leave() {
    OwnLock l(mu_);
    --running_;
  }
  int running() const { return running_; }

private:
  OwnMutex mu_;
  int running_ = 0;
};
void share_leaky_barrier() {
  LeakyBarrier barrier;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&barrier] { barrier.leave(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: 'barrier' is captured by reference into a thread started by 'std::thread' but 'LeakyBarrier' is not thread-safe [fearless-shared-ref]
  for (auto &t : threads)
    t.join();
}

// An argument with no name of its own is named by its referent.
void share_unnamed_pointer() {
  auto counter = std::make_unique<int>(0);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([](int *p) { ++*p; }, counter.get());
  // CHECK-MESSAGES: :[[@LINE-1]]:48: warning: 'counter' is passed by pointer into a thread started by 'std::thread' but 'int' is not thread-safe [fearless-shared-ref]
  for (auto &t : threads)
    t.join();
}
