// A spawned callable's result crosses back to the joining thread: it must
// be Send too.
#include "fearless/thread.h"

struct Session {
  FEARLESS_NOT_SEND; // tied to the thread that opened it
};

int main() {
  auto t = fearless::spawn([] { return Session{}; });
  (void)t.join();
}
// EXPECT-ERROR: fearless: spawned callable's result is not Send
// EXPECT-ERROR: SpawnResultMustBeSend<Session>
