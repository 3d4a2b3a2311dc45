// RUN: %check_fearless_tidy %s fearless-dangling-ref %t
//
// An RPC or observer layer takes a std::function and runs it later, on its
// own thread: a local captured by reference into the lambda behind that
// std::function dangles once the function returns -- whether the lambda is
// passed directly, through a variable of lambda type, or through a
// std::function variable, copy, move or temporary made from it. Before,
// only the first two were seen.
#include <functional>
#include <string>
#include <thread>
#include <utility>

#include "fearless/annotations.h"

struct Rpc {
  void call(FEARLESS_SPAWNS std::function<void()> done);
};

void lambda_direct(Rpc &rpc) {
  std::string reply;
  rpc.call([&reply] { reply = "ok"; });
  // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: 'reply' is captured by reference into a thread started by 'Rpc::call', which may outlive it [fearless-dangling-ref]
}
void function_variable(Rpc &rpc) {
  std::string reply;
  std::function<void()> done = [&reply] { reply = "ok"; };
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: 'reply' is captured by reference into a thread started by 'Rpc::call', which may outlive it [fearless-dangling-ref]
  rpc.call(done);
}
void function_moved(Rpc &rpc) {
  std::string reply;
  std::function<void()> done = [&reply] { reply = "ok"; };
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: 'reply' is captured by reference into a thread started by 'Rpc::call', which may outlive it [fearless-dangling-ref]
  rpc.call(std::move(done));
}
void function_temporary(Rpc &rpc) {
  std::string reply;
  rpc.call(std::function<void()>([&reply] { reply = "ok"; }));
  // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: 'reply' is captured by reference into a thread started by 'Rpc::call', which may outlive it [fearless-dangling-ref]
}

// Negative: captured by value.
void by_value(Rpc &rpc) {
  std::string reply = "pending";
  std::function<void()> done = [reply] { (void)reply.size(); };
  rpc.call(done);
}
// Negative: a std::function run by a thread that is joined before the
// local dies.
void joined() {
  int count = 0;
  std::function<void()> work = [&count] { ++count; };
  std::thread t(work);
  t.join();
}
// Positive beside it: the same thread detached.
void detached() {
  int count = 0;
  std::function<void()> work = [&count] { ++count; };
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: 'count' is captured by reference into a thread started by 'std::thread', which may outlive it [fearless-dangling-ref]
  std::thread t(work);
  t.detach();
}
