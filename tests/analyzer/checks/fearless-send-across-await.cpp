// RUN: %check_fearless_tidy %s fearless-send %t -- -I%S/Inputs
// RUN: %check_fearless_tidy -check-suffix=ALL %s fearless-send %t \
// RUN:   --config="{CheckOptions: {fearless-send.CoroutinesResumeElsewhere: true}}" -- -I%S/Inputs
// RUN: %check_fearless_tidy -check-suffix=LISTED %s fearless-send %t \
// RUN:   --config="{CheckOptions: {ResumesElsewhere: '::Pool::schedule'}}" -- -I%S/Inputs

#include "mini_task.h"
#include "fearless/send_sync.h"
#include <functional>
#include <memory>
#include <string>

// Thread-affine: a non-atomic reference count.
struct Rc {
  FEARLESS_NOT_SEND;
  int *count = nullptr;
};

// An executor whose spawn runs the task on a worker thread.
struct Executor {
  void spawn(FEARLESS_SPAWNS Task t);
};

// A pool's schedule(): the coroutine resumes on one of the pool's threads.
struct FEARLESS_RESUMES_ELSEWHERE ScheduleOnPool {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const noexcept {}
};
struct Pool {
  ScheduleOnPool switch_to();
  ReadSome schedule();
};
Pool pool;

// Alive across a co_await that resumes on the pool.
Task hops_to_pool() {
  Rc rc;
  co_await pool.switch_to();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: local 'rc' of type 'Rc', which is not Send, is alive across this co_await, and the coroutine may resume on another thread [fearless-send]
  // CHECK-MESSAGES-ALL: :[[@LINE-2]]:3: warning: local 'rc' of type 'Rc', which is not Send, is alive across this co_await
  // CHECK-MESSAGES-LISTED: :[[@LINE-3]]:3: warning: local 'rc' of type 'Rc', which is not Send, is alive across this co_await
  (void)rc;
}

// Gone before the suspension: its block ended.
Task gone_before_await() {
  {
    Rc rc;
    (void)rc;
  }
  co_await pool.switch_to();
}

// Moved away before the suspension.
void consume(Rc);
Task moved_before_await() {
  Rc rc;
  consume(std::move(rc));
  co_await pool.switch_to();
}

// A non-Send local in a task handed to a spawner: every suspension counts.
Task spawned_task(int n) {
  Rc rc;
  co_await read_some();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: local 'rc' of type 'Rc', which is not Send, is alive across this co_await, and the coroutine may resume on another thread [fearless-send]
  // CHECK-MESSAGES-ALL: :[[@LINE-2]]:3: warning: local 'rc' of type 'Rc'
  // CHECK-MESSAGES-LISTED: :[[@LINE-3]]:3: warning: local 'rc' of type 'Rc'
  (void)rc;
  (void)n;
}

void start(Executor &ex) {
  ex.spawn(spawned_task(1));
}

// Not spawned, no awaitable that resumes elsewhere: stays on its thread
// (reported only when every coroutine is declared multi-threaded).
Task single_threaded() {
  Rc rc;
  co_await read_some();
  // CHECK-MESSAGES-ALL: :[[@LINE-1]]:3: warning: local 'rc' of type 'Rc', which is not Send, is alive across this co_await
  (void)rc;
}

// A by-value parameter lives in the frame.
Task param_in_frame(Rc rc) {
  co_await pool.switch_to();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: parameter 'rc' of type 'Rc', which is not Send, is alive across this co_await
  // CHECK-MESSAGES-ALL: :[[@LINE-2]]:3: warning: parameter 'rc' of type 'Rc'
  // CHECK-MESSAGES-LISTED: :[[@LINE-3]]:3: warning: parameter 'rc' of type 'Rc'
  (void)rc;
}

// Send values are fine anywhere.
Task send_values() {
  std::string s = "x";
  std::unique_ptr<int> p = std::make_unique<int>(1);
  co_await pool.switch_to();
  (void)s;
  (void)p;
}

// An awaitable listed in ResumesElsewhere.
Task listed_awaitable() {
  Rc rc;
  co_await pool.schedule();
  // CHECK-MESSAGES-LISTED: :[[@LINE-1]]:3: warning: local 'rc' of type 'Rc', which is not Send, is alive across this co_await
  // CHECK-MESSAGES-ALL: :[[@LINE-2]]:3: warning: local 'rc' of type 'Rc'
  (void)rc;
}
