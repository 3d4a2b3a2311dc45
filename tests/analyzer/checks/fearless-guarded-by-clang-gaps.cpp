// RUN: %check_fearless_tidy %s fearless-guarded-by %t
// RUN: clang++ -std=c++20 -fsyntax-only -Wthread-safety %fearless_include %s 2>&1 \
// RUN:   | FileCheck %s --check-prefix=CLANG --implicit-check-not=warning:

// Clang's -Wthread-safety on plain standard-library code (libstdc++, which
// carries no thread-safety attributes), next to fearless-guarded-by on the
// same lines. CHECK-MESSAGES is what fearless reports; CLANG is what
// `clang++ -Wthread-safety` reports. With libstdc++ Clang cannot see that
// lock_guard, scoped_lock or unique_lock take the mutex, so every access is a
// false positive, and it even warns about the attribute itself; fearless
// reports only the real bugs.

#include "fearless/thread_safety.h"
#include <mutex>
#include <thread>

class Account {
public:
  // A real bug: no lock at all. Both report it.
  void deposit(int v) { balance_ += v; }
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
  // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-2]]:25: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]

  // Correct: Clang does not know lock_guard locks mu_.
  void depositLocked(int v) {
    std::lock_guard<std::mutex> lk(mu_);
    balance_ += v;
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-1]]:5: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
  }

  // Correct: scoped_lock takes both mutexes.
  void transferAll(Account &other) {
    std::scoped_lock lk(mu_, other.mu_);
    balance_ += other.balance_;
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-1]]:5: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-2]]:23: warning: reading variable 'balance_' requires holding mutex 'other.mu_' [-Wthread-safety-analysis]
    other.balance_ = 0;
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-1]]:11: warning: writing variable 'balance_' requires holding mutex 'other.mu_' exclusively [-Wthread-safety-analysis]
  }

  // A real bug: the lock is taken on one path only (unique_lock state).
  void maybeLocked(bool c) {
    std::unique_lock<std::mutex> lk(mu_, std::defer_lock);
    if (c)
      lk.lock();
    balance_ += 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-2]]:5: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
  }

  // unique_lock unlocked and relocked: only the middle write is a bug.
  void relock() {
    std::unique_lock<std::mutex> lk(mu_);
    balance_ += 1;
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-1]]:5: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
    lk.unlock();
    balance_ += 2;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-2]]:5: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
    lk.lock();
    balance_ += 3;
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-1]]:5: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
  }

  // try_to_lock: only the branch where the lock was taken holds it. Clang
  // has no notion of a scoped try-lock even with annotated locks.
  void tryLocked() {
    std::unique_lock<std::mutex> lk(mu_, std::try_to_lock);
    if (lk)
      balance_ += 1;
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-1]]:7: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
    else
      balance_ -= 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-2]]:7: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
  }

  // Correct: the lock is handed to the caller by returning the locker.
  std::unique_lock<std::mutex> locked() {
    return std::unique_lock<std::mutex>(mu_);
  }
  void throughLocked() {
    auto lk = locked();
    balance_ += 1;
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-1]]:5: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
  }

  // Correct: a lambda run right here under the lock (Clang's lambda false
  // positive, on top of the lock_guard one).
  void lambdaUnderLock() {
    std::lock_guard<std::mutex> lk(mu_);
    [&] { balance_ += 1; }();
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-1]]:11: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
  }

  // A real bug: the new thread does not hold the caller's lock.
  void lambdaOnThread() {
    std::lock_guard<std::mutex> lk(mu_);
    std::thread t([this] { balance_ += 1; });
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [fearless-guarded-by]
    // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-2]]:28: warning: writing variable 'balance_' requires holding mutex 'mu_' exclusively [-Wthread-safety-analysis]
    t.join();
  }

private:
  std::mutex mu_;
  int balance_ FEARLESS_GUARDED_BY(mu_) = 0;
  // CLANG-DAG: fearless-guarded-by-clang-gaps.cpp:[[@LINE-1]]:16: warning: 'guarded_by' attribute requires arguments whose type is annotated with 'capability' attribute; type here is 'std::mutex' [-Wthread-safety-attributes]
};
