// RUN: %check_fearless_tidy %s fearless-guard-escape %t
// Clang's own analysis accepts this file: every access happens with the
// lock held, and the reference leaves afterwards.
// RUN: clang++ -std=c++20 -fsyntax-only -Wthread-safety -Wthread-safety-beta \
// RUN:   -Wthread-safety-reference-return %fearless_include %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CLANG --allow-empty --implicit-check-not='warning:'
// CLANG-NOT: warning:

// Known gap of -Wthread-safety: the lock protects the map only until the
// guard's destructor runs, after the return value was computed. Rust
// rejects it ("cannot return value referencing local variable `guard`").
#include "fearless/thread_safety.h"

#include <map>
#include <string>

class FEARLESS_CAPABILITY("mutex") Mutex {
public:
  void lock() FEARLESS_ACQUIRE();
  void unlock() FEARLESS_RELEASE();
};

class FEARLESS_SCOPED_CAPABILITY MutexLock {
public:
  explicit MutexLock(Mutex &mu) FEARLESS_ACQUIRE(mu) : mu_(mu) { mu.lock(); }
  ~MutexLock() FEARLESS_RELEASE() { mu_.unlock(); }

private:
  Mutex &mu_;
};

class Directory {
public:
  const std::string &lookup(int id) {
    MutexLock guard(mu_);
    return names_[id];
    // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reference to data guarded by 'mu_' escapes the scope of 'guard' (returned from 'Directory::lookup') [fearless-guard-escape]
    // CHECK-NOTES: :[[@LINE-2]]:12: warning: reference to data guarded by 'mu_' escapes the scope of 'guard' (returned from 'Directory::lookup') [fearless-guard-escape]
    // CHECK-NOTES: :[[@LINE-4]]:15: note: 'guard' locks 'mu_' here and unlocks it at the end of its scope
  }
  // Negative: a copy.
  std::string lookupCopy(int id) {
    MutexLock guard(mu_);
    return names_[id];
  }

private:
  Mutex mu_;
  std::map<int, std::string> names_ FEARLESS_GUARDED_BY(mu_);
};
