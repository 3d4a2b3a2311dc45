// RUN: %check_fearless_tidy %s fearless-guarded-by,fearless-lock-order,fearless-missing-guarded-by %t

// std::lock(m1, m2, ...) acquires every mutex it is given, in an order of
// its own (no lock-order edge, no same-class nesting between them); a
// lock_guard or unique_lock with std::adopt_lock then owns that hold.
// Before: eleven false findings on this file and the real bug beside them.
#include <mutex>
#include "fearless/thread_safety.h"
struct Account {
  std::mutex mu;
  int balance FEARLESS_GUARDED_BY(mu) = 0;
};
// Negative: the cppreference idiom.
void transfer(Account &a, Account &b, int n) {
  std::lock(a.mu, b.mu);
  std::lock_guard<std::mutex> la(a.mu, std::adopt_lock);
  std::lock_guard<std::mutex> lb(b.mu, std::adopt_lock);
  a.balance -= n;
  b.balance += n;
}
// Negative: released by hand.
void by_hand(std::mutex &m1, std::mutex &m2) {
  std::lock(m1, m2);
  m1.unlock();
  m2.unlock();
}
// The real bug: the read after both unlocks.
int buggy(Account &a, Account &b, int n) {
  std::lock(a.mu, b.mu);
  a.balance -= n;
  b.balance += n;
  a.mu.unlock();
  b.mu.unlock();
  return a.balance;
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: reading variable 'balance' requires holding mutex 'a.mu' [fearless-guarded-by]
}

// std::try_lock(m1, m2, ...) returns -1 when it took them all (and
// otherwise releases what it took): held on that branch only. Before: every
// guarded access and unlock on the success branch was reported.
bool try_transfer(Account &a, Account &b, int n) {
  if (std::try_lock(a.mu, b.mu) == -1) {
    a.balance -= n;
    b.balance += n;
    a.mu.unlock();
    b.mu.unlock();
    return true;
  }
  return false;
}
// Negative: the early return on failure, then adopted.
bool try_transfer_adopted(Account &a, Account &b, int n) {
  if (std::try_lock(a.mu, b.mu) != -1)
    return false;
  std::lock_guard<std::mutex> la(a.mu, std::adopt_lock);
  std::lock_guard<std::mutex> lb(b.mu, std::adopt_lock);
  a.balance -= n;
  b.balance += n;
  return true;
}
// The real bug: the result is not tested.
void try_untested(Account &a, Account &b, int n) {
  std::try_lock(a.mu, b.mu);
  a.balance -= n;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'balance' requires holding mutex 'a.mu' exclusively [fearless-guarded-by]
}
// And the access on the failure branch.
void try_wrong_branch(Account &a, Account &b, int n) {
  if (std::try_lock(a.mu, b.mu) == -1) {
    a.mu.unlock();
    b.mu.unlock();
    return;
  }
  b.balance += n;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'balance' requires holding mutex 'b.mu' exclusively [fearless-guarded-by]
}

// std::lock over deferred lockers relocks each locker's mutex: held from
// then on, released by the locker (by hand or at its scope's end).
// Before: every guarded access after it was reported, and each locker's
// unlock() was "releasing mutex that was not held".
void deferred(Account &a, Account &b, int n) {
  std::unique_lock<std::mutex> la(a.mu, std::defer_lock);
  std::unique_lock<std::mutex> lb(b.mu, std::defer_lock);
  std::lock(la, lb);
  a.balance -= n;
  b.balance += n;
  lb.unlock();
  a.balance += 0;
}
// The real bug: the write after that locker's unlock().
void deferred_unlocked(Account &a, Account &b, int n) {
  std::unique_lock<std::mutex> la(a.mu, std::defer_lock);
  std::unique_lock<std::mutex> lb(b.mu, std::defer_lock);
  std::lock(la, lb);
  lb.unlock();
  b.balance += n;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'balance' requires holding mutex 'b.mu' exclusively [fearless-guarded-by]
}
// std::try_lock over deferred lockers: held on the branch where it
// returned -1, and released by the lockers.
bool deferred_try(Account &a, Account &b, int n) {
  std::unique_lock<std::mutex> la(a.mu, std::defer_lock);
  std::unique_lock<std::mutex> lb(b.mu, std::defer_lock);
  if (std::try_lock(la, lb) != -1)
    return false;
  a.balance -= n;
  b.balance += n;
  return true;
}
void deferred_try_failed(Account &a, Account &b, int n) {
  std::unique_lock<std::mutex> la(a.mu, std::defer_lock);
  std::unique_lock<std::mutex> lb(b.mu, std::defer_lock);
  if (std::try_lock(la, lb) == -1)
    return;
  a.balance -= n;
  // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: writing variable 'balance' requires holding mutex 'a.mu' exclusively [fearless-guarded-by]
}
