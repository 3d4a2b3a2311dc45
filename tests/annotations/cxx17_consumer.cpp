// A C++17 program that links the CMake target fearless::annotations: the
// target must not raise the language level (it once carried cxx_std_20), and
// the annotations work at C++17 (tests/CMakeLists.txt).
#include "fearless/annotations.h"

#include <cstdio>
#include <mutex>

static_assert(__cplusplus == 201703L, "fearless::annotations raised the language level");

namespace {

class Counter {
public:
  int bump() {
    std::lock_guard<std::mutex> lock(mu_);
    return ++hits_;
  }

private:
  std::mutex mu_;
  int hits_ FEARLESS_GUARDED_BY(mu_) = 0;
};

class Handle {
  FEARLESS_NOT_SEND; // thread-affine
};

static_assert(!fearless::is_send_v<Handle>, "a marker is seen at C++17");
static_assert(fearless::is_thread_safe_v<std::mutex>, "the table is seen at C++17");

} // namespace

int main() {
  Counter c;
  c.bump();
  std::printf("C++17 consumer: __cplusplus=%ld\n", static_cast<long>(__cplusplus));
  return c.bump() == 2 ? 0 : 1;
}
