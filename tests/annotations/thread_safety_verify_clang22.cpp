// What Clang 21 and 22 added, through the fearless macros: each
// `expected-warning` must appear on its line, and no other diagnostic may.
// Run by ctest with clang++-22 (when installed) as:
//   clang++-22 -fsyntax-only -Xclang -verify -Wthread-safety ...
// without -Wthread-safety-beta: the declared lock order is checked anyway.
#include "fearless/thread_safety.h"

class FEARLESS_CAPABILITY("mutex") Mu {
public:
  void lock() FEARLESS_ACQUIRE();
  void unlock() FEARLESS_RELEASE();
};

class FEARLESS_CAPABILITY("mutex") FEARLESS_REENTRANT_CAPABILITY RecMu {
public:
  void lock() FEARLESS_ACQUIRE();
  void unlock() FEARLESS_RELEASE();
};

class FEARLESS_SCOPED_CAPABILITY Lock {
public:
  explicit Lock(Mu &m) FEARLESS_ACQUIRE(m);
  ~Lock() FEARLESS_RELEASE();
  void unlock() FEARLESS_RELEASE();
};

RecMu rm;
int rv FEARLESS_GUARDED_BY(rm);

// Re-acquired by its holder: held until the last release.
void reenter() {
  rm.lock();
  rm.lock();
  rv = 1;
  rm.unlock();
  rv = 2;
  rm.unlock();
}

void released_as_often_as_acquired() {
  rm.lock();
  rm.unlock();
  rv = 3; // expected-warning {{writing variable 'rv' requires holding mutex 'rm' exclusively}}
}

Mu a, b;
int av FEARLESS_GUARDED_BY(a);

// expected-note@+1 {{see attribute on parameter here}}
void drop(Lock &lk FEARLESS_SCOPED_PARAM(FEARLESS_RELEASE(a)));

void drops_through_the_guard() {
  Lock lk(a);
  av = 1;
  drop(lk);
  av = 2; // expected-warning {{writing variable 'av' requires holding mutex 'a' exclusively}}
}

void passes_the_wrong_guard() {
  Lock lk(b);
  drop(lk); // expected-warning {{mutex managed by 'lk' is 'b' instead of 'a'}} expected-warning {{releasing mutex 'a' that was not held}}
}

Mu second FEARLESS_ACQUIRED_AFTER(a);

void declared_order_contradicted() {
  second.lock();
  a.lock(); // expected-warning {{mutex 'a' must be acquired before 'second'}}
  a.unlock();
  second.unlock();
}
