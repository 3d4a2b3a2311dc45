// Clean: one lock, released before the thread is joined.
#include "fearless/annotations.h"

#include <cstdio>
#include <mutex>
#include <thread>

std::mutex Mu;
int Counter FEARLESS_GUARDED_BY(Mu) = 0;

int main() {
  std::thread T([] {
    std::lock_guard<std::mutex> Lock(Mu);
    ++Counter;
  });
  T.join();
  std::lock_guard<std::mutex> Lock(Mu);
  std::printf("counter=%d\n", Counter);
}
