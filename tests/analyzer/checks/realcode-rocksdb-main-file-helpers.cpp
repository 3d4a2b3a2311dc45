// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
//
// Real code: rocksdb 7.8.3, util/threadpool_imp.cc. ThreadPoolImpl::Impl is
// a struct defined in the .cc file, with public helpers (HasExcessiveThread,
// IsLastExcessiveThread, IsExcessiveThread, StartBGThreads) that read
// 'total_threads_limit_' without taking 'mu_' because every caller holds
// it. fearless-missing-guarded-by said "'total_threads_limit_' is written
// with 'mu_' held in 2 of 2 places; read without it in
// 'rocksdb::ThreadPoolImpl::Impl::HasExcessiveThread' and 2 other
// functions". A class defined in the main file cannot be called by another
// unit, which has no definition of it: its public methods are helpers like
// private ones, whose every caller is in sight.

#include <condition_variable>
#include <mutex>
#include <vector>

struct Impl {
  bool HasExcessiveThread() const {
    return static_cast<int>(threads_.size()) > limit_;
  }
  bool IsLastExcessiveThread(std::size_t id) const {
    return HasExcessiveThread() && id == threads_.size() - 1;
  }
  void StartThreads() {
    while (static_cast<int>(threads_.size()) < limit_)
      threads_.push_back(0);
  }
  void SetLimit(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    limit_ = n;
    StartThreads();
    cv_.notify_all();
  }
  void Work(std::size_t id) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!IsLastExcessiveThread(id))
      cv_.wait(lock);
    threads_.pop_back();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  int limit_ = 0;
  std::vector<int> threads_;
};

// Positive: one call of the helper does not hold the lock.
struct Sloppy {
  bool Excessive() const { return count_ > limit_; }
  void SetLimit(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    limit_ = n;
    count_ = 0;
  }
  bool Check() {
    std::lock_guard<std::mutex> lock(mu_);
    return Excessive();
  }
  bool Peek() { return Excessive(); }

  std::mutex mu_;
  int limit_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'limit_' is written with 'mu_' held in 1 of 1 places; read without it in 'Sloppy::Excessive' [fearless-missing-guarded-by]
  int count_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'count_' is written with 'mu_' held in 1 of 1 places; read without it in 'Sloppy::Excessive' [fearless-missing-guarded-by]
};

// Positive: a public virtual method may be called through a base class by
// any unit, even when this unit calls it only under the lock.
struct Base {
  virtual ~Base() = default;
  virtual int Size() const = 0;
};
struct Derived : Base {
  int Size() const override { return size_; }
  void Grow() {
    std::lock_guard<std::mutex> lock(mu_);
    ++size_;
    if (Size() > 8)
      size_ = 0;
  }
  std::mutex mu_;
  int size_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'size_' is written with 'mu_' held in 2 of 2 places; read without it in 'Derived::Size' [fearless-missing-guarded-by]
};
