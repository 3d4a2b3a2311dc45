// RUN: %check_fearless_tidy %s fearless-blocking-under-lock %t

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include "fearless/thread_safety.h"

// Stand-ins with the names of the fearless runtime types (the check knows
// them by qualified name).
namespace fearless {
template <class T> class JoinHandle {
public:
  T join();
};
template <class T> class Receiver {
public:
  T recv();
  T try_recv();
};
template <class T> class SyncSender {
public:
  void send(T);
};
template <class T> class Sender {
public:
  void send(T);
};
template <class T> class MutexGuard {
public:
  ~MutexGuard();
};
template <class T> class Mutex {
public:
  MutexGuard<T> lock();
};
class Condvar {
public:
  template <class T> void wait(MutexGuard<T> &);
};
} // namespace fearless

using namespace std::chrono_literals;
std::mutex mu;
std::mutex other;
std::shared_mutex rw;

// --- sleeping --------------------------------------------------------------
void sleep_under_guard() {
  std::lock_guard<std::mutex> g(mu);
  std::this_thread::sleep_for(10ms);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: blocking call to 'std::this_thread::sleep_for' while holding 'mu': it sleeps with the lock held [fearless-blocking-under-lock]
}

// Negative: the guard's scope ended before the sleep.
void sleep_after_scope() {
  {
    std::lock_guard<std::mutex> g(mu);
  }
  std::this_thread::sleep_for(10ms);
}

// Negative: unique_lock::unlock released it.
void sleep_after_unlock() {
  std::unique_lock<std::mutex> lk(mu);
  lk.unlock();
  std::this_thread::sleep_until(std::chrono::steady_clock::now());
}

// Relocked: held again.
void sleep_after_relock() {
  std::unique_lock<std::mutex> lk(mu);
  lk.unlock();
  lk.lock();
  std::this_thread::sleep_until(std::chrono::steady_clock::now());
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: blocking call to 'std::this_thread::sleep_until' while holding 'mu'
}

// Negative: defer_lock does not lock.
void deferred() {
  std::unique_lock<std::mutex> lk(mu, std::defer_lock);
  std::this_thread::sleep_for(1ms);
}

// --- explicit lock()/unlock() ----------------------------------------------
void explicit_lock(std::thread &t) {
  mu.lock();
  t.join();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: blocking call to 'std::thread::join' while holding 'mu': it waits for a thread with the lock held
  mu.unlock();
  t.join();
}

// A lock taken in only one branch is not held after it (no false positive).
void branch_lock(bool b, std::thread &t) {
  if (b)
    mu.lock();
  t.join();
}

// --- shared_lock, scoped_lock, futures ---------------------------------------
int future_under_shared_lock(std::future<int> &f) {
  std::shared_lock<std::shared_mutex> r(rw);
  return f.get();
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: blocking call to 'std::future::get' while holding 'rw': it waits for a result
}

void future_wait_under_scoped_lock(std::shared_future<int> &f) {
  std::scoped_lock both(mu, other);
  f.wait();
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: blocking call to 'std::shared_future::wait' while holding 'mu'
}

// Negative: a lambda body runs later, without the lock.
void lambda_body(std::thread &t) {
  std::lock_guard<std::mutex> g(mu);
  auto later = [&t] { t.join(); };
  (void)later;
}

// --- fearless primitives -------------------------------------------------------
int fearless_join(fearless::JoinHandle<int> &h) {
  std::lock_guard<std::mutex> g(mu);
  return h.join();
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: blocking call to 'fearless::JoinHandle::join' while holding 'mu'
}

int fearless_recv(fearless::Mutex<int> &m, fearless::Receiver<int> &rx) {
  auto g = m.lock();
  return rx.recv();
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: blocking call to 'fearless::Receiver::recv' while holding 'm': it waits for a message
}

// Negative: try_recv does not block, nor does an unbounded send.
int fearless_try_recv(fearless::Receiver<int> &rx, fearless::Sender<int> &tx) {
  std::lock_guard<std::mutex> g(mu);
  tx.send(1);
  return rx.try_recv();
}

void fearless_bounded_send(fearless::SyncSender<int> &tx) {
  std::lock_guard<std::mutex> g(mu);
  tx.send(1);
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: blocking call to 'fearless::SyncSender::send' while holding 'mu': it waits for room in a bounded channel
}

// --- condition variables ------------------------------------------------------
std::condition_variable cv;

// Negative: the wait releases the only lock held.
void wait_own_lock() {
  std::unique_lock<std::mutex> lk(mu);
  cv.wait(lk);
}

void wait_holding_another() {
  std::lock_guard<std::mutex> outer(other);
  std::unique_lock<std::mutex> lk(mu);
  cv.wait(lk);
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: 'std::condition_variable::wait' releases only the lock it is given while it waits; 'other' stays held
}

void fearless_wait_holding_another(fearless::Mutex<int> &a,
                                   fearless::Mutex<int> &b,
                                   fearless::Condvar &c) {
  auto ga = a.lock();
  auto gb = b.lock();
  c.wait(gb);
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'fearless::Condvar::wait' releases only the lock it is given while it waits; 'a' stays held
}

// Negative: the guard moved into the thread; this scope no longer holds it.
void moved_guard() {
  std::unique_lock<std::mutex> lk(mu);
  std::thread t([held = std::move(lk)]() mutable { held.unlock(); });
  t.join();
}

// A scoped-capability wrapper that hands its std::unique_lock to the wait.
class FEARLESS_SCOPED_CAPABILITY WrapLock {
public:
  explicit WrapLock(std::mutex &m) FEARLESS_ACQUIRE(m) : lk_(m) {}
  ~WrapLock() FEARLESS_RELEASE() {}
  std::unique_lock<std::mutex> &native() { return lk_; }
  std::unique_lock<std::mutex> lk_;
};

// Negative: `lock.native()` and `lock.lk_` are the lock the wrapper holds.
void wait_through_wrapper() {
  WrapLock lock(mu);
  cv.wait(lock.native());
  cv.wait(lock.lk_);
}

void wait_through_wrapper_holding_another() {
  std::lock_guard<std::mutex> outer(other);
  WrapLock lock(mu);
  cv.wait(lock.native());
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: 'std::condition_variable::wait' releases only the lock it is given while it waits; 'other' stays held
}
