// A spin mutex of one's own, tracked like a fearless one (spin_mutex.h):
// a bank moves money between accounts under one SpinMutex and keeps an
// audit count under another, always in the order the attributes declare
// (`audit` after `accounts`). -Wthread-safety checks the order and the
// guarded fields at compile time; the tracker, run after run, finds no
// inversion. The buggy twin (samples/buggy/spin_mutex.cpp) takes them the
// other way round in one place.
#include "spin_mutex.h"

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
    samples::SpinGuard a(accounts); // the same order as withdraw
    samples::SpinGuard log(audit);
    operations += balance > 0;
  }
};

} // namespace

int main() {
  Bank bank;
  std::thread teller([&] {
    for (int i = 0; i < 1000; ++i)
      bank.withdraw(0);
  });
  std::thread auditor([&] {
    for (int i = 0; i < 1000; ++i)
      bank.review();
  });
  teller.join();
  auditor.join();
  bank.withdraw(10);
  samples::SpinGuard a(bank.accounts);
  samples::SpinGuard log(bank.audit);
  std::printf("balance %ld after %d audited operations\n", bank.balance,
              bank.operations);
  return 0;
}
