// Holding a lock while joining the thread that needs it: the join waits
// for the thread, the thread waits for the lock. Reported at once.
#include <mutex>
#include <thread>

std::mutex m;

int main() {
  std::lock_guard<std::mutex> held(m);
  std::thread worker([] { std::lock_guard<std::mutex> g(m); });
  worker.join();
  return 0;
}

// CHECK: fearless: deadlock
// CHECK-NEXT: threads wait for each other's locks
// CHECK-DAG: waits for the end of a thread
// CHECK-DAG: waits for 'join_deadlock.cpp:9:{{[0-9]+}}' (exclusive){{.*}}, held by thread 'main'
