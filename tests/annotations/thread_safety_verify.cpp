// The thread-safety macros expand to the attributes Clang checks: each
// `expected-warning` must appear on its line, and no other diagnostic may.
// Run by ctest as: clang++ -fsyntax-only -Xclang -verify -Wthread-safety ...
#include "fearless/thread_safety.h"

class FEARLESS_CAPABILITY("mutex") Mu {
public:
  void lock() FEARLESS_ACQUIRE();
  void unlock() FEARLESS_RELEASE();
  bool try_lock() FEARLESS_TRY_ACQUIRE(true);
  void lock_shared() FEARLESS_ACQUIRE_SHARED();
  void unlock_shared() FEARLESS_RELEASE_SHARED();
};

class FEARLESS_SCOPED_CAPABILITY Guard {
public:
  explicit Guard(Mu &m) FEARLESS_ACQUIRE(m);
  ~Guard() FEARLESS_RELEASE();
};

Mu mu;
Mu second FEARLESS_ACQUIRED_AFTER(mu);
int counter FEARLESS_GUARDED_BY(mu);
int *data FEARLESS_PT_GUARDED_BY(mu);

void needs_lock() FEARLESS_REQUIRES(mu);
void needs_shared() FEARLESS_REQUIRES_SHARED(mu);
void takes_lock() FEARLESS_EXCLUDES(mu);

void unguarded_write() {
  counter = 1; // expected-warning {{writing variable 'counter' requires holding mutex 'mu' exclusively}}
}

void unguarded_pointee() {
  *data = 1; // expected-warning {{writing the value pointed to by 'data' requires holding mutex 'mu' exclusively}}
  data = nullptr; // pointer itself is not guarded
}

void guarded_ok() {
  Guard g(mu);
  counter = 2;
  *data = 2;
  needs_lock();
  needs_shared();
}

void missing_requirement() {
  needs_lock(); // expected-warning {{calling function 'needs_lock' requires holding mutex 'mu' exclusively}}
}

void shared_is_not_enough() {
  mu.lock_shared();
  needs_shared();
  counter = 3; // expected-warning {{writing variable 'counter' requires holding mutex 'mu' exclusively}}
  mu.unlock_shared();
}

void excluded_held() {
  mu.lock();
  takes_lock(); // expected-warning {{cannot call function 'takes_lock' while mutex 'mu' is held}}
  mu.unlock();
}

void leaked() {
  mu.lock(); // expected-note {{mutex acquired here}}
} // expected-warning {{mutex 'mu' is still held at the end of function}}

void try_branch() {
  if (mu.try_lock()) {
    counter = 4;
    mu.unlock();
  }
}

void wrong_order() {
  second.lock();
  mu.lock(); // expected-warning {{mutex 'mu' must be acquired before 'second'}}
  mu.unlock();
  second.unlock();
}

void exempt() FEARLESS_NO_THREAD_SAFETY_ANALYSIS { counter = 5; }
