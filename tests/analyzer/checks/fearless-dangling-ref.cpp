// RUN: %check_fearless_tidy %s fearless-dangling-ref %t

#include <cstdlib>
#include <future>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace fearless {
template <class F> void spawn(F &&f) {}
class Scope {
public:
  template <class F> void spawn(F &&f) {}
};
template <class F> void scope(F &&f) {}
} // namespace fearless

void use(int) {}

// --- detached threads ---------------------------------------------------------
void detached_by_reference() {
  int local = 0;
  std::thread t([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  t.detach();
}

void detached_temporary() {
  std::string name = "worker";
  std::thread([&] { (void)name.size(); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'name' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
}

// Negative: a temporary thread joined in the same expression ends there.
void joined_temporary() {
  std::string name = "worker";
  std::thread([&] { (void)name.size(); }).join();
  std::jthread([&name] { (void)name.size(); }).join();
}

void detached_pointer() {
  int local = 0;
  std::thread t([](int *p) { *p = 1; }, &local);
  // CHECK-MESSAGES: :[[@LINE-1]]:41: warning: pointer to 'local' is passed into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  t.detach();
}

void detached_captured_pointer() {
  int local = 0;
  int *p = &local;
  std::thread t([p] { *p = 1; });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'p' (which points to 'local') is captured into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  t.detach();
}

void detached_span() {
  std::vector<int> v(10);
  std::span<int> s(v);
  std::thread t([s] { s[0] = 1; });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 's' (which points to 'v') is captured into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  t.detach();
}

void parameter_by_value(std::string text) {
  std::thread t([&text] { (void)text; });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'text' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  t.detach();
}

// Negative: captured by copy; nothing is borrowed.
void detached_by_copy() {
  int local = 0;
  std::thread([local] { use(local); }).detach();
}

// Negative: a global outlives every thread.
int global_counter;
void detached_global() { std::thread([] { use(global_counter); }).detach(); }

// --- std::thread joined, or not, on every path ---------------------------------
// Negative: joined on every path.
void joined() {
  int local = 0;
  std::thread t([&local] { use(local); });
  t.join();
}

// Negative: the usual joinable() guard.
void joined_if_joinable() {
  int local = 0;
  std::thread t([&local] { use(local); });
  if (t.joinable())
    t.join();
}

void early_return(bool fail) {
  int local = 0;
  std::thread t([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  if (fail)
    return;
  t.join();
}

void joined_only_sometimes(bool wait) {
  int local = 0;
  std::thread t([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  if (wait)
    t.join();
}

void referent_in_inner_block() {
  std::thread t;
  {
    int inner = 0;
    t = std::thread([&inner] { use(inner); });
    // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'inner' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  }
  t.join();
}

std::thread moved_out() {
  int local = 0;
  std::thread t([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  return t;
}

// Negative: a container of threads joined in a loop.
void thread_pool_joined() {
  std::vector<int> results(4);
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([&results, i] { results[i] = i; });
  for (auto &w : workers)
    w.join();
}

void thread_pool_not_joined() {
  std::vector<int> results(4);
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([&results, i] { results[i] = i; });
  // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: 'results' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  for (auto &w : workers)
    w.detach();
}

// --- std::jthread: joined by its destructor --------------------------------------
// Negative: the referent is declared before the jthread.
void jthread_after_referent() {
  int local = 0;
  std::jthread t([&local] { use(local); });
}

void jthread_before_referent() {
  std::jthread t;
  int local = 0;
  t = std::jthread([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:22: warning: 'local' is captured by reference into a thread started by 'std::jthread', which may outlive it [fearless-dangling-ref]
}

void jthread_detached() {
  int local = 0;
  std::jthread t([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'local' is captured by reference into a thread started by 'std::jthread', which may outlive it [fearless-dangling-ref]
  t.detach();
}

// --- std::async --------------------------------------------------------------------
// Negative: a local future waits in its destructor.
void async_local_future() {
  int local = 0;
  auto f = std::async(std::launch::async, [&local] { use(local); });
  f.get();
}

// Negative: a temporary future waited for in the same expression.
int async_temporary_waited() {
  int local = 0;
  std::async(std::launch::async, [&local] { use(local); }).wait();
  return std::async(std::launch::async, [&local] { return local; }).get();
}

std::future<void> async_future_returned() {
  int local = 0;
  auto f = std::async(std::launch::async, [&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:45: warning: 'local' is captured by reference into a thread started by 'std::async', which may outlive it [fearless-dangling-ref]
  return f;
}

// --- fearless::spawn and fearless::scope ---------------------------------------------
void fearless_spawn() {
  int local = 0;
  fearless::spawn([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: 'local' is captured by reference into a thread started by 'fearless::spawn', which may outlive it [fearless-dangling-ref]
}

// Negative: scoped threads may borrow what outlives the scope.
void fearless_scope() {
  int local = 0;
  fearless::scope([&](fearless::Scope &s) { s.spawn([&local] { use(local); }); });
}

void fearless_scope_inner_local() {
  fearless::scope([&](fearless::Scope &s) {
    int inner = 0;
    s.spawn([&inner] { use(inner); });
    // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'inner' is captured by reference into a thread started by 'fearless::Scope::spawn', which may outlive it [fearless-dangling-ref]
  });
}

// --- 'this' --------------------------------------------------------------------------
class Server {
public:
  void start_detached() {
    std::thread([this] { run(); }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'this' is captured into a thread started by 'std::thread', which may outlive the object [fearless-dangling-ref]
  }
  void run() {}
};

// Negative: an object whose destructor never returns is never destroyed, so a
// detached thread may keep 'this' (a singleton built with placement new in
// static storage, as leveldb's PosixEnv).
class ImmortalEnv {
public:
  ~ImmortalEnv() { std::abort(); }
  void schedule() {
    std::thread background(&ImmortalEnv::run, this);
    background.detach();
  }
  void run() {}
};

// The destructor returns on some path: the object may die.
class MortalEnv {
public:
  ~MortalEnv() {
    if (strict_)
      std::abort();
  }
  void schedule() {
    std::thread background(&MortalEnv::run, this);
    // CHECK-MESSAGES: :[[@LINE-1]]:45: warning: 'this' is passed into a thread started by 'std::thread', which may outlive the object [fearless-dangling-ref]
    background.detach();
  }
  void run() {}

private:
  bool strict_ = false;
};

// Negative: the object is kept alive by shared_from_this().
class Session : public std::enable_shared_from_this<Session> {
public:
  void start() {
    std::thread([this, self = shared_from_this()] { run(); }).detach();
  }
  void run() {}
};

// Negative: the thread is a member joined by the destructor.
class Worker {
public:
  Worker() : thread_([this] { run(); }) {}
  ~Worker() { thread_.join(); }
  void run() {}

private:
  std::thread thread_;
};

class Leaky {
public:
  Leaky() { thread_ = std::thread([this] { run(); }); }
  // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: 'this' is captured into a thread started by 'std::thread', which may outlive the object [fearless-dangling-ref]
  ~Leaky() { thread_.detach(); }
  void run() {}

private:
  std::thread thread_;
};

// Negative: a member jthread joins before the object is gone.
class JWorker {
public:
  JWorker() : thread_([this] { run(); }) {}
  void run() {}

private:
  std::jthread thread_;
};

// --- members that are not part of the object -----------------------------------
struct Settings {
  int level = 0;
};
void read_settings(const Settings *, int *) {}
void bump(int *) {}

// Negative: a reference member refers to an object the class does not own,
// and a pointer member's value points somewhere else: their lifetime is
// unknown, and nothing is reported (google benchmark's BenchmarkRunner).
class Launcher {
public:
  Launcher(const Settings &settings, int *slot)
      : settings_(settings), slot_(slot) {}
  void start() { std::thread(read_settings, &settings_, slot_).detach(); }
  // A member of the object itself: 'this' is borrowed.
  void start_own() {
    std::thread(bump, &own_).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'this' is passed into a thread started by 'std::thread', which may outlive the object [fearless-dangling-ref]
  }

private:
  const Settings &settings_;
  int *slot_;
  int own_ = 0;
};

// --- threads kept in a member --------------------------------------------------
// Negative: threads stored in a member container and joined on every path by
// the function that started them.
class Batch {
public:
  void run_all() {
    int total = 0;
    for (std::size_t i = 0; i < pool_.size(); ++i)
      pool_[i] = std::thread([this, &total] { step(total); });
    for (std::thread &t : pool_)
      t.join();
  }
  void run_some(bool quick) {
    int total = 0;
    for (std::size_t i = 0; i < pool_.size(); ++i)
      pool_[i] = std::thread([this, &total] { step(total); });
    // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: 'this' is captured into a thread started by 'std::thread', which may outlive the object [fearless-dangling-ref]
    // CHECK-MESSAGES: :[[@LINE-2]]:38: warning: 'total' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
    if (quick)
      return;
    for (std::thread &t : pool_)
      t.join();
  }
  void step(int &) {}

private:
  std::vector<std::thread> pool_{4};
};

// A pointer to a local without a name of its own is named by its referent.
void unnamed_pointer() {
  auto owner = std::make_unique<int>(0);
  std::thread(bump, owner.get()).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: pointer to 'owner' is passed into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
}
