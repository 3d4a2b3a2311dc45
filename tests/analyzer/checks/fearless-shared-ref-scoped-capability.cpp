// RUN: %check_fearless_tidy %s fearless-shared-ref %t

// Every lock the lock vocabulary knows counts as synchronisation: a class
// annotated as a scoped capability (Abseil's MutexLock shape) guards the
// shared counter as std::lock_guard would. The held locks come from the
// unit model, the same walk every check uses.
#include <thread>
#include "fearless/thread_safety.h"
class FEARLESS_CAPABILITY("mutex") Mu {
public:
  void Lock() FEARLESS_ACQUIRE();
  void Unlock() FEARLESS_RELEASE();
};
class FEARLESS_SCOPED_CAPABILITY MutexLock {
public:
  explicit MutexLock(Mu *m) FEARLESS_ACQUIRE(m);
  ~MutexLock() FEARLESS_RELEASE();
};
// Negative: both increments hold mu.
void count_both() {
  Mu mu;
  int counter = 0;
  std::thread t([&] {
    MutexLock l(&mu);
    ++counter;
  });
  {
    MutexLock l(&mu);
    ++counter;
  }
  t.join();
}
// The positive twin: the thread's increment takes no lock.
void count_unlocked() {
  Mu mu;
  int counter = 0;
  std::thread t([&] { ++counter; });
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: 'counter' is captured by reference into a thread started by 'std::thread' but 'int' is not thread-safe [fearless-shared-ref]
  {
    MutexLock l(&mu);
    ++counter;
  }
  t.join();
}
