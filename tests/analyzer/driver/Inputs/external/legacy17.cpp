// A C++17 target on the installed fearless::annotations stays C++17: the
// installed target asks for no language level (the runtime's asks for C++20).
#include <fearless/annotations.h>

#include <mutex>

static_assert(__cplusplus == 201703L, "fearless::annotations raised the language level");

struct Counter {
  std::mutex mu;
  int hits FEARLESS_GUARDED_BY(mu) = 0;
};

int main() {
  Counter c;
  std::lock_guard<std::mutex> lock(c.mu);
  return c.hits;
}
