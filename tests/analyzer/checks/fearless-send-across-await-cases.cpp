// RUN: %check_fearless_tidy %s fearless-send %t -- -I%S/Inputs

// Awaitables that resume the coroutine on another thread without an
// annotation: their await_suspend hands the coroutine handle to a thread
// (cppreference's resume_on_new_thread, an executor's post()).
#include "coro_cases.h"
#include <thread>

// Thread-affine: a non-atomic reference count.
struct Rc {
  FEARLESS_NOT_SEND;
  int *count = nullptr;
};

// Resumes the coroutine on a new thread.
struct ResumeOnNewThread {
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    std::thread([h] { h.resume(); }).detach();
  }
  void await_resume() const noexcept {}
};

// Resumes it on one of the pool's workers.
struct ScheduleOn {
  WorkerPool &pool;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    pool.post([h] { h.resume(); });
  }
  void await_resume() const noexcept {}
};
ScheduleOn schedule_on(WorkerPool &p) { return {p}; }

// Resumes it right here, on the awaiting thread.
struct ResumeInline {
  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<>) { return false; }
  void await_resume() const noexcept {}
};

Task hops_to_new_thread() {
  Rc rc;
  co_await ResumeOnNewThread{};
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: local 'rc' of type 'Rc', which is not Send, is alive across this co_await, and the coroutine may resume on another thread [fearless-send]
  (void)rc;
}

Task new_thread_after_scope() {
  {
    Rc rc;
    (void)rc;
  }
  co_await ResumeOnNewThread{};
}

Task hops_to_pool(Rc rc) {
  co_await schedule_on(workers);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: parameter 'rc' of type 'Rc', which is not Send, is alive across this co_await, and the coroutine may resume on another thread [fearless-send]
  (void)rc;
}

Task hops_to_pool_nothing_kept(int n) {
  co_await schedule_on(workers);
  (void)n;
}

Task stays_inline() {
  Rc rc;
  co_await ResumeInline{};
  (void)rc;
}

// An executor library's awaiter template: one per executor type.
template <class Pool> struct ScheduleOnT {
  Pool &pool;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    pool.post([h] { h.resume(); });
  }
  void await_resume() const noexcept {}
};

Task hops_via_template() {
  Rc rc;
  co_await ScheduleOnT<WorkerPool>{workers};
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: local 'rc' of type 'Rc', which is not Send, is alive across this co_await, and the coroutine may resume on another thread [fearless-send]
  (void)rc;
}

Task via_template_after_scope() {
  {
    Rc rc;
    (void)rc;
  }
  co_await ScheduleOnT<WorkerPool>{workers};
}
