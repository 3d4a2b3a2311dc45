// RUN: %check_fearless_tidy %s fearless-lock-order,fearless-missing-guarded-by,fearless-blocking-under-lock %t
// `if (m.try_lock())` holds m on the branch where it succeeded (the lock
// scopes shared by lock-order, missing-guarded-by and blocking-under-lock).
// A try-lock never waits, so it adds no order edge into the tried mutex;
// what is taken or blocks while it is held does. Before: the write under a
// successful try_lock() was "written without" the mutex, and the inversion
// and the sleep under the tried mutex were missed.
#include <mutex>
#include <thread>
#include <condition_variable>

struct Pair {
  std::mutex a, b;
  int n = 0;
  int m = 0;
};

// A try-lock never waits: no order edge into the tried mutex.
void tried_inside(Pair &p) {
  std::lock_guard<std::mutex> la(p.a);
  if (p.b.try_lock()) {
    p.b.unlock();
  }
}
void b_then_a(Pair &p) {
  std::lock_guard<std::mutex> lb(p.b);
  std::lock_guard<std::mutex> la(p.a);
}

struct Q {
  std::mutex x, y;
};
// What is taken while the tried mutex is held is ordered after it.
void tried_then_lock(Q &q) {
  if (q.y.try_lock()) {
    std::lock_guard<std::mutex> lx(q.x);
    q.y.unlock();
  }
}
void x_then_y(Q &q) {
  std::lock_guard<std::mutex> lx(q.x);
  std::lock_guard<std::mutex> ly(q.y);
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: lock-order inversion: 'Q::x' -> 'Q::y' -> 'Q::x'; threads taking these paths at once deadlock [fearless-lock-order]
}

class Counter {
public:
  void add() {
    std::lock_guard<std::mutex> g(mu_);
    n_++;
  }
  bool try_add() {
    if (mu_.try_lock()) {
      n_++;
      mu_.unlock();
      return true;
    }
    return false;
  }
  int get() {
    std::lock_guard<std::mutex> g(mu_);
    return n_;
  }
private:
  std::mutex mu_;
  int n_ = 0;
};

// The write after the try-lock's branch is unlocked.
class Counter2 {
public:
  void add() {
    std::lock_guard<std::mutex> g(mu_);
    n_++;
  }
  bool try_add() {
    if (mu_.try_lock()) {
      mu_.unlock();
    }
    n_++;
    return false;
  }
  int get() {
    std::lock_guard<std::mutex> g(mu_);
    return n_;
  }
private:
  std::mutex mu_;
  int n_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'n_' is written with 'mu_' held in 1 of 2 places; written without it in 'Counter2::try_add' [fearless-missing-guarded-by]
};

std::mutex sm;
void blocks_under_try() {
  if (sm.try_lock()) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: blocking call to 'std::this_thread::sleep_for' while holding 'sm': it sleeps with the lock held [fearless-blocking-under-lock]
    sm.unlock();
  }
}
