// Buggy twin of samples/runtime/producer_sum.cpp: to avoid copying, each
// producer sends a pointer to its buffer instead of the numbers, then
// refills the buffer for its next batch while the receiver may still be
// summing the last one. Rust refuses it (a `&mut Vec` sent to another
// thread: borrowed value does not live long enough). fearless::channel's
// Send concept cannot see the pointer inside the struct; the analyzer can.
//
// fearless: fearless-send at the send(), and at run time "fearless: data
// race" on the buffer. The buffer keeps its type, so the accesses are shown
// to the race detector by hand (fearless::watch_read/watch_write).
#include "fearless/channel.h"
#include "fearless/thread.h"
#include "fearless/watched.h"
#include "replay.h"

#include <array>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

namespace {
constexpr int kProducers = 2, kBatches = 3, kBatchSize = 4;

struct Batch {
  std::vector<long> *numbers; // Bug: the producer's buffer, not a copy
};

// See replay.h: the producers fill their batches in turn, each after the
// receiver has summed the batch before it.
replay::Step summed;
} // namespace

int main() {
  auto [tx, rx] = fearless::channel<Batch>();
  // The buffers outlive every thread; only their contents race.
  std::array<std::vector<long>, kProducers> buffers;
  for (auto &buffer : buffers)
    buffer.resize(kBatchSize);

  long total = 0;
  fearless::scope([&](fearless::Scope &s) {
    for (int id = 0; id < kProducers; ++id)
      s.builder()
          .name("producer " + std::to_string(id))
          .spawn([tx, id, &buffer = buffers[id]] {
            for (int b = 0; b < kBatches; ++b) {
              summed.await(b * kProducers + id);
              fearless::watch_write(buffer.data(), kBatchSize * sizeof(long));
              std::iota(buffer.begin(), buffer.end(),
                        1 + (id * kBatches + b) * kBatchSize);
              tx.send(Batch{&buffer}).value();
            }
          });
    { auto drop = std::move(tx); }
    int batches = 0;
    for (Batch batch : rx) {
      std::vector<long> &numbers = *batch.numbers;
      fearless::watch_read(numbers.data(), kBatchSize * sizeof(long));
      total += std::accumulate(numbers.begin(), numbers.end(), 0L);
      summed.reach(++batches);
    }
  });

  constexpr int kLast = kProducers * kBatches * kBatchSize;
  std::printf("%d producers sent 1..%d in batches of %d: sum = %ld\n",
              kProducers, kLast, kBatchSize, total);
  return 0;
}
