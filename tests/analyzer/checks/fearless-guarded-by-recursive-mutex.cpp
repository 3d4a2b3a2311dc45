// RUN: %check_fearless_tidy %s fearless-guarded-by,fearless-lock-order %t

// A std::recursive_mutex may be taken again by its owner: guarded-by and
// lock-order agree on it (before, guarded-by reported the second lock and
// the last unlock). A plain std::mutex taken twice is still reported by
// both, and a recursive mutex still guards its data.
#include <mutex>
#include "fearless/thread_safety.h"
class Tree {
public:
  void insert(int v) {
    std::lock_guard<std::recursive_mutex> g(mu_);
    size_ += v;
    rebalance();
  }
  void rebalance() {
    std::lock_guard<std::recursive_mutex> g(mu_);
    ++size_;
  }
  void twice() {
    mu_.lock();
    mu_.lock();
    ++size_;
    mu_.unlock();
    mu_.unlock();
  }
  int peek() { return size_; }
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: reading variable 'size_' requires holding mutex 'mu_' [fearless-guarded-by]
private:
  std::recursive_mutex mu_;
  int size_ FEARLESS_GUARDED_BY(mu_) = 0;
};
std::mutex plain;
void plain_twice() {
  plain.lock();
  plain.lock();
  // Two checks at one place: clang-tidy 19 and 22 print them in different
  // orders.
  // CHECK-MESSAGES-DAG: :[[@LINE-3]]:9: warning: acquiring mutex 'plain' that is already held [fearless-guarded-by]
  // CHECK-MESSAGES-DAG: :[[@LINE-4]]:9: warning: 'plain' acquired while it is already held: self-deadlock [fearless-lock-order]
  plain.unlock();
  plain.unlock();
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: releasing mutex 'plain' that was not held [fearless-guarded-by]
}
