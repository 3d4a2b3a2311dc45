// A plain C++ program: a lock taken again by a condvar wait (inside
// pthread_cond_clockwait, reached through std::condition_variable), then
// an inversion through it. The report names the line of the wait as where
// the lock was acquired, and the line of the std::scoped_lock: not the
// standard library's code between them and the pthread calls (at -O0 too,
// preload_condvar_reacquire_O0).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

std::mutex queue;
std::mutex stats;
std::condition_variable ready;

int main() {
  std::thread([] {
    std::unique_lock<std::mutex> q(queue);
    ready.wait_for(q, std::chrono::milliseconds(1)); // takes `queue` again
    std::lock_guard<std::mutex> s(stats);
  }).join();
  std::thread([] {
    std::lock_guard<std::mutex> s(stats);
    std::scoped_lock q(queue); // the inversion
  }).join();
  return 0;
}

// CHECK: fearless: possible deadlock (lock-order inversion)
// CHECK-NEXT: thread '{{.*}}' is trying to acquire 'condvar_reacquire.cpp:[[QUEUE:18:[0-9]+]]' (exclusive)
// CHECK-NEXT: while already holding 'condvar_reacquire.cpp:[[STATS:20:[0-9]+]]' (exclusive), acquired at {{.*}}condvar_reacquire.cpp:23
// CHECK: the existing dependency chain (holding --> acquiring):
// CHECK-NEXT: 'condvar_reacquire.cpp:[[QUEUE]]' (exclusive) --> 'condvar_reacquire.cpp:[[STATS]]' (exclusive), first by thread
// CHECK-NEXT: holding 'condvar_reacquire.cpp:[[QUEUE]]' acquired at {{.*}}condvar_reacquire.cpp:19
// CHECK-NEXT: acquiring 'condvar_reacquire.cpp:[[STATS]]' at:
// CHECK-NEXT: #0 {{.*}}condvar_reacquire.cpp:20
// CHECK: this acquisition of 'condvar_reacquire.cpp:[[QUEUE]]':
// CHECK-NEXT: #0 {{.*}}condvar_reacquire.cpp:24
// CHECK: *** DEADLOCK ***
// CHECK-NOT: fearless:
