// Built with -fno-exceptions: every primitive works, and an error (here
// lock_nested's subclass out of range, run with an argument) prints its
// message and aborts instead of throwing (fearless/detail/errors.h).
#include "fearless/channel.h"
#include "fearless/condvar.h"
#include "fearless/mutex.h"
#include "fearless/rwlock.h"
#include "fearless/thread.h"
#include "fearless/watched.h"

#include <cstdio>

int main(int argc, char **) {
  fearless::Mutex<int> M(0);
  *M.lock() += 1;
  fearless::RwLock<int> Rw(1);
  auto H = fearless::spawn([] { return 41; });
  int R = H.join();
  auto [Tx, Rx] = fearless::channel<int>();
  (void)Tx.send(1);
  int V = *Rx.recv();
  fearless::scope([&](fearless::Scope &S) { S.spawn([&] { *M.lock() += 1; }); });
  std::printf("no exceptions: %d %d %d %d\n", *M.lock(), *Rw.read(), R, V);
  if (argc > 1)
    (void)M.lock_nested(9);
}
