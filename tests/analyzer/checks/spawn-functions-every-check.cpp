// RUN: %check_fearless_tidy -check-suffixes=POOL %s fearless-guard-not-send,fearless-guard-escape,fearless-missing-guarded-by %t \
// RUN:   --config="{CheckOptions: {SpawnFunctions: '::Pool::submit:0'}}"
// RUN: %check_fearless_tidy %s fearless-guard-not-send,fearless-guard-escape,fearless-missing-guarded-by %t

// The global SpawnFunctions option reaches every check that looks at thread
// boundaries, not only the Send ones: a user executor's callable runs on
// another thread for guard-not-send, guard-escape and missing-guarded-by
// too. Without the option Pool::submit is an ordinary function template
// whose callable runs before it returns, and none of these is reported.

#include "fearless/mutex.h"
#include <mutex>
#include <utility>
#include <vector>

struct Pool {
  template <class F> void submit(F f) { f(); }
};

// guard-not-send: the guard moves into the executor's thread.
void hand_over(Pool &pool, std::mutex &m) {
  std::unique_lock<std::mutex> lk(m);
  pool.submit([l = std::move(lk)] {});
  // CHECK-MESSAGES-POOL: :[[@LINE-1]]:16: warning: lock guard 'lk' is moved into a thread started by 'Pool::submit'; a mutex must be unlocked by the thread that locked it [fearless-guard-not-send]
}

// guard-escape: a pointer into the locked data crosses into the executor,
// which may use it after the guard is gone.
void publish(Pool &pool, fearless::Mutex<std::vector<int>> &m) {
  auto guard = m.lock();
  std::vector<int> *items = &*guard;
  pool.submit([items] { items->push_back(1); });
  // CHECK-MESSAGES-POOL: :[[@LINE-1]]:15: warning: lambda capturing a reference to data guarded by 'm' escapes the scope of 'guard' (passed to a thread started by 'Pool::submit') [fearless-guard-escape]
}

// missing-guarded-by: the executor's callable writes count_ without mu_.
class Jobs {
public:
  void add() {
    std::lock_guard<std::mutex> g(mu_);
    ++count_;
  }
  void reset() {
    std::lock_guard<std::mutex> g(mu_);
    count_ = 0;
  }
  void later(Pool &pool) {
    std::lock_guard<std::mutex> g(mu_);
    pool.submit([this] { ++count_; });
  }

private:
  std::mutex mu_;
  int count_ = 0;
  // CHECK-MESSAGES-POOL: :[[@LINE-1]]:7: warning: 'count_' is written with 'mu_' held in 2 of 3 places; written without it in 'Jobs::later' [fearless-missing-guarded-by]
};
