// Built with -fsanitize=thread against the installed TSan runtime: spawn,
// join, a Mutex shared by threads and a channel run clean (no report).
#include "fearless/channel.h"
#include "fearless/mutex.h"
#include "fearless/thread.h"

#include <cstdio>
#include <memory>
#include <vector>

int main() {
  auto Count = std::make_shared<fearless::Mutex<int>>(0);
  auto [Tx, Rx] = fearless::channel<int>();
  std::vector<fearless::JoinHandle<void>> Threads;
  for (int I = 0; I < 4; ++I)
    Threads.push_back(fearless::spawn([Count, Tx = Tx, I]() mutable {
      *Count->lock() += 1;
      (void)Tx.send(I);
    }));
  for (auto &T : Threads)
    T.join();
  int Sum = 0;
  for (int I = 0; I < 4; ++I)
    Sum += *Rx.recv();
  std::printf("count=%d sum=%d\n", *Count->lock(), Sum);
}
