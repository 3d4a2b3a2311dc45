// REQUIRES: llvm-22
// RUN: %check_fearless_tidy %s fearless-guarded-by %t

// Attributes on a parameter that is a reference to a scoped capability
// (Clang 21+, FEARLESS_SCOPED_PARAM): the function acquires, releases or
// needs the capability through the caller's guard, and each call is checked
// against the guard passed. LLVM 19 has no such attributes (the macro expands
// to nothing there), hence llvm-22 only.
#include "fearless/thread_safety.h"

class FEARLESS_CAPABILITY("mutex") Mu {
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

Mu a, b;
int av FEARLESS_GUARDED_BY(a);

void drop(Lock &lk FEARLESS_SCOPED_PARAM(FEARLESS_RELEASE(a)));
void needs(Lock &lk FEARLESS_SCOPED_PARAM(FEARLESS_REQUIRES(a)));

void drops_through_the_guard() {
  Lock lk(a);
  av = 1;
  drop(lk);
  av = 2;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'av' requires holding mutex 'a' exclusively [fearless-guarded-by]
}

void keeps_the_guard() {
  Lock lk(a);
  needs(lk);
  av = 3;
}

void passes_the_wrong_guard() {
  Lock lk(b);
  drop(lk);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: mutex managed by 'lk' is 'b' instead of 'a' [fearless-guarded-by]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: releasing mutex 'a' that was not held [fearless-guarded-by]
}

void releases(Lock &lk FEARLESS_SCOPED_PARAM(FEARLESS_RELEASE(a))) {
  av = 4;
  lk.unlock();
  av = 5;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'av' requires holding mutex 'a' exclusively [fearless-guarded-by]
}
