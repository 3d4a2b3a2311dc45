// RUN: %check_fearless_tidy --expect-clang-tidy-error %s fearless-guarded-by,fearless-lock-order,fearless-blocking-under-lock %t

// A unit that does not compile: a body holding an expression Clang could not
// build is skipped by every analysis of the unit model and by Clang's engine
// (as Sema skips its own thread-safety analysis after an error); the valid
// functions around it are still checked.
#include <mutex>
#include <thread>
#include "fearless/thread_safety.h"

std::mutex m, n;
int g FEARLESS_GUARDED_BY(m);

void broken(std::thread &t) {
  std::lock_guard<std::mutex> a(n);
  std::lock_guard<std::mutex> b(m);
  g = undeclared(1);
  // CHECK-MESSAGES: :[[@LINE-1]]:7: error: use of undeclared identifier 'undeclared' [clang-diagnostic-error]
  t.join();
}

void valid() {
  g = 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'g' requires holding mutex 'm' exclusively [fearless-guarded-by]
}

void reverse() {
  std::lock_guard<std::mutex> b(m);
  std::lock_guard<std::mutex> a(n);
}
