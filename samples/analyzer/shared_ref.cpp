// A counter shared by reference between threads without synchronisation:
// Rust refuses it (a `&mut` cannot be shared, and `Cell<i32>` is not Sync);
// fearless reports it as fearless-shared-ref.
#include <atomic>
#include <thread>

namespace shared_ref {

// Buggy: two threads increment a plain int at the same time (a data race).
int buggy_counter() {
  int hits = 0;
  std::thread a([&hits] { ++hits; });
  std::thread b([&hits] { ++hits; });
  a.join();
  b.join();
  return hits;
}

// Correct: an atomic counter (Rust: AtomicUsize).
int correct_counter() {
  std::atomic<int> hits{0};
  std::thread a([&hits] { ++hits; });
  std::thread b([&hits] { ++hits; });
  a.join();
  b.join();
  return hits;
}

} // namespace shared_ref
