// RUN: %check_fearless_tidy %s fearless-lock-order %t

#include <mutex>

#define FEARLESS_TEST_ACQUIRE(...) __attribute__((acquire_capability(__VA_ARGS__)))
#define FEARLESS_TEST_REQUIRES(...) __attribute__((requires_capability(__VA_ARGS__)))
#define FEARLESS_TEST_BEFORE(...) __attribute__((acquired_before(__VA_ARGS__)))

// --- two functions, opposite orders ------------------------------------------
std::mutex accounts;
std::mutex audit;

void transfer() {
  std::lock_guard<std::mutex> a(accounts);
  std::lock_guard<std::mutex> b(audit);
}

void report() {
  std::lock_guard<std::mutex> b(audit);
  std::lock_guard<std::mutex> a(accounts);
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: lock-order inversion: 'audit' -> 'accounts' -> 'audit'; threads taking these paths at once deadlock [fearless-lock-order]
}

// Negative: the same order everywhere.
std::mutex first, second;
void one() {
  std::lock_guard<std::mutex> a(first);
  std::lock_guard<std::mutex> b(second);
}
void two() {
  first.lock();
  second.lock();
  second.unlock();
  first.unlock();
}

// Negative: released before the second lock is taken.
void sequential() {
  { std::lock_guard<std::mutex> b(second); }
  std::lock_guard<std::mutex> a(first);
}

// --- through a call: fields of a class -----------------------------------------
class Bank {
public:
  void deposit() {
    std::lock_guard<std::mutex> g(ledger_);
    log();
  }
  void rotate() {
    std::lock_guard<std::mutex> g(log_mu_);
    touch_ledger();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: lock-order inversion: 'Bank::log_mu_' -> 'Bank::ledger_' -> 'Bank::log_mu_'; threads taking these paths at once deadlock [fearless-lock-order]
  }

private:
  void log() { std::lock_guard<std::mutex> g(log_mu_); }
  void touch_ledger() { std::lock_guard<std::mutex> g(ledger_); }
  std::mutex ledger_;
  std::mutex log_mu_;
};

// --- self-deadlock through a call chain -----------------------------------------
class Cache {
public:
  void refresh() {
    std::lock_guard<std::mutex> g(mu_);
    rebuild();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: call to 'Cache::rebuild' acquires 'Cache::mu_', which is already held: self-deadlock [fearless-lock-order]
  }
  // Not a self-deadlock: another object's mutex of the same class. But
  // a.merge(b) and b.merge(a) at once deadlock: lockdep's "possible
  // recursive locking" (fearless-lock-order-same-class.cpp for the option).
  void merge(Cache &other) {
    std::lock_guard<std::mutex> g(mu_);
    other.size();
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: call to 'Cache::size' acquires 'Cache::mu_' of another object while one is held: possible recursive locking; two threads nesting the same two objects' locks in opposite orders deadlock [fearless-lock-order]
  }
  // Negative: the lock is released before the call.
  void refresh_unlocked() {
    std::unique_lock<std::mutex> g(mu_);
    g.unlock();
    rebuild();
  }
  int size() {
    std::lock_guard<std::mutex> g(mu_);
    return n_;
  }

private:
  void rebuild() { evict(); }
  void evict() { clear(); }
  void clear() {
    std::lock_guard<std::mutex> g(mu_);
    n_ = 0;
  }
  std::mutex mu_;
  int n_ = 0;
};

// --- virtual call to an override visible in the unit ----------------------------
struct Listener {
  virtual void notify() = 0;
  virtual ~Listener() = default;
};
struct Registry : Listener {
  std::mutex mu_;
  void notify() override { std::lock_guard<std::mutex> g(mu_); }
  void publish() {
    std::lock_guard<std::mutex> g(mu_);
    Listener *self = this;
    (void)self;
    this->notify();
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: call to 'Registry::notify' acquires 'Registry::mu_', which is already held: self-deadlock [fearless-lock-order]
  }
};

struct Base {
  std::mutex mu_;
  virtual void hook() {}
  void run() {
    std::lock_guard<std::mutex> g(mu_);
    hook();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: call to 'Derived::hook' acquires 'Base::mu_', which is already held: self-deadlock [fearless-lock-order]
  }
  virtual ~Base() = default;
};
struct Derived : Base {
  void hook() override { std::lock_guard<std::mutex> g(mu_); }
};

// --- a lock taken twice in one function ------------------------------------------
std::mutex once;
void twice() {
  std::lock_guard<std::mutex> a(once);
  once.lock();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: 'once' acquired while it is already held: self-deadlock [fearless-lock-order]
}

// Negative: recursive_mutex may be locked again.
std::recursive_mutex rec;
void twice_recursive() {
  std::lock_guard<std::recursive_mutex> a(rec);
  std::lock_guard<std::recursive_mutex> b(rec);
}

// --- annotations: ACQUIRE on a declaration, REQUIRES on entry ----------------------
std::mutex table;
std::mutex index_mu;
void lock_table() FEARLESS_TEST_ACQUIRE(table); // defined elsewhere

void reindex() {
  std::lock_guard<std::mutex> g(index_mu);
  lock_table();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock-order inversion: 'index_mu' -> 'table' -> 'index_mu'; threads taking these paths at once deadlock [fearless-lock-order]
}
void compact() FEARLESS_TEST_REQUIRES(table) {
  std::lock_guard<std::mutex> g(index_mu);
}

// --- declared order contradicted ---------------------------------------------------
// Clang keeps acquired_before/after only on capability types (a plain
// std::mutex loses it in Sema): an annotated mutex, like fearless::Mutex.
struct __attribute__((capability("mutex"))) AnnotatedMutex {
  void lock() __attribute__((acquire_capability()));
  void unlock() __attribute__((release_capability()));
};
struct Ordered {
  AnnotatedMutex outer_ FEARLESS_TEST_BEFORE(inner_);
  AnnotatedMutex inner_;
  void wrong() {
    std::lock_guard<AnnotatedMutex> a(inner_);
    std::lock_guard<AnnotatedMutex> b(outer_);
    // CHECK-MESSAGES: :[[@LINE-1]]:37: warning: 'Ordered::outer_' acquired while holding 'Ordered::inner_', but the declared order is 'Ordered::outer_' before 'Ordered::inner_' [fearless-lock-order]
  }
};
struct OrderedRight {
  AnnotatedMutex outer_ FEARLESS_TEST_BEFORE(inner_);
  AnnotatedMutex inner_;
  // Negative: the declared order.
  void right() {
    outer_.lock();
    inner_.lock();
    inner_.unlock();
    outer_.unlock();
  }
};

// Negative: std::scoped_lock takes several locks without an order, so it
// orders none of them against the others.
std::mutex left, right;
void left_right() {
  std::lock_guard<std::mutex> l(left);
  std::lock_guard<std::mutex> r(right);
}
void both_at_once() { std::scoped_lock both(right, left); }
