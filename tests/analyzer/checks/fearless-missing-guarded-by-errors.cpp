// RUN: %check_fearless_tidy --expect-clang-tidy-error %s fearless-missing-guarded-by,fearless-guard-escape %t

// Code that does not compile: both checks keep quiet about the broken parts
// and do not crash.
#include <mutex>

class Broken {
public:
  void put(int v) {
    std::lock_guard<std::mutex> lock(mu_);
    hits_ += v
  }
  // CHECK-MESSAGES: :[[@LINE-2]]:15: error: expected ';' after expression [clang-diagnostic-error]
  int get() { return hits_ + undeclared_; }
  // CHECK-MESSAGES: :[[@LINE-1]]:30: error: use of undeclared identifier 'undeclared_' [clang-diagnostic-error]
  const int &ref() {
    std::lock_guard<std::mutex> lock(mu_);
    return missing_;
    // CHECK-MESSAGES: :[[@LINE-1]]:12: error: use of undeclared identifier 'missing_' [clang-diagnostic-error]
  }

private:
  std::mutex mu_;
  int hits_ = 0;
  // Clang 19 keeps `hits_ + undeclared_` as an expression with errors, so
  // get() reads hits_; Clang 22 drops the whole return statement.
  // CHECK-MESSAGES-LLVM19: :[[@LINE-3]]:7: warning: 'hits_' is written with 'mu_' held in 1 of 1 places; read without it in 'Broken::get' [fearless-missing-guarded-by]
};
