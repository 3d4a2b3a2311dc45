// RUN: %check_fearless_tidy %s fearless-dangling-ref %t \
// RUN:   --config="{CheckOptions: {fearless-dangling-ref.SpawnFunctions: '::ThreadPool::submit:0; ::post:1'}}"

#include "fearless/annotations.h"

#include <functional>

class ThreadPool {
public:
  void submit(std::function<void()> job) {}
};
void post(int priority, std::function<void()> job) {}

class Executor {
public:
  void run(FEARLESS_SPAWNS std::function<void()> job) {}
};

void use(int) {}

void pool_borrows_local(ThreadPool &pool) {
  int local = 0;
  pool.submit([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: 'local' is captured by reference into a thread started by 'ThreadPool::submit', which may outlive it [fearless-dangling-ref]
}

void post_borrows_local() {
  int local = 0;
  post(1, [&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'local' is captured by reference into a thread started by 'post', which may outlive it [fearless-dangling-ref]
}

void annotated_borrows_local(Executor &ex) {
  int local = 0;
  ex.run([&local] { use(local); });
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 'local' is captured by reference into a thread started by 'Executor::run', which may outlive it [fearless-dangling-ref]
}

// Negative: by copy.
void pool_copies(ThreadPool &pool) {
  int local = 0;
  pool.submit([local] { use(local); });
}
