// RUN: %check_fearless_tidy -check-suffixes=POOL %s fearless-guarded-by %t \
// RUN:   --config="{CheckOptions: {fearless-guarded-by.SpawnFunctions: '::Pool::submit:0'}}"
// RUN: %check_fearless_tidy -check-suffixes=POOL %s fearless-guarded-by %t \
// RUN:   --config="{CheckOptions: {SpawnFunctions: '::Pool::submit:0'}}"
// RUN: %check_fearless_tidy %s fearless-guarded-by %t

// A user executor named in SpawnFunctions (the check's own option or the
// global one shared by every fearless check) is a thread boundary: the
// lambda it runs starts with no lock held, even though the caller holds
// one when it submits. Without the option, Pool::submit is an ordinary
// function template and the lambda is taken to run synchronously.

#include "fearless/thread_safety.h"
#include <mutex>
#include <utility>

struct Pool {
  template <class F> void submit(F f) { (void)f; }
};

class Jobs {
public:
  void enqueue(Pool &pool) {
    std::lock_guard<std::mutex> lk(mu_);
    pool.submit([this] { ++done_; });
    // CHECK-MESSAGES-POOL: :[[@LINE-1]]:28: warning: writing variable 'done_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  }
  // Negative either way: the lambda takes the lock itself.
  void enqueueLocking(Pool &pool) {
    pool.submit([this] {
      std::lock_guard<std::mutex> lk(mu_);
      ++done_;
    });
  }

private:
  std::mutex mu_;
  int done_ FEARLESS_GUARDED_BY(mu_) = 0;
};
