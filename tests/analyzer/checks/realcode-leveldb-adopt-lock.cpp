// RUN: %check_fearless_tidy %s fearless-guarded-by %t
//
// Real code: leveldb 1.23, port/port_stdcxx.h, CondVar::Wait. leveldb builds
// with -Werror -Wthread-safety and clang++-19 reports nothing here, but
// fearless-guarded-by says "calling function 'unique_lock' requires holding
// mutex 'mu_->mu_' exclusively": the adopting std::unique_lock is modelled
// as requiring the std::mutex, which the annotated wrapper's Lock() holds
// under the wrapper's own capability. (libc++ does not annotate unique_lock
// at all, so no library gives this warning.) A std::mutex inside a class the
// user annotated as a capability is that capability's implementation: no
// finding.
#include <condition_variable>
#include <mutex>

#define LOCKABLE __attribute__((lockable))
#define EXCLUSIVE_LOCK_FUNCTION(...) __attribute__((exclusive_lock_function(__VA_ARGS__)))
#define UNLOCK_FUNCTION(...) __attribute__((unlock_function(__VA_ARGS__)))

class CondVar;

class LOCKABLE Mutex {
public:
  void Lock() EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() UNLOCK_FUNCTION() { mu_.unlock(); }

private:
  friend class CondVar;
  std::mutex mu_;
};

class CondVar {
public:
  explicit CondVar(Mutex *mu) : mu_(mu) {}
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }

private:
  std::condition_variable cv_;
  Mutex *const mu_;
};

// Positive twin: a std::mutex of its own, adopted without being held.
std::mutex plain;
void adopt_unheld() {
  std::unique_lock<std::mutex> lock(plain, std::adopt_lock);
  // CHECK-MESSAGES: :[[@LINE-1]]:32: warning: calling function 'unique_lock' requires holding mutex 'plain' exclusively [fearless-guarded-by]
}
