// mpsc with several producers: each worker gets its own copy of the sender
// (Rust: `tx.clone()`), and the receiver iterates until every sender is gone.
//
// Rust:
//   let (tx, rx) = mpsc::channel();
//   for id in 0..3 { let tx = tx.clone(); thread::spawn(move || ...); }
//   drop(tx);
//   for msg in rx { ... }
#include "fearless/channel.h"

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

int main() {
  auto [tx, rx] = fearless::channel<std::string>();

  std::vector<std::thread> workers;
  for (int id = 0; id < 3; ++id)
    workers.emplace_back([tx, id] { // a copy: one more live sender
      for (int i = 0; i < 4; ++i)
        tx.send("worker " + std::to_string(id) + " item " + std::to_string(i))
            .value(); // throws only if the receiver is gone (Rust: unwrap)
    });
  // Drop our own sender, or the loop below would wait for it forever.
  { auto drop = std::move(tx); }

  int received = 0;
  std::string last_of_worker0;
  for (std::string msg : rx) { // ends when all three workers are done
    if (msg.starts_with("worker 0"))
      last_of_worker0 = msg;
    ++received;
  }
  for (auto &w : workers)
    w.join();
  std::printf("received %d messages from 3 producers\n", received);
  std::printf("per-producer order kept: last from worker 0 was '%s'\n",
              last_of_worker0.c_str());
  return received == 12 ? 0 : 1;
}
