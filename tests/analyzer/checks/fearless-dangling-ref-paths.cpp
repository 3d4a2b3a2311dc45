// RUN: %check_fearless_tidy %s fearless-dangling-ref %t
// A std::thread may borrow a local when join() is reached on every path of
// the control-flow graph from the spawn to the end of the referent's life.
// The notes name the path that does not join.

#include <cstdlib>
#include <stdexcept>
#include <thread>
#include <vector>

void use(int) {}

// Negative: a join in both branches of an if.
void joined_in_both_branches(bool fast) {
  int local = 0;
  std::thread t([&local] { use(local); });
  if (fast) {
    t.join();
  } else {
    use(1);
    t.join();
  }
}

void joined_in_one_branch(bool fast) {
  int local = 0;
  std::thread t([&local] { use(local); });
  // CHECK-NOTES: :[[@LINE-1]]:19: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:19: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  // CHECK-NOTES: :[[@LINE-3]]:15: note: 't' is not joined on every path before 'local' is destroyed
  // CHECK-NOTES: :[[@LINE-5]]:7: note: 'local' is a local variable declared here
  if (fast) {
    t.join();
  } else {
    use(1);
  }
}

// Negative: every case of the switch joins.
void joined_in_every_case(int mode) {
  int local = 0;
  std::thread t([&local] { use(local); });
  switch (mode) {
  case 0:
    t.join();
    break;
  default:
    t.join();
    break;
  }
}

void early_return_between(bool fail) {
  int local = 0;
  std::thread t([&local] { use(local); });
  // CHECK-NOTES: :[[@LINE-1]]:19: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:19: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  // CHECK-NOTES: :[[@LINE+3]]:5: note: this path leaves the block without joining 't'
  // CHECK-NOTES: :[[@LINE-5]]:7: note: 'local' is a local variable declared here
  if (fail)
    return;
  t.join();
}

void throw_between(bool fail) {
  int local = 0;
  std::thread t([&local] { use(local); });
  // CHECK-NOTES: :[[@LINE-1]]:19: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:19: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  // CHECK-NOTES: :[[@LINE+3]]:5: note: this path leaves the block without joining 't'
  // CHECK-NOTES: :[[@LINE-5]]:7: note: 'local' is a local variable declared here
  if (fail)
    throw std::runtime_error("fail");
  t.join();
}

// Negative: the exception is caught before the join.
void throw_caught_before_join(bool fail) {
  int local = 0;
  std::thread t([&local] { use(local); });
  try {
    if (fail)
      throw std::runtime_error("fail");
  } catch (const std::exception &) {
  }
  t.join();
}

// Negative: a path that ends the process does not end the referent's life
// first.
void abort_between(bool fail) {
  int local = 0;
  std::thread t([&local] { use(local); });
  if (fail)
    std::abort();
  t.join();
}

void goto_past_join(bool skip) {
  int local = 0;
  {
    std::thread t([&local] { use(local); });
    // CHECK-NOTES: :[[@LINE-1]]:21: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
    // CHECK-MESSAGES: :[[@LINE-2]]:21: warning: 'local' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
    // CHECK-NOTES: :[[@LINE+3]]:7: note: this path leaves the block without joining 't'
    // CHECK-NOTES: :[[@LINE-6]]:7: note: 'local' is a local variable declared here
    if (skip)
      goto done;
    t.join();
  }
done:
  use(local);
}

// Negative: a break of a loop inside the thread's block is not an exit.
void loop_between(int n) {
  int local = 0;
  std::thread t([&local] { use(local); });
  for (int i = 0; i < n; ++i)
    if (i == 3)
      break;
  t.join();
}

// Negative: the referent is declared after the thread but the thread is
// joined before either dies.
void referent_declared_after_thread() {
  std::thread t;
  int later = 0;
  t = std::thread([&later] { use(later); });
  t.join();
}

void referent_dies_in_inner_block() {
  std::thread t;
  {
    int inner = 0;
    t = std::thread([&inner] { use(inner); });
    // CHECK-NOTES: :[[@LINE-1]]:23: warning: 'inner' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
    // CHECK-MESSAGES: :[[@LINE-2]]:23: warning: 'inner' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
    // CHECK-NOTES: :[[@LINE+2]]:3: note: 'inner' goes out of scope here before 't' is joined
    // CHECK-NOTES: :[[@LINE-5]]:9: note: 'inner' is a local variable declared here
  }
  t.join();
}

// Negative: joined in a nested block and in a loop over the container.
void joined_in_nested_block() {
  int local = 0;
  std::thread t([&local] { use(local); });
  {
    use(2);
    t.join();
  }
}

void pool_joined_after_early_return(bool fail) {
  std::vector<int> results(4);
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i)
    workers.emplace_back([&results, i] { results[i] = i; });
  // CHECK-NOTES: :[[@LINE-1]]:28: warning: 'results' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:28: warning: 'results' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  // CHECK-NOTES: :[[@LINE+3]]:5: note: this path leaves the block without joining 'workers'
  // CHECK-NOTES: :[[@LINE-7]]:20: note: 'results' is a local variable declared here
  if (fail)
    return;
  for (auto &w : workers)
    w.join();
}
