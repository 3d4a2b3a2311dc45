// A producer and a consumer hand items over through a
// std::condition_variable, with a timed wait too; the consumer's wait
// releases the mutex the producer needs. Nothing to report.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

std::mutex mu;
std::condition_variable ready;
std::deque<int> items;
bool done = false;

int main() {
  std::thread consumer([] {
    long sum = 0;
    std::unique_lock<std::mutex> lock(mu);
    for (;;) {
      ready.wait(lock, [] { return !items.empty() || done; });
      while (!items.empty()) {
        sum += items.front();
        items.pop_front();
      }
      if (done)
        break;
    }
    (void)ready.wait_for(lock, std::chrono::milliseconds(1));
  });
  for (int i = 0; i < 1000; ++i) {
    std::lock_guard<std::mutex> lock(mu);
    items.push_back(i);
    ready.notify_one();
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  ready.notify_all();
  consumer.join();
  return 0;
}

// CHECK-NOT: fearless:
