// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
// The lost wake-up rule for variables with static storage: a global flag
// that a wait predicate reads under a global mutex, written without that
// mutex by a function that then notifies.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

// --- the classic: ready set without the lock, then notify ------------------
std::mutex g_mu;
std::condition_variable g_cv;
bool g_ready = false;

void consumer() {
  std::unique_lock<std::mutex> lock(g_mu);
  g_cv.wait(lock, [] { return g_ready; });
}

void producer() {
  g_ready = true;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'g_ready' is written without holding 'g_mu', but the wait predicate in 'consumer' reads it under 'g_mu': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
  // CHECK-NOTES: :[[@LINE-2]]:3: warning: 'g_ready' is written without holding 'g_mu', but the wait predicate in 'consumer' reads it under 'g_mu': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
  // CHECK-NOTES: :[[@LINE-7]]:31: note: the wait predicate reads 'g_ready' here with 'g_mu' held
  g_cv.notify_one();
}

// Negative twin: the same flag written under the mutex, notified after.
std::mutex ok_mu;
std::condition_variable ok_cv;
bool ok_ready = false;

void ok_consumer() {
  std::unique_lock<std::mutex> lock(ok_mu);
  ok_cv.wait(lock, [] { return ok_ready; });
}

void ok_producer() {
  {
    std::lock_guard<std::mutex> lock(ok_mu);
    ok_ready = true;
  }
  ok_cv.notify_one();
}

// Negative: written without the mutex by a function that notifies nobody
// (set up before any waiter runs).
void reset_before_start() { ok_ready = false; }

// --- an atomic stop flag in a while loop around the wait --------------------
// Atomicity does not close the window between the check and the sleep.
std::mutex s_mu;
std::condition_variable s_cv;
std::atomic<bool> s_stop{false};

void worker() {
  std::unique_lock<std::mutex> lock(s_mu);
  while (!s_stop)
    s_cv.wait(lock);
}

void stop_worker() {
  s_stop.store(true);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 's_stop' is written without holding 's_mu', but the wait predicate in 'worker' reads it under 's_mu': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
  // CHECK-NOTES: :[[@LINE-2]]:3: warning: 's_stop' is written without holding 's_mu', but the wait predicate in 'worker' reads it under 's_mu': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
  // CHECK-NOTES: :[[@LINE-8]]:11: note: the wait predicate reads 's_stop' here with 's_mu' held
  s_cv.notify_all();
}

// --- a static member flag, written from a member function -------------------
struct Gate {
  static std::mutex mu;
  static std::condition_variable cv;
  static bool open;

  static void pass() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [] { return open; });
  }
  void unlock_gate() {
    open = true;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'open' is written without holding 'mu', but the wait predicate in 'Gate::pass' reads it under 'mu': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
    // CHECK-NOTES: :[[@LINE-2]]:5: warning: 'open' is written without holding 'mu', but the wait predicate in 'Gate::pass' reads it under 'mu': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
    // CHECK-NOTES: :[[@LINE-6]]:31: note: the wait predicate reads 'open' here with 'mu' held
    cv.notify_all();
  }
  void unlock_gate_safely() {
    std::lock_guard<std::mutex> lock(mu);
    open = true;
    cv.notify_all();
  }
};

int main() {
  reset_before_start();
  std::thread a(consumer), b(producer), c(worker);
  stop_worker();
  a.join();
  b.join();
  c.join();
}
