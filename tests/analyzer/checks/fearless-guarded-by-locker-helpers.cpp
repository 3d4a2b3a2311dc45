// RUN: %check_fearless_tidy %s fearless-guarded-by %t

// A helper that locks or unlocks its caller's locker through a reference
// parameter acts on a lock the engine cannot see there: it is not "releasing
// 'l' that was not held", nor "'l' still held at the end". A
// default-constructed locker owns nothing, so its destructor releases
// nothing. (Before: three false findings on this file.)
#include <mutex>
#include "fearless/thread_safety.h"

std::mutex m;
int x FEARLESS_GUARDED_BY(m);

void unlock_lck(std::unique_lock<std::mutex> &l) { l.unlock(); }
void relock_lck(std::unique_lock<std::mutex> &l) { l.lock(); }

void uses_helper() {
  std::unique_lock<std::mutex> lk(m);
  x = 1;
  unlock_lck(lk);
}

void maybe(bool b) {
  std::unique_lock<std::mutex> lk;
  if (b)
    lk = std::unique_lock<std::mutex>(m);
}

// The positive twin: a write with no lock at all.
void unlocked_write() {
  x = 3;
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: writing variable 'x' requires holding mutex 'm' exclusively [fearless-guarded-by]
}

// A try-lock probe on a temporary locker: the engine cannot name the
// temporary; nothing to report (before: "cannot resolve lock expression").
bool probe() {
  if (std::unique_lock<std::mutex>(m, std::try_to_lock).owns_lock())
    return true;
  return false;
}
