// std::shared_mutex: one thread holds `index` for writing and reads
// `table`; another holds `table` for writing and wants `index`. Run one
// after the other they never meet; together the writer of `table` waits for
// the writer of `index`, which waits for the reader... a deadlock the
// tracker reports from the two orders.
#include <mutex>
#include <shared_mutex>
#include <thread>

std::shared_mutex index_lock;
std::shared_mutex table_lock;

int main() {
  std::thread([] {
    std::unique_lock<std::shared_mutex> w(index_lock);
    std::shared_lock<std::shared_mutex> r(table_lock);
  }).join();
  std::thread([] {
    std::unique_lock<std::shared_mutex> w(table_lock);
    std::unique_lock<std::shared_mutex> w2(index_lock);
  }).join();
  // Readers only, in both orders: readers never wait for readers.
  std::thread([] {
    std::shared_lock<std::shared_mutex> a(index_lock);
    std::shared_lock<std::shared_mutex> b(table_lock);
  }).join();
  std::thread([] {
    std::shared_lock<std::shared_mutex> b(table_lock);
    std::shared_lock<std::shared_mutex> a(index_lock);
  }).join();
  return 0;
}

// CHECK: fearless: possible deadlock (lock-order inversion)
// CHECK-NEXT: thread '{{.*}}' is trying to acquire 'shared_mutex_inversion.cpp:15:{{[0-9]+}}' (exclusive)
// CHECK-NEXT: while already holding 'shared_mutex_inversion.cpp:{{[0-9:]+}}' (exclusive)
// CHECK: read_lock(
// CHECK: *** DEADLOCK ***
// CHECK-NOT: fearless:
