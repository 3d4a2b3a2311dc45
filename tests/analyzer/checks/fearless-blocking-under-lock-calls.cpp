// RUN: %check_fearless_tidy %s fearless-blocking-under-lock %t

// Blocking reaches through the unit's function summaries: a call made with a
// lock held, to a function that blocks (directly or some calls down), blocks
// with the lock held.

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

using namespace std::chrono_literals;
std::mutex mu;
std::mutex other;
std::condition_variable cv;
bool ready = false;

class Worker {
public:
  void stop();
  void stop_after_unlock();
  void join_all() {
    if (t_.joinable())
      t_.join();
  }
  void shutdown() { join_all(); }

private:
  std::thread t_;
  std::mutex mu_;
};

// A join one call down, and three calls down.
void Worker::stop() {
  std::lock_guard<std::mutex> g(mu_);
  join_all();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: call to 'Worker::join_all' may block while holding 'Worker::mu_': it reaches 'std::thread::join', which waits for a thread [fearless-blocking-under-lock]
}

void level3(std::future<int> &f) { f.get(); }
void level2(std::future<int> &f) { level3(f); }
void level1(std::future<int> &f) { level2(f); }
void deep(std::future<int> &f) {
  std::lock_guard<std::mutex> g(mu);
  level1(f);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: call to 'level1' may block while holding 'mu': it reaches 'std::future::get', which waits for a result [fearless-blocking-under-lock]
}

// Negative: the same calls without the lock.
void deep_unlocked(std::future<int> &f) {
  {
    std::lock_guard<std::mutex> g(mu);
  }
  level1(f);
}

// A condition wait on the callee's own lock still blocks the caller's.
void wait_ready() {
  std::unique_lock<std::mutex> lk(other);
  cv.wait(lk, [] { return ready; });
}
void wait_under_lock() {
  std::lock_guard<std::mutex> g(mu);
  wait_ready();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: call to 'wait_ready' may block while holding 'mu': it reaches 'std::condition_variable::wait', which waits for a notification [fearless-blocking-under-lock]
}

// Negative: a wait on the guard the caller passes in releases the caller's
// own lock while it waits.
void wait_on(std::unique_lock<std::mutex> &lk) {
  cv.wait(lk, [] { return ready; });
}
void wait_with_own_guard() {
  std::unique_lock<std::mutex> lk(mu);
  wait_on(lk);
}

// Negative: the callee unlocks the caller's lock before it sleeps and takes
// it back after (leveldb's MakeRoomForWrite).
void backoff() {
  mu.unlock();
  std::this_thread::sleep_for(1ms);
  mu.lock();
}
void retry() {
  std::lock_guard<std::mutex> g(mu);
  backoff();
}

// Negative: a thread's body is the thread's: its join is not the spawner's.
void spawn_joiner(std::thread &t) {
  std::lock_guard<std::mutex> g(mu);
  std::thread joiner([&t] { t.join(); });
  joiner.detach();
}

// A std algorithm runs its lambda in place, with the lock held.
void sleep_each(int n) {
  std::lock_guard<std::mutex> g(mu);
  [&] { std::this_thread::sleep_for(1ms * n); }();
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: blocking call to 'std::this_thread::sleep_for' while holding 'mu': it sleeps with the lock held [fearless-blocking-under-lock]
}

// A guard that is a temporary holds its lock to the end of the full
// expression: the future is awaited with the lock held.
#include "fearless/mutex.h"
#include <vector>
void locked_push(fearless::Mutex<std::vector<int>> &m, std::future<int> &f) {
  m.lock()->push_back(f.get());
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: blocking call to 'std::future::get' while holding 'm': it waits for a result with the lock held [fearless-blocking-under-lock]
}
// Negative: the temporary guard is gone at the ';'.
void assign_then_get(fearless::Mutex<int> &m, std::future<int> &f) {
  *m.lock() = 1;
  f.get();
}

// Negative: a condition wait on a guard that adopts the caller's lock
// releases the caller's lock (leveldb's port::CondVar::Wait, called with
// DBImpl::mutex_ held).
struct CondVar {
  explicit CondVar(std::mutex *mu) : mu_(mu) {}
  void Wait() {
    std::unique_lock<std::mutex> lock(*mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  std::condition_variable cv_;
  std::mutex *const mu_;
};
struct WriterQueue {
  std::mutex mu_;
  CondVar cv_{&mu_};
  bool ready_ = false;
  void waitReady() {
    std::lock_guard<std::mutex> g(mu_);
    while (!ready_)
      cv_.Wait();
  }
};
