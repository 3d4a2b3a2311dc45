// Every thread takes the two mutexes in the same order: nothing to report.
#include <mutex>
#include <thread>
#include <vector>

std::mutex first;
std::mutex second;
long total = 0;

int main() {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([] {
      for (int i = 0; i < 1000; ++i) {
        std::scoped_lock both(first, second);
        ++total;
      }
    });
  for (auto &t : threads)
    t.join();
  for (int i = 0; i < 10; ++i) {
    std::lock_guard<std::mutex> a(first);
    std::lock_guard<std::mutex> b(second);
    ++total;
  }
  return total == 4010 ? 0 : 1;
}

// CHECK-NOT: fearless:
