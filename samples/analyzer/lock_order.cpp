// Two locks taken in opposite orders by two functions: if two threads run
// them at once, each holds the lock the other waits for, and both hang.
// Rust has the same hazard; fearless reports it as fearless-lock-order
// (and the runtime tracker reports it at run time, even when the run did
// not hang).
#include <mutex>

namespace lock_order {

std::mutex accounts_mu;
std::mutex audit_mu;
int balance = 0;
int audited = 0;

// Buggy: audit_mu, then accounts_mu, while transfer() takes accounts_mu,
// then audit_mu.
void buggy_audit() {
  std::lock_guard<std::mutex> audit(audit_mu);
  std::lock_guard<std::mutex> accounts(accounts_mu);
  audited = balance;
}

void transfer(int amount) {
  std::lock_guard<std::mutex> accounts(accounts_mu);
  std::lock_guard<std::mutex> audit(audit_mu);
  balance += amount;
  ++audited;
}

// Correct: std::scoped_lock takes both without an order (deadlock-free), or
// take them in the same order as transfer().
void correct_audit() {
  std::scoped_lock both(accounts_mu, audit_mu);
  audited = balance;
}

} // namespace lock_order
