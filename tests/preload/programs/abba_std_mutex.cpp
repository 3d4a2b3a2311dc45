// A plain C++ program (nothing from fearless): two threads take two
// std::mutex in opposite orders, one after the other. The run never
// deadlocks; under fearless-run the tracker reports the inversion, and the
// program finishes.
#include <mutex>
#include <thread>

std::mutex accounts;
std::mutex audit_log;

int main() {
  std::thread([] {
    std::lock_guard<std::mutex> a(accounts);
    std::lock_guard<std::mutex> b(audit_log);
  }).join();
  std::thread([] {
    std::lock_guard<std::mutex> b(audit_log);
    std::lock_guard<std::mutex> a(accounts); // the inversion
  }).join();
  return 0;
}

// CHECK: fearless: possible deadlock (lock-order inversion)
// CHECK-NEXT: thread '{{.*}}' is trying to acquire 'abba_std_mutex.cpp:[[ACCOUNTS:13:[0-9]+]]' (exclusive)
// CHECK-NEXT: while already holding 'abba_std_mutex.cpp:[[LOG:14:[0-9]+]]' (exclusive), acquired at {{.*}}abba_std_mutex.cpp:17
// CHECK: which closes this cycle of lock classes:
// CHECK-NEXT: 'abba_std_mutex.cpp:[[LOG]]' --> 'abba_std_mutex.cpp:[[ACCOUNTS]]' --> 'abba_std_mutex.cpp:[[LOG]]'
// CHECK: the existing dependency chain (holding --> acquiring):
// CHECK-NEXT: 'abba_std_mutex.cpp:[[ACCOUNTS]]' (exclusive) --> 'abba_std_mutex.cpp:[[LOG]]' (exclusive), first by thread
// CHECK-NEXT: holding 'abba_std_mutex.cpp:[[ACCOUNTS]]' acquired at {{.*}}abba_std_mutex.cpp:13
// CHECK-NEXT: acquiring 'abba_std_mutex.cpp:[[LOG]]' at:
// CHECK-NEXT: #0 {{.*}}abba_std_mutex.cpp:14
// CHECK: this acquisition of 'abba_std_mutex.cpp:[[ACCOUNTS]]':
// CHECK-NEXT: #0 {{.*}}abba_std_mutex.cpp:18
// CHECK: *** DEADLOCK ***
// CHECK-NOT: fearless:

// Linked statically, the program never reaches the preload: nothing.
// STATIC-NOT: fearless:

// Stripped, the classes are named by module and offset.
// STRIPPED: fearless: possible deadlock (lock-order inversion)
// STRIPPED-NEXT: thread '{{.*}}' is trying to acquire 'preload_abba_stripped+0x{{[0-9a-f]+}}' (exclusive)
// STRIPPED-NEXT: while already holding 'preload_abba_stripped+0x{{[0-9a-f]+}}' (exclusive)
// STRIPPED-NOT: fearless:
