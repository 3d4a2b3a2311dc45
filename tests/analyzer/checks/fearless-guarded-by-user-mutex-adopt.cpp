// RUN: %check_fearless_tidy %s fearless-guarded-by %t

// Adopting a lock with std::adopt_lock requires it held -- when the engine
// can see it held. A user's mutex type without annotations (rocksdb's
// SpinMutex, reduced from memory/concurrent_arena.h) is never held in the
// engine's view, however it was taken: adopting it is not reported. Before:
// "calling function 'unique_lock' requires holding mutex 's->mutex'" on the
// correct code below.

#include "fearless/thread_safety.h"
#include <atomic>
#include <mutex>

struct SpinMutex {
  std::atomic<bool> locked{false};
  bool try_lock() {
    bool expected = false;
    return locked.compare_exchange_strong(expected, true);
  }
  void lock() {
    while (!try_lock()) {
    }
  }
  void unlock() { locked.store(false); }
};

struct Shard {
  SpinMutex mutex;
  int free_begin = 0;
};
Shard *Repick();

// Negative: held on both paths (a successful try_lock, or lock()).
int Allocate(Shard *s) {
  if (!s->mutex.try_lock()) {
    s = Repick();
    s->mutex.lock();
  }
  std::unique_lock<SpinMutex> lock(s->mutex, std::adopt_lock);
  return s->free_begin++;
}

// Negative: scoped_lock adopting two of them.
void Both(SpinMutex &a, SpinMutex &b) {
  a.lock();
  b.lock();
  std::scoped_lock<SpinMutex, SpinMutex> both(std::adopt_lock, a, b);
}

// A mutex the engine does see: adopting it unheld is still reported.
std::mutex std_mu;
void AdoptUnheld() {
  std::lock_guard<std::mutex> lk(std_mu, std::adopt_lock);
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: calling function 'lock_guard' requires holding mutex 'std_mu' exclusively [fearless-guarded-by]
}

// And an annotated user mutex likewise.
struct FEARLESS_CAPABILITY("mutex") AnnotatedSpin {
  void lock() FEARLESS_ACQUIRE();
  void unlock() FEARLESS_RELEASE();
};
AnnotatedSpin annotated;
void AdoptAnnotatedUnheld() {
  std::lock_guard<AnnotatedSpin> lk(annotated, std::adopt_lock);
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: calling function 'lock_guard' requires holding mutex 'annotated' exclusively [fearless-guarded-by]
}
// Negative: the annotated one taken first.
void AdoptAnnotatedHeld() {
  annotated.lock();
  std::lock_guard<AnnotatedSpin> lk(annotated, std::adopt_lock);
}
