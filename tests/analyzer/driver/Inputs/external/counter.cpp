// A shared library built on the static runtime: the runtime must be
// position-independent (its thread-locals and globals relocate).
#include "fearless/mutex.h"
#include "fearless/thread.h"

int bump_twice() {
  static fearless::Mutex<int> Count(0);
  auto H = fearless::spawn([] { *Count.lock() += 1; });
  H.join();
  auto G = Count.lock();
  return ++*G;
}
