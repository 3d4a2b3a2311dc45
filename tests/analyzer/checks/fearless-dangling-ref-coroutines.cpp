// RUN: %check_fearless_tidy %s fearless-dangling-ref %t -- -I%S/Inputs

#include "mini_task.h"
#include "fearless/send_sync.h"
#include <string>
#include <string_view>
#include <vector>

struct Executor {
  void spawn(FEARLESS_SPAWNS Task t);
};
Task sync_wait_helper(Task t);
void sync_wait(Task t);

Task by_ref(const std::string &s) {
  co_await read_some();
  (void)s.size();
}
Task by_view(std::string_view s) {
  co_await read_some();
  (void)s.size();
}
Task by_value(std::string s) {
  co_await read_some();
  (void)s.size();
}

std::string make_name();

struct Service {
  std::vector<Task> tasks_;
  Task pending_;

  void queue_temporary() {
    tasks_.push_back(by_ref(make_name()));
    // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: the temporary bound to reference parameter 's' of coroutine 'by_ref' is destroyed at the end of the statement, but the task is stored in 'tasks_' and runs later [fearless-dangling-ref]
  }

  void store_local() {
    std::string name = make_name();
    pending_ = by_ref(name);
    // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'name' is passed to reference parameter 's' of coroutine 'by_ref', whose task is stored in 'pending_' and may run after 'name' is destroyed [fearless-dangling-ref]
  }

  // By value: the frame has its own copy.
  void by_value_ok() {
    std::string name = make_name();
    pending_ = by_value(name);
    tasks_.push_back(by_value(make_name()));
  }
};

Task returned_view() {
  std::string local = "abc";
  return by_view(local);
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'local' is passed to view parameter 's' of coroutine 'by_view', whose task is returned and may run after 'local' is destroyed [fearless-dangling-ref]
}

Task stored_in_local_temporary() {
  Task t = by_view(std::string("temporary"));
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: the temporary bound to view parameter 's' of coroutine 'by_view' is destroyed at the end of the statement, but the task is stored in 't' and runs later [fearless-dangling-ref]
  co_await t;
}

void spawned(Executor &ex) {
  std::string name = make_name();
  ex.spawn(by_ref(name));
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'name' is passed to reference parameter 's' of coroutine 'by_ref', whose task is handed to 'Executor::spawn' and may run after 'name' is destroyed [fearless-dangling-ref]
}

void lambda_captures(Executor &ex, int n) {
  ex.spawn([n]() -> Task {
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: the captures of this coroutine lambda live in the lambda object, a temporary destroyed at the end of the statement, but its task is handed to 'Executor::spawn' and runs later [fearless-dangling-ref]
    co_await read_some();
    (void)n;
  }());
}

// --- Negative cases -------------------------------------------------------

// Awaited at once: the caller's frame outlives the child.
Task awaited_at_once() {
  std::string local = "abc";
  co_await by_ref(local);
  co_await by_ref(make_name());
  co_await by_view(std::string("temporary"));
}

// Run to completion inside the same statement.
void run_in_statement() {
  sync_wait(by_ref(make_name()));
}

// A task stored in a local next to the local it refers to.
Task local_and_task_together() {
  std::string local = "abc";
  Task t = by_ref(local);
  co_await t;
}

// A string literal is static.
Task view_of_literal() {
  Task t = by_view("static");
  co_await t;
}

// A coroutine lambda without captures, or awaited at once.
void lambda_ok(Executor &ex, int n) {
  ex.spawn([]() -> Task { co_await read_some(); }());
  sync_wait([n]() -> Task {
    co_await read_some();
    (void)n;
  }());
}
