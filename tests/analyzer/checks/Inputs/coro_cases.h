// Task types of executor libraries beyond mini_task.h's, reduced to what
// the analyzer sees: a task with a result (cppcoro::task<T>,
// folly::coro::Task<T>, asio::awaitable<T>), a task that can be detached
// (folly's start(), libunifex's spawn), and a pool that runs callbacks on
// its worker threads.
#pragma once
#include "mini_task.h"
#include "fearless/send_sync.h"
#include <functional>

template <class T> struct ValueTask {
  struct promise_type {
    ValueTask get_return_object() { return {}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(T) {}
    void unhandled_exception() { std::terminate(); }
  };
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  T await_resume() const noexcept { return T{}; }
};

// A task that may be started and left running.
struct DetachableTask {
  struct promise_type {
    DetachableTask get_return_object() { return {}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<>) const noexcept {}
  void await_resume() const noexcept {}
  void detach();
};

ValueTask<int> fetch_count();

// A pool whose post() runs the callback on one of its worker threads.
struct WorkerPool {
  void post(FEARLESS_SPAWNS std::function<void()> fn);
};
extern WorkerPool workers;
