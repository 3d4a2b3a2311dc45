// The tracker finds a deadlock that did not happen: two threads take the
// same two mutexes in opposite orders, one after the other, so this run
// never hangs, but the next run with different timing could. fearless
// reports the inversion the first time both orders have been seen
// ("fearless: possible deadlock (lock-order inversion)", on stderr).
//
// The fix is one order everywhere, or fearless::lock_all(accounts, audit).
#include "fearless/mutex.h"
#include "fearless/thread.h"

#include <cstdio>

int main() {
  fearless::Mutex<long> accounts(100);
  fearless::Mutex<int> audit(0);

  // Buggy: transfer takes accounts then audit; review takes audit then
  // accounts. (Scoped threads may borrow the locals; each scope joins its
  // thread, so the two never overlap in this run.)
  fearless::scope([&](fearless::Scope &s) {
    s.builder().name("transfer").spawn([&] {
      auto a = accounts.lock();
      auto log = audit.lock();
      *a -= 10;
      *log += 1;
    });
  });
  fearless::scope([&](fearless::Scope &s) {
    s.builder().name("review").spawn([&] {
      auto log = audit.lock();
      auto a = accounts.lock(); // the opposite order: reported
      *log += *a > 0;
    });
  });

  // Correct: both mutexes at once, in fearless's global order.
  {
    auto [a, log] = fearless::lock_all(accounts, audit);
    std::printf("balance %ld after %d audited operations\n", *a, *log);
  }
  return 0;
}
