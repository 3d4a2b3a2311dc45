// A process that exits with a global lock held, after an earlier report:
// the exit-time checks (the main thread's held locks, the global lock's
// destructor) report and print their stacks instead of crashing (issue 23:
// the symboliser was torn down before the global lock's destructor ran).
// Run by report_check.py; the CHECK lines below are matched against stderr.
#include "fearless/mutex.h"

#include <thread>

fearless::Mutex<int> g_config(0); // destroyed after main returns

int main() {
  fearless::Mutex<int> a(0), b(0);
  std::thread([&] {
    auto x = a.lock();
    auto y = b.lock();
  }).join();
  std::thread([&] {
    auto y = b.lock();
    auto x = a.lock(); // the earlier report
  }).join();
  // Held to the end: the guard is never destroyed.
  static auto *held = new fearless::MutexGuard<int>(g_config.lock());
  (void)held;
  return 0;
}

// CHECK: fearless: possible deadlock (lock-order inversion)
// CHECK: fearless: misuse: thread exited while holding locks
// CHECK-NEXT: the locks stay locked forever:
// CHECK-NEXT: 'exit_with_lock_held.cpp:10' acquired at {{.*}}
// CHECK: fearless: misuse: destroying a locked lock
// CHECK-NEXT: 'exit_with_lock_held.cpp:10' is still held by thread
// CHECK-NEXT: stack:
// CHECK-NEXT: #0 {{.*}}
// CHECK-NOT: fearless:
