// RUN: %check_fearless_tidy %s fearless-missing-guarded-by %t
// The fixed file: no missing-guarded-by finding left, and it compiles.
// RUN: %clang_tidy_plugin --checks='-*,fearless-missing-guarded-by' --quiet %t.cpp \
// RUN:   -- -std=c++20 %fearless_include 2>&1 | FileCheck %s --allow-empty \
// RUN:   --check-prefix=REFIXED --implicit-check-not='{{warning|error}}:'
// RUN: clang++ -std=c++20 -fsyntax-only %fearless_include %t.cpp
// REFIXED-NOT: warning:
// With the annotations in place, fearless-guarded-by reports what is still
// unguarded, in Clang's words.
// RUN: %clang_tidy_plugin --checks='-*,fearless-guarded-by' --quiet %t.cpp \
// RUN:   -- -std=c++20 %fearless_include 2>&1 | FileCheck %s \
// RUN:   --check-prefix=GUARDED --implicit-check-not='{{warning|error}}:'
// GUARDED-DAG: warning: reading variable 'items_' requires holding mutex 'mu_' [fearless-guarded-by]
// GUARDED-DAG: warning: writing variable 'pushed_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]

// The file does not include fearless/thread_safety.h: the fix adds it.
// CHECK-FIXES: #include "fearless/thread_safety.h"
#include <mutex>
#include <vector>

class Queue {
public:
  void push(int v) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(v);
    ++pushed_;
  }
  int pushed() {
    std::lock_guard<std::mutex> lock(mu_);
    return pushed_;
  }
  bool empty() const { return items_.empty(); }
  void drop() { pushed_ = 0; }

private:
  mutable std::mutex mu_;
  std::vector<int> items_;
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'items_' is written with 'mu_' held in 1 of 1 places; read without it in 'Queue::empty' [fearless-missing-guarded-by]
  // CHECK-FIXES: std::vector<int> items_ FEARLESS_GUARDED_BY(mu_);
  int pushed_ = 0;
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: 'pushed_' is written with 'mu_' held in 1 of 2 places; written without it in 'Queue::drop' [fearless-missing-guarded-by]
  // CHECK-FIXES: int pushed_ FEARLESS_GUARDED_BY(mu_) = 0;
};
