// RUN: %check_fearless_tidy %s fearless-guard-across-await %t -- -I%S/Inputs

// Suspensions and guards as coroutine code writes them (Asio awaitables,
// folly::coro, cppcoro): each case beside its correct twin.
#include "coro_cases.h"
#include "fearless/mutex.h"
#include "fearless/thread_safety.h"
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

std::mutex mu, mu2;
std::shared_mutex rw;
int counter;
std::vector<int> items;
void use(int);
void adopt(std::unique_lock<std::mutex> lk);

// --- A guard in a range-for body -------------------------------------------

Task range_for_held() {
  for (int v : items) {
    std::lock_guard<std::mutex> lk(mu);
    counter += v;
    co_await read_some();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: lock guard 'lk' holds 'mu' across this co_await; the coroutine may resume on another thread, which then releases it, and every thread that needs 'mu' waits for the whole suspension [fearless-guard-across-await]
  }
}

Task range_for_scoped() {
  for (int v : items) {
    {
      std::lock_guard<std::mutex> lk(mu);
      counter += v;
    }
    co_await read_some();
  }
}

// --- Only in the then-branch -----------------------------------------------

Task then_branch_held(bool flush) {
  if (flush) {
    std::unique_lock<std::mutex> lk(mu);
    co_await read_some();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: lock guard 'lk' holds 'mu' across this co_await;
  } else {
    co_await read_some();
  }
}

Task then_branch_scoped(bool flush) {
  if (flush) {
    std::unique_lock<std::mutex> lk(mu);
    counter++;
  } else {
    co_await read_some();
  }
  co_await read_some();
}

// --- A guard declared in an if's init-statement ends with the if ----------

Task if_init_held() {
  if (std::lock_guard<std::mutex> lk(mu); counter > 0) {
    co_await read_some();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: lock guard 'lk' holds 'mu' across this co_await;
  }
}

Task if_init_scoped() {
  if (std::lock_guard<std::mutex> lk(mu); counter > 0)
    counter--;
  co_await read_some();
}

Task switch_init_scoped() {
  switch (std::lock_guard<std::mutex> lk(mu); counter) {
  case 0:
    counter = 1;
    break;
  default:
    break;
  }
  co_await read_some();
}

// A for loop's guard, dropped around each suspension, ends with the loop.
Task for_init_scoped() {
  for (std::unique_lock<std::mutex> lk(mu); counter < 3; ++counter) {
    lk.unlock();
    co_await read_some();
    lk.lock();
  }
  co_await read_some();
}

Task for_init_held() {
  for (std::unique_lock<std::mutex> lk(mu); counter < 3; ++counter) {
    co_await read_some();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: lock guard 'lk' holds 'mu' across this co_await;
  }
}

// std::lock, then each guard adopts its mutex: both are held.
Task adopted_pair() {
  std::lock(mu, mu2);
  std::lock_guard<std::mutex> a(mu, std::adopt_lock), b(mu2, std::adopt_lock);
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'a' holds 'mu' across this co_await;
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: lock guard 'b' holds 'mu2' across this co_await;
}

// --- co_await inside a larger expression ----------------------------------

Task await_in_expression() {
  std::lock_guard<std::mutex> lk(mu);
  int x = co_await fetch_count() + 1;
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: lock guard 'lk' holds 'mu' across this co_await;
  counter = x;
}

Task await_in_argument() {
  std::lock_guard<std::mutex> lk(mu);
  use(co_await fetch_count());
  // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: lock guard 'lk' holds 'mu' across this co_await;
}

Task await_in_expression_scoped() {
  {
    std::lock_guard<std::mutex> lk(mu);
    counter++;
  }
  int x = co_await fetch_count() + 1;
  use(co_await fetch_count());
  counter = x;
}

ValueTask<int> co_return_await() {
  std::lock_guard<std::mutex> lk(mu);
  co_return co_await fetch_count();
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: lock guard 'lk' holds 'mu' across this co_await;
}

ValueTask<int> co_return_after_unlock() {
  std::unique_lock<std::mutex> lk(mu);
  int snapshot = counter;
  lk.unlock();
  co_return snapshot + co_await fetch_count();
}

// --- Locked by hand --------------------------------------------------------

Task by_hand_unlocked_after() {
  mu.lock();
  counter++;
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'mu' is held across this co_await; the coroutine may resume on another thread, which then releases it, and every thread that needs 'mu' waits for the whole suspension [fearless-guard-across-await]
  mu.unlock();
}

Task by_hand_unlocked_before() {
  mu.lock();
  counter++;
  mu.unlock();
  co_await read_some();
}

// --- std::scoped_lock of two mutexes --------------------------------------

Task scoped_lock_two() {
  std::scoped_lock lk(mu, mu2);
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'lk' holds 'mu' across this co_await;
}

Task scoped_lock_two_scoped() {
  {
    std::scoped_lock lk(mu, mu2);
    counter++;
  }
  co_await read_some();
}

// --- A unique_lock moved away, or moved into another local ----------------

Task moved_into_helper() {
  std::unique_lock<std::mutex> lk(mu);
  counter++;
  adopt(std::move(lk));
  co_await read_some();
}

Task moved_into_local() {
  std::unique_lock<std::mutex> lk(mu);
  counter++;
  std::unique_lock<std::mutex> kept = std::move(lk);
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'kept' holds 'mu' across this co_await;
}

Task moved_into_local_scoped() {
  std::unique_lock<std::mutex> lk(mu);
  {
    std::unique_lock<std::mutex> kept(std::move(lk));
    counter++;
  }
  co_await read_some();
}

Task released_before() {
  std::unique_lock<std::mutex> lk(mu);
  counter++;
  std::mutex *m = lk.release();
  m->unlock();
  co_await read_some();
}

// --- A coroutine lambda inside a function ---------------------------------

void spawn_all(std::vector<Task> &out) {
  auto worker = [&]() -> Task {
    std::lock_guard<std::mutex> lk(mu);
    co_await read_some();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: lock guard 'lk' holds 'mu' across this co_await;
  };
  out.push_back(worker());
  auto fine = [&]() -> Task {
    { std::lock_guard<std::mutex> lk(mu); counter++; }
    co_await read_some();
  };
  out.push_back(fine());
}

// --- A member-function coroutine with a member mutex ----------------------

class Session {
public:
  Task flush() {
    std::lock_guard<std::mutex> lk(mu_);
    pending_.clear();
    co_await read_some();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: lock guard 'lk' holds 'Session::mu_' across this co_await;
  }
  Task flush_scoped() {
    std::vector<std::string> batch;
    {
      std::lock_guard<std::mutex> lk(mu_);
      batch.swap(pending_);
    }
    co_await read_some();
  }

private:
  std::mutex mu_;
  std::vector<std::string> pending_;
};

// --- try/catch around the suspension ---------------------------------------

Task try_held() {
  try {
    std::lock_guard<std::mutex> lk(mu);
    co_await read_some();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: lock guard 'lk' holds 'mu' across this co_await;
  } catch (...) {
    counter = -1;
  }
}

Task try_scoped() {
  try {
    std::lock_guard<std::mutex> lk(mu);
    counter++;
  } catch (...) {
    counter = -1;
  }
  co_await read_some();
}

// --- co_yield of a generator walking shared state --------------------------

Generator<int> yield_under_lock() {
  std::shared_lock<std::shared_mutex> r(rw);
  for (int v : items)
    co_yield v;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: lock guard 'r' holds 'rw' across this co_yield;
}

Generator<int> yield_snapshot() {
  std::vector<int> copy;
  {
    std::shared_lock<std::shared_mutex> r(rw);
    copy = items;
  }
  for (int v : copy)
    co_yield v;
}

// --- A user library's guard, annotated as a scoped capability --------------

class FEARLESS_CAPABILITY("mutex") SpinLock {
public:
  void Lock() FEARLESS_ACQUIRE();
  void Unlock() FEARLESS_RELEASE();
};
class FEARLESS_SCOPED_CAPABILITY SpinLockHolder {
public:
  explicit SpinLockHolder(SpinLock *l) FEARLESS_ACQUIRE(l);
  ~SpinLockHolder() FEARLESS_RELEASE();
  void Release() FEARLESS_RELEASE();
};
SpinLock spin;

Task user_guard_held() {
  SpinLockHolder h(&spin);
  counter++;
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'h' holds 'spin' across this co_await;
}

Task user_guard_released() {
  SpinLockHolder h(&spin);
  counter++;
  h.Release();
  co_await read_some();
}

// --- A worker loop that drops the lock before it waits ----------------------

Task worker_loop() {
  while (true) {
    std::unique_lock<std::mutex> lk(mu);
    if (items.empty()) {
      lk.unlock();
      co_await read_some();
      continue;
    }
    items.pop_back();
  }
}

Task worker_loop_held() {
  while (true) {
    std::unique_lock<std::mutex> lk(mu);
    if (items.empty()) {
      co_await read_some();
      // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: lock guard 'lk' holds 'mu' across this co_await;
      continue;
    }
    items.pop_back();
  }
}

// --- Deferred until after the suspension -----------------------------------

Task deferred_lock() {
  std::unique_lock<std::mutex> lk(mu, std::defer_lock);
  co_await read_some();
  lk.lock();
  counter++;
}

Task deferred_locked_before() {
  std::unique_lock<std::mutex> lk(mu, std::defer_lock);
  lk.lock();
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'lk' holds 'mu' across this co_await;
}

// --- fearless::Mutex: the guard lock() returns ----------------------------

fearless::Mutex<std::vector<int>> queue;

Task fearless_guard_held() {
  auto q = queue.lock();
  q->push_back(1);
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: lock guard 'q' holds 'queue' across this co_await;
}

Task fearless_guard_scoped() {
  {
    auto q = queue.lock();
    q->push_back(1);
  }
  co_await read_some();
}
