// Scope::spawn applies the same Send check: a std::shared_ptr to a
// non-thread-safe int is not Send (DESIGN.md section 3).
#include "fearless/thread.h"

#include <memory>

int main() {
  auto shared = std::make_shared<int>(0);
  fearless::scope([&](fearless::Scope &s) {
    s.spawn([](std::shared_ptr<int> p) { ++*p; }, shared);
  });
}
// EXPECT-ERROR: fearless: spawn argument is not Send
// EXPECT-ERROR: SpawnArgumentMustBeSend<std::shared_ptr<int>
