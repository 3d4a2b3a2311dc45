// The buggy twin of samples/runtime/spin_mutex.cpp: review() takes the
// audit lock first. Run one after the other, the teller and the auditor
// never deadlock here, but both orders exist: -Wthread-safety-beta says
// `audit` must be acquired after `accounts`, and the tracker reports the
// inversion at run time -- for a spin mutex of one's own, which says what it
// does through fearless/user_lock.h.
#include "../runtime/spin_mutex.h"

#include <cstdio>
#include <thread>

namespace {

struct Bank {
  samples::SpinMutex accounts{"accounts"};
  samples::SpinMutex audit FEARLESS_ACQUIRED_AFTER(accounts){"audit"};
  long balance FEARLESS_GUARDED_BY(accounts) = 100;
  int operations FEARLESS_GUARDED_BY(audit) = 0;

  void withdraw(long amount) {
    samples::SpinGuard a(accounts);
    samples::SpinGuard log(audit);
    balance -= amount;
    operations += 1;
  }

  void review() {
    samples::SpinGuard log(audit); // Buggy: the other order
    samples::SpinGuard a(accounts);
    operations += balance > 0;
  }
};

} // namespace

int main() {
  Bank bank;
  std::thread([&] { bank.withdraw(10); }).join();
  std::thread([&] { bank.review(); }).join();
  samples::SpinGuard a(bank.accounts);
  samples::SpinGuard log(bank.audit);
  std::printf("balance %ld after %d audited operations\n", bank.balance,
              bank.operations);
  return 0;
}
