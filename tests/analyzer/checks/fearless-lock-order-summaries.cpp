// RUN: %check_fearless_tidy %s fearless-lock-order %t

// What a function acquires is what runs on its own thread: a lambda that
// runs in place (called at once, a std algorithm's callable) acquires for
// the function that writes it; a thread's body acquires for the thread.

#include <algorithm>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

std::mutex la, lb, lc;

// Negative: spawner() starts a thread that takes lb; callers holding lc do
// not take lb (the thread does, with nothing held), so there is no cycle
// lc -> lb -> lc with back().
void spawner() {
  std::thread t([] { std::lock_guard<std::mutex> h(lb); });
  t.detach();
}
void caller() {
  std::lock_guard<std::mutex> g(lc);
  spawner();
}
void back() {
  std::lock_guard<std::mutex> g(lb);
  std::lock_guard<std::mutex> h(lc);
}

// A lambda called by std::for_each runs here, with la held: la -> lb,
// which closes a cycle with lb_then_la().
void each(std::vector<int> &v) {
  std::lock_guard<std::mutex> g(la);
  std::for_each(v.begin(), v.end(), [](int) {
    std::lock_guard<std::mutex> h(lb);
  });
}
void lb_then_la() {
  std::lock_guard<std::mutex> g(lb);
  std::lock_guard<std::mutex> h(la);
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: lock-order inversion: 'lb' -> 'la' -> 'lb'; threads taking these paths at once deadlock [fearless-lock-order]
}

// A deferred unique_lock holds its mutex from its lock() on.
struct Deferred {
  std::mutex mu_;
  void twice() {
    std::unique_lock<std::mutex> later(mu_, std::defer_lock);
    std::lock_guard<std::mutex> now(mu_);
    later.lock();
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'Deferred::mu_' acquired while it is already held: self-deadlock [fearless-lock-order]
  }
  // Negative: never locked.
  void once() {
    std::unique_lock<std::mutex> later(mu_, std::defer_lock);
    std::lock_guard<std::mutex> now(mu_);
  }
};

// A mutex that is a member of a global object is one instance everywhere,
// like a global mutex: taking it again through a call deadlocks.
struct State {
  std::mutex mu;
  int n = 0;
};
State g_state, g_other;
void bump() {
  std::lock_guard<std::mutex> l(g_state.mu);
  ++g_state.n;
}
void bump_twice() {
  std::lock_guard<std::mutex> l(g_state.mu);
  bump();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: call to 'bump' acquires 'State::mu', which is already held: self-deadlock [fearless-lock-order]
}
// Negative: the same member of another global object is another mutex.
void bump_other() {
  std::lock_guard<std::mutex> l(g_other.mu);
  bump();
}

// Negative (and no crash): a mutex reached through a member pointer is some
// object's, not a global one (leveldb's `mu_->mu_` in port::CondVar).
struct Inner {
  std::mutex mu_;
};
struct Outer {
  Inner *in_;
  void twice() {
    std::unique_lock<std::mutex> l(in_->mu_);
    in_->mu_.unlock();
    in_->mu_.lock();
  }
};

// A std::function local that is only called runs its lambda right there,
// with the locks held (as for a lambda variable, those held where it is
// written).
std::mutex fa, fb;
void call_function_local() {
  std::lock_guard<std::mutex> g(fa);
  std::function<void()> take_fb = [] { std::lock_guard<std::mutex> h(fb); };
  take_fb();
}
void fb_then_fa() {
  std::lock_guard<std::mutex> g(fb);
  std::lock_guard<std::mutex> h(fa);
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: lock-order inversion: 'fb' -> 'fa' -> 'fb'; threads taking these paths at once deadlock [fearless-lock-order]
}
