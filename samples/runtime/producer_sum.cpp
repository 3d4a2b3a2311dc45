// Producer threads summing through a channel: each producer sends its
// batches of numbers (cloned senders, Rust's `tx.clone()`), the receiver
// adds them up until every sender is gone. Each batch is moved into the
// channel, so a producer cannot touch it after sending.
//
// Rust:
//   let (tx, rx) = mpsc::channel();
//   for id in 0..2 { let tx = tx.clone();
//                    thread::spawn(move || for b in 0..3 { tx.send(batch(id,
//                    b)).unwrap(); }); }
//   drop(tx);
//   let total: i64 = rx.iter().map(|v| v.iter().sum::<i64>()).sum();
//
// Buggy twin: samples/buggy/producer_sum.cpp.
#include "fearless/channel.h"
#include "fearless/thread.h"

#include <cstdio>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

namespace {
constexpr int kProducers = 2, kBatches = 3, kBatchSize = 4;
} // namespace

int main() {
  auto [tx, rx] = fearless::channel<std::vector<long>>();

  std::vector<fearless::JoinHandle<void>> producers;
  for (int id = 0; id < kProducers; ++id)
    producers.push_back(fearless::Builder()
                            .name("producer " + std::to_string(id))
                            .spawn([tx, id] {
                              for (int b = 0; b < kBatches; ++b) {
                                std::vector<long> batch(kBatchSize);
                                std::iota(batch.begin(), batch.end(),
                                          1 + (id * kBatches + b) * kBatchSize);
                                tx.send(std::move(batch))
                                    .value(); // moved: gone from this thread
                              }
                            }));
  { auto drop = std::move(tx); } // or the loop below never ends

  long total = 0;
  for (std::vector<long> batch : rx)
    total += std::accumulate(batch.begin(), batch.end(), 0L);
  for (auto &p : producers)
    p.join();

  constexpr int kLast = kProducers * kBatches * kBatchSize;
  std::printf("%d producers sent 1..%d in batches of %d: sum = %ld\n",
              kProducers, kLast, kBatchSize, total);
  return total == kLast * (kLast + 1) / 2 ? 0 : 1;
}
