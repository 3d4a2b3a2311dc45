// One thread takes a then b; another holds b and only *tries* a, backing
// off when it is taken. A try cannot wait, so there is no deadlock: clean.
#include <mutex>
#include <thread>

std::mutex a;
std::mutex b;

int main() {
  std::thread([] {
    std::lock_guard<std::mutex> ga(a);
    std::lock_guard<std::mutex> gb(b);
  }).join();
  std::thread([] {
    std::lock_guard<std::mutex> gb(b);
    if (a.try_lock()) // the reverse order, but a try
      a.unlock();
  }).join();
  return 0;
}

// CHECK-NOT: fearless:
