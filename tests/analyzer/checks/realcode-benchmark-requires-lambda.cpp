// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
//
// Real code: google benchmark 1.7.1, src/mutex.h, Barrier::createBarrier is
// REQUIRES(lock_) and reads its state in a condition_variable wait
// predicate (a lambda called under the lock); fearless-missing-guarded-by
// says "'running_threads_' is written with 'lock_' held in 1 of 1 places;
// read without it in 'benchmark::Barrier::createBarrier'" (three fields, in
// every unit that includes the header). benchmark builds cleanly with
// -Wthread-safety. Reduced below: no finding.

#include <condition_variable>
#include <mutex>
#include <thread>

#define CAPABILITY(x) __attribute__((capability(x)))
#define SCOPED_CAPABILITY __attribute__((scoped_lockable))
#define ACQUIRE(...) __attribute__((acquire_capability(__VA_ARGS__)))
#define RELEASE(...) __attribute__((release_capability(__VA_ARGS__)))
#define REQUIRES(...) __attribute__((requires_capability(__VA_ARGS__)))

class CAPABILITY("mutex") Mutex {
public:
  void lock() ACQUIRE() { mut_.lock(); }
  void unlock() RELEASE() { mut_.unlock(); }

private:
  std::mutex mut_;
};

class SCOPED_CAPABILITY MutexLock {
public:
  MutexLock(Mutex &m) ACQUIRE(m) : m_(m) { m.lock(); }
  ~MutexLock() RELEASE() { m_.unlock(); }

private:
  Mutex &m_;
};

// createBarrier() REQUIRES the lock; its wait predicate runs under it
// (google benchmark's Barrier).
class Barrier {
public:
  explicit Barrier(int n) : running_(n) {}
  bool wait() {
    MutexLock l(lock_);
    return createBarrier();
  }
  void removeThread() {
    MutexLock l(lock_);
    --running_;
  }

private:
  bool createBarrier() REQUIRES(lock_) {
    ++entered_;
    auto done = [this] { return entered_ == running_; };
    return done();
  }
  Mutex lock_;
  int running_;
  int entered_ = 0;
};


// A wait predicate kept in a variable, as benchmark's Barrier does it.
class Phases {
public:
  void next() {
    std::unique_lock<std::mutex> l(mu_);
    ++phase_;
    cv_.notify_all();
  }
  void await(int seen) {
    std::unique_lock<std::mutex> l(mu_);
    auto moved_on = [this, seen] { return phase_ != seen; };
    cv_.wait(l, moved_on);
  }

private:
  std::mutex mu_;
  std::condition_variable cv_;
  int phase_ = 0;
};

// Positive twin: the lambda escapes into a thread, where no lock is held.
class Leaky {
public:
  void bump() {
    MutexLock l(lock_);
    ++count_;
  }
  int peek() {
    MutexLock l(lock_);
    auto read = [this] { return count_; };
    std::thread t(read);
    t.join();
    return 0;
  }

private:
  Mutex lock_;
  int count_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'count_' is written with 'lock_' held in 1 of 1 places; read without it in 'Leaky::peek' [fearless-missing-guarded-by]
};
