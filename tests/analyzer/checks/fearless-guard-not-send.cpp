// RUN: %check_fearless_tidy %s fearless-guard-not-send %t

#include <future>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>

std::mutex mu;
std::shared_mutex rw;

// --- captured by reference --------------------------------------------------
void capture_by_reference() {
  std::unique_lock<std::mutex> lk(mu);
  std::thread t([&lk] { lk.unlock(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: lock guard 'lk' is captured by reference into a thread started by 'std::thread'; a mutex must be unlocked by the thread that locked it [fearless-guard-not-send]
  t.join();
}

void implicit_capture_by_reference() {
  std::lock_guard<std::mutex> g(mu);
  std::jthread t([&] { (void)&g; });
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: lock guard 'g' is captured by reference into a thread started by 'std::jthread'
}

// Negative: the guard is created on the thread that uses it.
void guard_inside_thread() {
  std::thread t([] { std::lock_guard<std::mutex> g(mu); });
  t.join();
}

// Negative: the mutex (not a guard) is shared; it is ThreadSafe.
void mutex_by_reference() {
  std::thread t([&m = mu] { std::scoped_lock g(m); });
  t.join();
}

// --- moved ------------------------------------------------------------------
void moved_into_init_capture() {
  std::unique_lock<std::mutex> lk(mu);
  std::thread t([g = std::move(lk)]() mutable { g.unlock(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: lock guard 'lk' is moved into a thread started by 'std::thread'
  t.join();
}

void moved_as_argument() {
  std::shared_lock<std::shared_mutex> lk(rw);
  auto f = std::async(std::launch::async,
                      [](std::shared_lock<std::shared_mutex>) {},
                      std::move(lk));
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: lock guard 'lk' is moved into a thread started by 'std::async'
  f.get();
}

// Negative: std::launch::deferred runs on the thread that calls get().
void deferred_async() {
  std::unique_lock<std::mutex> lk(mu);
  auto f = std::async(std::launch::deferred, [&lk] { lk.unlock(); });
  f.get();
}

// Negative: the guard is moved to a function on the same thread.
void take(std::unique_lock<std::mutex> lk) { lk.unlock(); }
void moved_synchronously() {
  std::unique_lock<std::mutex> lk(mu);
  take(std::move(lk));
}

// --- by pointer and std::ref ------------------------------------------------
void by_ref_wrapper() {
  std::unique_lock<std::mutex> lk(mu);
  std::thread t([](std::unique_lock<std::mutex> &l) { l.unlock(); },
                std::ref(lk));
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: lock guard 'lk' is passed by reference into a thread started by 'std::thread'
  t.join();
}

void by_pointer() {
  std::unique_lock<std::mutex> lk(mu);
  std::thread t([](std::unique_lock<std::mutex> *l) { l->unlock(); }, &lk);
  // CHECK-MESSAGES: :[[@LINE-1]]:71: warning: lock guard 'lk' is passed by pointer into a thread started by 'std::thread'
  t.join();
}

void pointer_captured() {
  std::unique_lock<std::mutex> lk(mu);
  auto *p = &lk;
  std::thread t([p] { p->unlock(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: pointer to a lock guard, 'p', is captured by copy into a thread started by 'std::thread'
  t.join();
}

// --- held inside another value ----------------------------------------------
struct Holder {
  std::unique_lock<std::mutex> lock;
};

void holder_moved() {
  Holder h{std::unique_lock<std::mutex>(mu)};
  std::thread t([h = std::move(h)] {});
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'h', which holds a lock guard, is moved into a thread started by 'std::thread'
  t.detach();
}

void optional_guard() {
  std::optional<std::unique_lock<std::mutex>> maybe;
  maybe.emplace(mu);
  std::thread t([&maybe] { maybe.reset(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'maybe', which holds a lock guard, is captured by reference into a thread started by 'std::thread'
  t.join();
}

void lambda_variable() {
  std::unique_lock<std::mutex> lk(mu);
  auto job = [&lk] { lk.unlock(); };
  std::thread t(job);
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'job', which holds a lock guard, is passed into a thread started by 'std::thread'
  t.join();
}

// Negative: a struct without a guard.
struct Plain {
  int value;
  std::mutex *m;
};
void plain_struct() {
  Plain p{1, &mu};
  std::thread t([p] { std::lock_guard<std::mutex> g(*p.m); });
  t.join();
}

// --- templates --------------------------------------------------------------
template <class Lock> void spawn_with(Lock &l) {
  std::thread t([&l] { l.unlock(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: lock guard 'l' is captured by reference into a thread started by 'std::thread'
  t.join();
}
void instantiate() {
  std::unique_lock<std::mutex> lk(mu);
  spawn_with(lk);
  int x = 0;
  spawn_with(x == 0 ? mu : mu); // Negative: Lock = std::mutex
}
