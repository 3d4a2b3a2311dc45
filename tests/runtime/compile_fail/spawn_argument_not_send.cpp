// spawn() refuses an argument whose type is not Send, naming the type.
#include "fearless/thread.h"

struct ThreadAffineHandle {
  FEARLESS_NOT_SEND; // e.g. wraps a thread-local resource
  int fd = 0;
};

int main() {
  ThreadAffineHandle h;
  auto t = fearless::spawn([](ThreadAffineHandle) {}, h);
  t.join();
}
// EXPECT-ERROR: fearless: spawn argument is not Send
// EXPECT-ERROR: SpawnArgumentMustBeSend<ThreadAffineHandle>
