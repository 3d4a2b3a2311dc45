// A tiny coroutine executor for the async samples (samples/runtime and
// samples/buggy async_tasks.cpp): what tokio's multi-threaded runtime does,
// reduced to two worker threads that resume the coroutines posted to them.
//
//   co_await worker.schedule();   // the rest of the coroutine runs on `worker`
//
// Workers are fearless threads fed by a fearless channel; the awaitable is
// marked FEARLESS_RESUMES_ELSEWHERE so that the analyzer knows a coroutine
// may change threads there.
#pragma once
#include "fearless/channel.h"
#include "fearless/thread.h"
#include "fearless/send_sync.h"

#include <coroutine>
#include <exception>
#include <optional>
#include <string>
#include <utility>

class Worker {
public:
  explicit Worker(std::string name) {
    auto [tx, rx] = fearless::channel<std::coroutine_handle<>>();
    tx_.emplace(std::move(tx));
    thread_.emplace(fearless::Builder().name(std::move(name)).spawn(
        [rx = std::move(rx)]() mutable {
          for (std::coroutine_handle<> h : rx)
            h.resume();
        }));
  }
  // Closes the queue and waits for the worker to run what was posted.
  ~Worker() {
    tx_.reset();
    thread_->join();
  }

  // Resumes the awaiting coroutine on this worker's thread.
  struct FEARLESS_RESUMES_ELSEWHERE Schedule {
    Worker *worker;
    bool await_ready() const noexcept { return false; }
    // If the worker is gone (its receiver dropped), the task goes on here.
    void await_suspend(std::coroutine_handle<> h) const {
      if (!worker->tx_->send(h))
        h.resume();
    }
    void await_resume() const noexcept {}
  };
  Schedule schedule() { return {this}; }

private:
  std::optional<fearless::Sender<std::coroutine_handle<>>> tx_;
  std::optional<fearless::JoinHandle<void>> thread_;
};

// A task that starts at once and frees itself when it finishes (what
// tokio::spawn hands back, without the join handle).
struct Detached {
  struct promise_type {
    Detached get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() {}
    void unhandled_exception() { std::terminate(); }
  };
};
