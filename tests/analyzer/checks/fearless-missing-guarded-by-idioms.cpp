// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
//
// Idioms from #18's list, each correct case beside its bug.

#include <atomic>
#include <condition_variable>
#include <thread>
#include <vector>
#include <cstdint>
#include <memory>
#include <mutex>

// Written under `a` and `b`, read under `b`: `b` guards it.
class TwoLocks {
public:
  void set(int v) {
    std::lock_guard<std::mutex> la(a_);
    std::lock_guard<std::mutex> lb(b_);
    x_ = v;
  }
  int get() {
    std::lock_guard<std::mutex> lb(b_);
    return x_;
  }

private:
  std::mutex a_, b_;
  int x_ = 0;
};
// ... and read under neither: reported, with `b_` (held at every access
// that holds a lock).
class TwoLocksBad {
public:
  void set(int v) {
    std::lock_guard<std::mutex> la(a_);
    std::lock_guard<std::mutex> lb(b_);
    x_ = v;
  }
  int get() {
    std::lock_guard<std::mutex> lb(b_);
    return x_;
  }
  int peek() { return x_; }

private:
  std::mutex a_, b_;
  int x_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'x_' is written with 'b_' held in 1 of 1 places; read without it in 'TwoLocksBad::peek' [fearless-missing-guarded-by]
};

// `&field` handed to a helper that only reads through it (or only moves
// its own copy of the pointer) is a read -- reported as one, not as a
// write; one that writes through it is a write.
int read_through(const int *p) { return *p; }
int moves_copy(int *p) { p++; return 0; }
int writes_through(int *p) { return ++*p; }
class Helpers {
public:
  void set(int v) {
    std::lock_guard<std::mutex> l(mu_);
    n_ = v;
    m_ = v;
  }
  int peek() { return read_through(&n_) + moves_copy(&n_); }
  int bump() { return writes_through(&m_); }

private:
  std::mutex mu_;
  int n_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'n_' is written with 'mu_' held in 1 of 1 places; read without it in 'Helpers::peek' [fearless-missing-guarded-by]
  int m_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'm_' is written with 'mu_' held in 1 of 2 places; written without it in 'Helpers::bump' [fearless-missing-guarded-by]
};

// A struct of atomics, and an array of them behind a unique_ptr, are
// thread-safe by themselves: the mutex only serialises a reset.
struct Stat {
  std::atomic<uint64_t> num{0};
  void clear() { num.store(0); }
  void add() { num.fetch_add(1); }
};
class Histogram {
public:
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    stats_.clear();
    windows_[0].clear();
  }
  void add() {
    stats_.add();
    windows_[0].add();
  }

private:
  std::mutex mu_;
  Stat stats_;
  std::unique_ptr<Stat[]> windows_{new Stat[4]};
};
// A plain int beside them is not.
class HistogramBad {
public:
  void clear() {
    std::lock_guard<std::mutex> lock(mu_);
    total_ = 0;
  }
  void add() { ++total_; }

private:
  std::mutex mu_;
  int total_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'total_' is written with 'mu_' held in 1 of 2 places; written without it in 'HistogramBad::add' [fearless-missing-guarded-by]
};

// The only locked write follows a call that never returns: it does not
// happen, so nothing says the field is guarded.
[[noreturn]] void fail();
void fail_soon() { fail(); }
class NoReturn {
public:
  void reset() {
    std::lock_guard<std::mutex> l(mu_);
    fail_soon();
    v_ = 0;
  }
  void set(int v) { v_ = v; }

private:
  std::mutex mu_;
  int v_ = 0;
};
// A call that may return keeps the locked write.
void maybe_fail(bool b) {
  if (b)
    fail();
}
class MayReturn {
public:
  void reset(bool b) {
    std::lock_guard<std::mutex> l(mu_);
    maybe_fail(b);
    v_ = 0;
  }
  void set(int v) { v_ = v; }

private:
  std::mutex mu_;
  int v_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'v_' is written with 'mu_' held in 1 of 2 places; written without it in 'MayReturn::set' [fearless-missing-guarded-by]
};

// The mutex is a parameter: every write holds it, the read holds none.
class ParamMutex {
public:
  void set(std::mutex &m, int v) {
    std::lock_guard<std::mutex> l(m);
    f_ = v;
  }
  int get() { return f_; }

private:
  int f_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'f_' is written with 'm' held in 1 of 1 places; read without it in 'ParamMutex::get' [fearless-missing-guarded-by]
};

// A parameter mutex the caller holds, dropped and retaken around slow work
// (leveldb's VersionSet::LogAndApply(edit, mu)): it guards the caller's
// data, not this class's fields.
class Versions {
public:
  void apply(std::mutex *mu, int v) {
    mu->unlock();
    int slow = v * 2;
    mu->lock();
    last_ = slow;
  }
  int last() const { return last_; }

private:
  int last_ = 0;
};

// Lost wake-ups that cannot happen: the writer takes the mutex after the
// unlocked write and before notifying (a waiter that read the old value
// holds the mutex until it sleeps) ...
struct Pending {
  std::atomic<int> pending{0};
  std::mutex mu;
  std::condition_variable cv;
  void done_one() {
    if (pending.fetch_sub(1) - 1 == 0) {
      std::lock_guard<std::mutex> lock(mu);
      cv.notify_all();
    }
  }
  void wait_all() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return pending.load() == 0; });
  }
};
// ... or writes after joining the waiters. Without either, it is one.
struct Workers {
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<bool> exit{false};
  std::vector<std::thread> threads;
  void worker() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return exit.load(); });
  }
  void stop() {
    exit = true;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'exit' is written without holding 'mu', but the wait predicate in 'Workers::worker' reads it under 'mu': a waiter can check it just before this write and then sleep through the notification (lost wake-up) [fearless-missing-guarded-by]
    cv.notify_all();
    for (auto &t : threads)
      t.join();
    threads.clear();
    exit = false;
  }
};
