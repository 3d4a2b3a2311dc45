// An exception in a thread surfaces at join() (Rust: a panic surfaces as
// Err from join), and a Mutex held while it was thrown is poisoned.
#include "fearless/mutex.h"
#include "fearless/thread.h"

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

int main() {
  auto log = std::make_shared<fearless::Mutex<std::vector<int>>>();
  auto h = fearless::Builder().name("parser").spawn([log] {
    auto g = log->lock();
    g->push_back(1);
    throw std::runtime_error("bad input on line 3"); // while holding the lock
  });

  std::string name(h.name());
  try {
    h.join();
  } catch (const std::runtime_error &e) {
    std::printf("join rethrew from thread '%s': %s\n", name.c_str(), e.what());
  }

  try {
    (void)log->lock();
  } catch (const fearless::PoisonError &) {
    auto g = log->lock(fearless::ignore_poison); // look at it anyway
    std::printf("mutex poisoned; it holds %zu entry, clearing poison\n",
                g->size());
  }
  log->clear_poison();
  return log->is_poisoned() ? 1 : 0;
}
