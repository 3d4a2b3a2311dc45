// Two threads take two fearless mutexes in opposite orders, one after the
// other: the run never deadlocks, but the tracker reports the inversion.
// Run by report_check.py; the CHECK lines below are matched against stderr.
#include "fearless/mutex.h"

#include <thread>

int main() {
  fearless::Mutex<int> accounts(0);
  fearless::Mutex<int> audit_log(0);
  std::thread([&] {
    auto a = accounts.lock();
    auto b = audit_log.lock();
  }).join();
  std::thread([&] {
    auto b = audit_log.lock();
    auto a = accounts.lock(); // the inversion
  }).join();
  return 0;
}

// CHECK: fearless: possible deadlock (lock-order inversion)
// CHECK-NEXT: thread '{{.*}}' is trying to acquire 'inversion.cpp:[[ACCOUNTS:[0-9]+]]' (exclusive)
// CHECK-NEXT: while already holding 'inversion.cpp:[[LOG:[0-9]+]]' (exclusive), acquired at {{.*}}inversion.cpp:16
// CHECK: which closes this cycle of lock classes:
// CHECK-NEXT: 'inversion.cpp:[[LOG]]' --> 'inversion.cpp:[[ACCOUNTS]]' --> 'inversion.cpp:[[LOG]]'
// CHECK: the existing dependency chain (holding --> acquiring):
// CHECK-NEXT: 'inversion.cpp:[[ACCOUNTS]]' (exclusive) --> 'inversion.cpp:[[LOG]]' (exclusive), first by thread
// CHECK-NEXT: holding 'inversion.cpp:[[ACCOUNTS]]' acquired at {{.*}}inversion.cpp:12
// CHECK-NEXT: acquiring 'inversion.cpp:[[LOG]]' at:
// CHECK-NEXT: #0 {{.*}}inversion.cpp:13
// CHECK: this acquisition of 'inversion.cpp:[[ACCOUNTS]]':
// CHECK-NEXT: #0 {{.*}}inversion.cpp:17
// CHECK: possible unsafe locking scenario:
// CHECK: Thread A{{ +}}Thread B
// CHECK: lock(inversion.cpp:[[LOG]]);
// CHECK-NEXT: lock(inversion.cpp:[[ACCOUNTS]]);
// CHECK-NEXT: lock(inversion.cpp:[[LOG]]);
// CHECK-NEXT: lock(inversion.cpp:[[ACCOUNTS]]);
// CHECK: *** DEADLOCK ***
// CHECK-NOT: fearless:
