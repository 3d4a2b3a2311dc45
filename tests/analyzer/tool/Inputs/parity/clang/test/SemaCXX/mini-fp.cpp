// A stand-in for Clang's thread-safety tests: a finding Clang's own test
// calls a false positive (its ReturnScopedLockable case), which fearless does
// not report; parity.py counts it apart, not as a difference.
// RUN: %clang_cc1 -fsyntax-only -verify -std=c++17 -Wthread-safety -fcxx-exceptions %s
struct __attribute__((capability("mutex"))) Mu {
  void lock() __attribute__((acquire_capability()));
  void unlock() __attribute__((release_capability()));
};
struct __attribute__((scoped_lockable)) MutexLock {
  explicit MutexLock(Mu *mu) __attribute__((acquire_capability(mu)));
  ~MutexLock() __attribute__((release_capability()));
};

Mu mutex;

MutexLock lock() __attribute__((acquire_capability(mutex))) {
  // TODO: False positive because scoped lock isn't destructed.
  return MutexLock(&mutex);
}

// Not marked: a difference.
void leaks() { mutex.lock(); }
