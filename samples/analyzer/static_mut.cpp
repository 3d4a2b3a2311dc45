// A mutable global used from a spawned thread: Rust requires `unsafe` for
// every use of a `static mut`; fearless reports it as fearless-static-mut.
#include <atomic>
#include <thread>

namespace static_mut {

int requests = 0;
std::atomic<int> served{0};

void handle_request() { ++requests; }
void handle_request_safely() { ++served; }

// Buggy: the worker and the caller may both change 'requests' at once.
void buggy_global() {
  std::thread worker(handle_request);
  handle_request();
  worker.join();
}

// Correct: an atomic global.
void correct_global() {
  std::thread worker(handle_request_safely);
  handle_request_safely();
  worker.join();
}

} // namespace static_mut
