// RUN: %check_fearless_tidy %s fearless-missing-guarded-by,fearless-blocking-under-lock %t

// Reduced from muduo/glog-style polling loops: the lock is released and
// taken back inside the loop (`mu_.unlock(); sleep; mu_.lock();`), so it is
// held again after the loop. The held locks are flow-sensitive through the
// loop: the access after it is under mu_, and so is the join.
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>

class Queue {
public:
  int pop() {
    std::lock_guard<std::mutex> g(mu_);
    while (q_.empty()) {
      mu_.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      mu_.lock();
    }
    int v = q_.front();
    q_.pop_front();
    return v;
  }
  int popByHand() {
    mu_.lock();
    while (q_.empty()) {
      mu_.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      mu_.lock();
    }
    int v = q_.front();
    q_.pop_front();
    mu_.unlock();
    return v;
  }
  void push(int v) {
    std::lock_guard<std::mutex> g(mu_);
    q_.push_back(v);
  }
  // Held again after the loop: joining there blocks with the lock held.
  void drainThenJoin() {
    std::lock_guard<std::mutex> g(mu_);
    while (!q_.empty()) {
      mu_.unlock();
      std::this_thread::yield();
      mu_.lock();
    }
    worker_.join();
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: blocking call to 'std::thread::join' while holding 'Queue::mu_': it waits for a thread with the lock held [fearless-blocking-under-lock]
  }

private:
  std::mutex mu_;
  std::deque<int> q_;
  std::thread worker_;
};

// The positive twin: the loop releases the lock and never takes it back,
// so the read after it is unlocked.
class Leaky {
public:
  int pop() {
    std::unique_lock<std::mutex> g(mu_);
    while (q_.empty())
      g.unlock();
    return q_.front();
  }
  void push(int v) {
    std::lock_guard<std::mutex> g(mu_);
    q_.push_back(v);
  }

private:
  std::mutex mu_;
  std::deque<int> q_;
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'q_' is written with 'mu_' held in 1 of 1 places; read without it in 'Leaky::pop' [fearless-missing-guarded-by]
};
