// RUN: %check_fearless_tidy %s fearless-send %t -- -I%S/Inputs

// Every note of one finding: why the type is not Send, where the value was
// declared, and why the coroutine may change threads.
#include "mini_task.h"
#include "fearless/send_sync.h"

struct Rc {
  FEARLESS_NOT_SEND;
  int *count = nullptr;
};

struct Executor {
  void spawn(FEARLESS_SPAWNS Task t);
};

Task spawned_task() {
  Rc rc;
  co_await read_some();
  // CHECK-NOTES: :[[@LINE-1]]:3: warning: local 'rc' of type 'Rc', which is not Send, is alive across this co_await, and the coroutine may resume on another thread [fearless-send]
  // CHECK-MESSAGES: :[[@LINE-2]]:3: warning: local 'rc' of type 'Rc', which is not Send, is alive across this co_await, and the coroutine may resume on another thread [fearless-send]
  // CHECK-NOTES: :[[@LINE-14]]:8: note: 'Rc' is not Send: it is marked FEARLESS_NOT_SEND
  // CHECK-NOTES: :[[@LINE-5]]:6: note: 'rc' declared here
  // CHECK-NOTES: :[[@LINE+4]]:37: note: the coroutine may resume on another thread: it is handed to 'Executor::spawn'
  (void)rc;
}

void start(Executor &ex) { ex.spawn(spawned_task()); }
