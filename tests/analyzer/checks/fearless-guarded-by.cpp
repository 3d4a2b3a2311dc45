// RUN: %check_fearless_tidy %s fearless-guarded-by %t

// Clang's thread-safety analysis, in Clang's words, on code that is not built
// with -Wthread-safety, with attributes written by the user.

#include "fearless/thread_safety.h"

class FEARLESS_CAPABILITY("mutex") Mutex {
public:
  void lock() FEARLESS_ACQUIRE();
  void unlock() FEARLESS_RELEASE();
  bool try_lock() FEARLESS_TRY_ACQUIRE(true);
  void lock_shared() FEARLESS_ACQUIRE_SHARED();
  void unlock_shared() FEARLESS_RELEASE_SHARED();
};

class FEARLESS_SCOPED_CAPABILITY Lock {
public:
  explicit Lock(Mutex &mu) FEARLESS_ACQUIRE(mu);
  ~Lock() FEARLESS_RELEASE();
};

Mutex mu;
int counter FEARLESS_GUARDED_BY(mu);
int *data FEARLESS_PT_GUARDED_BY(mu);

void write_unlocked() {
  counter = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'counter' requires holding mutex 'mu' exclusively [fearless-guarded-by]
}

int read_unlocked() {
  return counter;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: reading variable 'counter' requires holding mutex 'mu' [fearless-guarded-by]
}

// Negative: the lock is held.
void write_locked() {
  Lock l(mu);
  counter = 1;
}

int deref_unlocked() {
  return *data;
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: reading the value pointed to by 'data' requires holding mutex 'mu' [fearless-guarded-by]
}

void bump() FEARLESS_REQUIRES(mu);
void call_unlocked() {
  bump();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: calling function 'bump' requires holding mutex 'mu' exclusively [fearless-guarded-by]
}

void double_lock() {
  mu.lock();
  mu.lock();
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: acquiring mutex 'mu' that is already held [fearless-guarded-by]
  mu.unlock();
}

void not_released() {
  mu.lock();
}
// CHECK-MESSAGES: :[[@LINE-1]]:1: warning: mutex 'mu' is still held at the end of function [fearless-guarded-by]

void unlock_unheld() {
  mu.unlock();
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: releasing mutex 'mu' that was not held [fearless-guarded-by]
}

void some_paths(bool b) {
  if (b)
    mu.lock();
  counter = 2;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'counter' requires holding mutex 'mu' exclusively [fearless-guarded-by]
  // CHECK-MESSAGES: :[[@LINE-2]]:13: warning: mutex 'mu' is not held on every path through here [fearless-guarded-by]
  if (b)
    mu.unlock();
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: releasing mutex 'mu' that was not held [fearless-guarded-by]
}

void wrong_kind() {
  mu.lock_shared();
  counter = 3;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'counter' requires holding mutex 'mu' exclusively [fearless-guarded-by]
  mu.unlock();
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: releasing mutex 'mu' using exclusive access, expected shared access [fearless-guarded-by]
}

int &return_reference() {
  return counter;
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: returning variable 'counter' by reference requires holding mutex 'mu' exclusively [fearless-guarded-by]
}

void take(int &);
void pass_reference() {
  take(counter);
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: passing variable 'counter' by reference requires holding mutex 'mu' [fearless-guarded-by]
}

// Negative: a try-lock that succeeded.
void try_locked() {
  if (mu.try_lock()) {
    counter = 4;
    mu.unlock();
  }
}

// Templates are analysed per instantiation; the message names what is
// accessed, so instantiations with the same finding are merged.
template <class T> struct Box {
  Mutex m;
  T value FEARLESS_GUARDED_BY(m);
  void set(T v) { value = v; }
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: writing variable 'value' requires holding mutex 'm' exclusively [fearless-guarded-by]
};
void use_boxes() {
  Box<int>().set(1);
  Box<long>().set(2);
}
