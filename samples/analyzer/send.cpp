// A value that is not Send moved into another thread: Rust refuses it with
// "`Rc<i32>` cannot be sent between threads safely"; fearless reports it as
// fearless-send, with the chain of members that makes it so.
#include "fearless/annotations.h"

#include <atomic>
#include <memory>
#include <thread>

namespace send {

// A reference-counted handle whose count is not atomic (like Rust's Rc).
class Handle {
  FEARLESS_NOT_SEND; // the count is not atomic

public:
  Handle() : count_(new long(1)) {}
  Handle(const Handle &other) : count_(other.count_) { ++*count_; }
  Handle &operator=(const Handle &) = delete;
  ~Handle() {
    if (--*count_ == 0)
      delete count_;
  }

private:
  long *count_;
};

struct Job {
  int id = 0;
  Handle owner;
};

// Buggy: both threads change the non-atomic count when they copy or destroy
// the handle.
void buggy_send() {
  Job job;
  std::thread worker([job] { (void)job.id; });
  worker.join();
}

// Correct: share ownership through a thread-safe count (Rust: Arc).
struct SharedJob {
  int id = 0;
  std::shared_ptr<std::atomic<long>> progress;
};
void correct_send() {
  SharedJob job{1, std::make_shared<std::atomic<long>>(0)};
  std::thread worker([job] { ++*job.progress; });
  worker.join();
}

} // namespace send
