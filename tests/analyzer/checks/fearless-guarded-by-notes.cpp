// RUN: %check_fearless_tidy %s fearless-guarded-by %t
// RUN: %check_fearless_tidy -check-suffixes=VERBOSE %s fearless-guarded-by %t \
// RUN:   --config="{CheckOptions: {fearless-guarded-by.Verbose: true}}"

// The notes Clang attaches, and the extra ones of -Wthread-safety-verbose.

#include "fearless/thread_safety.h"

class FEARLESS_CAPABILITY("mutex") Mutex {
public:
  void lock() FEARLESS_ACQUIRE();
  void unlock() FEARLESS_RELEASE();
};

Mutex mu;
int counter FEARLESS_GUARDED_BY(mu);

void double_lock() {
  mu.lock();
  mu.lock();
  // CHECK-MESSAGES: :[[@LINE-1]]:6: warning: acquiring mutex 'mu' that is already held [fearless-guarded-by]
  // CHECK-NOTES: :[[@LINE-2]]:6: warning: acquiring mutex 'mu' that is already held [fearless-guarded-by]
  // CHECK-NOTES: :[[@LINE-4]]:6: note: mutex acquired here
  // CHECK-MESSAGES-VERBOSE: :[[@LINE-4]]:6: warning: acquiring mutex 'mu' that is already held [fearless-guarded-by]
  // CHECK-NOTES-VERBOSE: :[[@LINE-5]]:6: warning: acquiring mutex 'mu' that is already held [fearless-guarded-by]
  // CHECK-NOTES-VERBOSE: :[[@LINE-7]]:6: note: mutex acquired here
  // CHECK-NOTES-VERBOSE: :[[@LINE-9]]:20: note: thread warning in function 'double_lock'
  mu.unlock();
}

void write() {
  counter = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'counter' requires holding mutex 'mu' exclusively [fearless-guarded-by]
  // CHECK-NOTES: :[[@LINE-2]]:3: warning: writing variable 'counter' requires holding mutex 'mu' exclusively [fearless-guarded-by]
  // CHECK-MESSAGES-VERBOSE: :[[@LINE-3]]:3: warning: writing variable 'counter' requires holding mutex 'mu' exclusively [fearless-guarded-by]
  // CHECK-NOTES-VERBOSE: :[[@LINE-4]]:3: warning: writing variable 'counter' requires holding mutex 'mu' exclusively [fearless-guarded-by]
  // CHECK-NOTES-VERBOSE: :16:5: note: guarded_by declared here
  // CHECK-NOTES-VERBOSE: :[[@LINE-7]]:14: note: thread warning in function 'write'
}
