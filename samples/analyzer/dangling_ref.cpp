// A reference to a local handed to a thread that may outlive it: Rust
// refuses it with "borrowed value does not live long enough"; fearless
// reports it as fearless-dangling-ref.
#include <thread>
#include <vector>

namespace dangling_ref {

int sum(const std::vector<int> &v) {
  int total = 0;
  for (int x : v)
    total += x;
  return total;
}

// Buggy: the thread is detached, so it may read 'numbers' after
// buggy_borrow() returned and the vector was destroyed.
void buggy_borrow() {
  std::vector<int> numbers{1, 2, 3};
  std::thread worker([&numbers] { (void)sum(numbers); });
  worker.detach();
}

// Correct: std::jthread declared after the vector joins before the vector
// dies (Rust: std::thread::scope).
void correct_borrow() {
  std::vector<int> numbers{1, 2, 3};
  std::jthread worker([&numbers] { (void)sum(numbers); });
}

} // namespace dangling_ref
