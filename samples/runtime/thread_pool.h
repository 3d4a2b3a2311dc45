// thread_pool.h - the Rust book's thread pool with a job channel, used by
// samples/runtime/thread_pool.cpp and its buggy twin.
//
// Workers share the receiving end behind a Mutex and take one job at a
// time; destroying the pool closes the channel, so each worker's recv()
// fails and the worker returns, and joins them.
//
// Rust:
//   let receiver = Arc::new(Mutex::new(receiver));
//   thread::spawn(move || loop {
//       match receiver.lock().unwrap().recv() { Ok(job) => job(), Err(_) =>
//       break }
//   });
#ifndef FEARLESS_SAMPLES_THREAD_POOL_H_
#define FEARLESS_SAMPLES_THREAD_POOL_H_

#include "fearless/annotations.h"
#include "fearless/channel.h"
#include "fearless/mutex.h"
#include "fearless/thread.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samples {

using Job = std::function<void()>;

class ThreadPool {
public:
  explicit ThreadPool(int size) {
    auto [tx, rx] = fearless::channel<Job>();
    sender_.emplace(std::move(tx));
    auto receiver = std::make_shared<fearless::Mutex<fearless::Receiver<Job>>>(
        std::move(rx));
    for (int id = 0; id < size; ++id)
      workers_.push_back(fearless::Builder()
                             .name("worker " + std::to_string(id))
                             .spawn([receiver] {
                               for (;;) {
                                 // The guard is a temporary: unlocked before
                                 // the job runs. Waiting for a job with it
                                 // held is the Rust book's design: one idle
                                 // worker waits on the channel, the others
                                 // for the lock.
                                 // NOLINTNEXTLINE(fearless-blocking-under-lock)
                                 auto job = receiver->lock()->recv();
                                 if (!job)
                                   return; // the pool is gone
                                 (*job)();
                               }
                             }));
  }
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  // Runs `job` on some worker, later: it must not borrow the caller's
  // locals (FEARLESS_SPAWNS tells the analyzer so; Rust: F: 'static).
  void execute(FEARLESS_SPAWNS Job job) {
    sender_->send(std::move(job)).value();
  }

  ~ThreadPool() {
    sender_.reset(); // closes the channel
    for (auto &w : workers_)
      w.join();
  }

private:
  std::optional<fearless::Sender<Job>> sender_;
  std::vector<fearless::JoinHandle<void>> workers_;
};

} // namespace samples

#endif // FEARLESS_SAMPLES_THREAD_POOL_H_
