// A real two-thread deadlock: each thread holds one std::mutex and waits
// for the other's. Without fearless the program hangs silently; under
// fearless-run the inversion is reported as the second thread asks, and
// the deadlock as soon as both are asleep (the test kills it then).
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex left;
std::mutex right;
std::atomic<int> holding{0};

void both_hold() {
  if (holding.fetch_add(1) == 1) // the second: from now on it hangs
    std::fputs("both threads hold their first lock\n", stderr);
  while (holding.load() < 2)
    std::this_thread::yield();
}

int main() {
  std::thread t1([] {
    std::lock_guard<std::mutex> a(left);
    both_hold();
    std::lock_guard<std::mutex> b(right);
  });
  std::thread t2([] {
    std::lock_guard<std::mutex> b(right);
    both_hold();
    std::lock_guard<std::mutex> a(left);
  });
  t1.join();
  t2.join();
  return 0;
}

// CHECK: fearless: possible deadlock (lock-order inversion)
// CHECK: fearless: deadlock
// CHECK-NEXT: threads wait for each other's locks
// CHECK-NEXT: thread '{{T[0-9]+}}' waits for 'real_deadlock.cpp:{{23|28}}:{{[0-9]+}}' (exclusive), held by thread '[[OTHER:T[0-9]+]]'
// CHECK-NEXT: thread '[[OTHER]]' waits for 'real_deadlock.cpp:{{23|28}}:{{[0-9]+}}' (exclusive) at {{.*}}real_deadlock.cpp:{{25|30}}, held by thread
// CHECK: every thread in this cycle is blocked and none can proceed
// CHECK: stack of thread
// CHECK-NEXT: #0 {{.*}}real_deadlock.cpp:{{25|30}}

// ABORT: fearless: possible deadlock (lock-order inversion)
// ABORT-NOT: fearless:
