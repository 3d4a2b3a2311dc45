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
