// A bounded sync_channel applies back-pressure: a fast producer can be at
// most `capacity` messages ahead of a slow consumer, because send() blocks
// while the channel is full.
//
// Rust:
//   let (tx, rx) = mpsc::sync_channel(2);
//   thread::spawn(move || for i in 0..10 { tx.send(i).unwrap(); });
//   for v in rx { ... }
#include "fearless/channel.h"

#include <atomic>
#include <cstdio>
#include <thread>

int main() {
  constexpr int kCapacity = 2;
  auto [tx, rx] = fearless::sync_channel<int>(kCapacity);
  std::atomic<int> sent{0};

  std::thread producer([tx = std::move(tx), &sent] {
    for (int i = 0; i < 10; ++i) {
      tx.send(i).value(); // blocks while 2 messages are waiting
      sent.fetch_add(1);
    }
  });

  int received = 0, max_ahead = 0;
  for (int v : rx) {
    (void)v;
    ++received;
    // Whatever the scheduling, the producer is never more than capacity + 1
    // sends ahead (capacity queued, plus the one we just took).
    const int ahead = sent.load() - received;
    if (ahead > max_ahead)
      max_ahead = ahead;
  }
  producer.join();
  std::printf("received %d messages through a channel of capacity %d\n",
              received, kCapacity);
  std::printf("producer was at most %d messages ahead (limit %d)\n", max_ahead,
              kCapacity + 1);
  return received == 10 && max_ahead <= kCapacity + 1 ? 0 : 1;
}
