// RUN: %check_fearless_tidy %s fearless-guarded-by,fearless-lock-order %t

// What Clang 21 and 22 added, honoured by fearless-guarded-by with LLVM 19
// as with LLVM 22: a FEARLESS_REENTRANT_CAPABILITY may be re-acquired by its
// holder, and a declared order (FEARLESS_ACQUIRED_AFTER) is checked without
// the Beta option. Beside each, the case that is still reported.
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

RecMu rm;
int rv FEARLESS_GUARDED_BY(rm);

void reenter() {
  rm.lock();
  rm.lock();
  rv = 1;
  rm.unlock();
  rm.unlock();
}

void released_as_often_as_acquired() {
  rm.lock();
  rm.unlock();
  rv = 2;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'rv' requires holding mutex 'rm' exclusively [fearless-guarded-by]
}

// Held between the releases: LLVM 22's engine counts the depth; with LLVM
// 19, whose engine counts none, fearless counts the acquisitions and
// releases itself (before: reported on LLVM 19).
void between_the_releases() {
  rm.lock();
  rm.lock();
  rm.unlock();
  rv = 3;
  rm.unlock();
}

Mu plain;
void plain_twice() {
  plain.lock();
  plain.lock();
  // CHECK-MESSAGES-DAG: :[[@LINE-1]]:9: warning: acquiring mutex 'plain' that is already held [fearless-guarded-by]
  // CHECK-MESSAGES-DAG: :[[@LINE-2]]:9: warning: 'plain' acquired while it is already held: self-deadlock [fearless-lock-order]
  plain.unlock();
}

Mu first;
Mu second FEARLESS_ACQUIRED_AFTER(first);

void in_the_declared_order() {
  first.lock();
  second.lock();
  second.unlock();
  first.unlock();
}

void against_the_declared_order() {
  second.lock();
  first.lock();
  // CHECK-MESSAGES-DAG: :[[@LINE-1]]:9: warning: mutex 'first' must be acquired before 'second' [fearless-guarded-by]
  first.unlock();
  second.unlock();
}
