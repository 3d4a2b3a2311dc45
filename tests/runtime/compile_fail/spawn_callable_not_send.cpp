// spawn() refuses a callable whose type is not Send, naming the type.
#include "fearless/thread.h"

struct PinnedJob {
  FEARLESS_NOT_SEND; // must run on the thread that created it
  void operator()() const {}
};

int main() {
  auto t = fearless::spawn(PinnedJob{});
  t.join();
}
// EXPECT-ERROR: fearless: spawned callable is not Send
// EXPECT-ERROR: SpawnedCallableMustBeSend<PinnedJob>
