// RUN: %check_fearless_tidy %s fearless-dangling-ref %t -- -I%S/Inputs

// Coroutine tasks that outlive what they refer to, as callers write them:
// each case beside its correct twin.
#include "coro_cases.h"
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct Executor {
  void spawn(FEARLESS_SPAWNS Task t);
};
std::string make_name();

DetachableTask log_line(const std::string &line) {
  co_await read_some();
  (void)line.size();
}
DetachableTask log_copy(std::string line) {
  co_await read_some();
  (void)line.size();
}
Task sum(std::span<const int> values) {
  co_await read_some();
  (void)values.size();
}
Task sum_copy(std::vector<int> values) {
  co_await read_some();
  (void)values.size();
}
Task greet(std::string_view who) {
  co_await read_some();
  (void)who.size();
}

// --- Detached with a temporary ---------------------------------------------

void detach_temporary() {
  log_line(make_name()).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: the temporary bound to reference parameter 'line' of coroutine 'log_line' is destroyed at the end of the statement, but the task is started by 'detach()' and left running and runs later [fearless-dangling-ref]
}

void detach_by_value() {
  log_copy(make_name()).detach();
}

Task awaited_temporary() {
  co_await log_line(make_name());
}

// --- A span of a local vector, the task returned ----------------------------

Task span_of_local() {
  std::vector<int> values{1, 2, 3};
  return sum(values);
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'values' is passed to view parameter 'values' of coroutine 'sum', whose task is returned and may run after 'values' is destroyed [fearless-dangling-ref]
}

Task vector_by_value() {
  std::vector<int> values{1, 2, 3};
  return sum_copy(values);
}

// --- A string_view of a temporary, spawned ---------------------------------

void spawn_view_of_temporary(Executor &ex) {
  ex.spawn(greet(make_name()));
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: the temporary bound to view parameter 'who' of coroutine 'greet' is destroyed at the end of the statement, but the task is handed to 'Executor::spawn' and runs later [fearless-dangling-ref]
}

void spawn_view_of_literal(Executor &ex) {
  ex.spawn(greet("static"));
}

// --- A named coroutine lambda with by-reference captures, spawned ----------

void spawn_named_lambda(Executor &ex, std::vector<int> &out) {
  int total = 0;
  auto work = [&]() -> Task {
    co_await read_some();
    out.push_back(total);
  };
  ex.spawn(work());
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: the captures of this coroutine lambda live in the lambda object 'work', which is destroyed at the end of its scope, but its task is handed to 'Executor::spawn' and runs later [fearless-dangling-ref]
}

Task await_named_lambda(std::vector<int> &out) {
  int total = 0;
  auto work = [&]() -> Task {
    co_await read_some();
    out.push_back(total);
  };
  co_await work();
}

// --- A task kept in a local first, then moved into a member ----------------

void sync_wait(Task t);

struct Sessions {
  std::vector<Task> tasks_;

  void start(const std::string &peer) {
    std::string name = peer + ":1";
    Task t = greet(name);
    // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 'name' is passed to view parameter 'who' of coroutine 'greet', whose task is stored in 'tasks_' and may run after 'name' is destroyed [fearless-dangling-ref]
    tasks_.push_back(std::move(t));
  }

  void run_here(const std::string &peer) {
    std::string name = peer + ":1";
    Task t = greet(name);
    sync_wait(std::move(t));
  }
};

// --- Fan-out: tasks collected in a local vector, then awaited together -----

Task when_all(std::vector<Task> tasks);

// Each key dies at the end of its iteration, before when_all runs the tasks.
Task fan_out_per_iteration(std::vector<std::string> names) {
  std::vector<Task> tasks;
  for (const std::string &n : names) {
    std::string key = n + "/status";
    tasks.push_back(greet(key));
    // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: 'key' is passed to view parameter 'who' of coroutine 'greet', whose task is stored in 'tasks' and may run after 'key' is destroyed [fearless-dangling-ref]
  }
  co_await when_all(std::move(tasks));
}

// The key lives as long as the tasks are awaited.
Task fan_out_same_scope(std::vector<std::string> names) {
  std::vector<Task> tasks;
  std::string key = names.front() + "/status";
  tasks.push_back(greet(key));
  tasks.push_back(greet(names.back()));
  co_await when_all(std::move(tasks));
}

// A closure per iteration, its tasks awaited after the loop.
Task fan_out_closures(std::vector<std::string> names) {
  std::vector<Task> tasks;
  for (const std::string &n : names) {
    auto fetch = [&n]() -> Task {
      co_await read_some();
      (void)n.size();
    };
    tasks.push_back(fetch());
    // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: the captures of this coroutine lambda live in the lambda object 'fetch', which is destroyed at the end of its scope, but its task is stored in 'tasks' and runs later [fearless-dangling-ref]
  }
  co_await when_all(std::move(tasks));
}

Task fan_out_one_closure(std::vector<std::string> names) {
  std::vector<Task> tasks;
  auto fetch = [&names]() -> Task {
    co_await read_some();
    (void)names.size();
  };
  tasks.push_back(fetch());
  co_await when_all(std::move(tasks));
}
