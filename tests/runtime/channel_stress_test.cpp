// Nothing lost, nothing duplicated, nothing reordered: 8 producers send
// into one receiver, per flavor. The receiver checks the count, each
// producer's order and a checksum.
//
// Counts: 10^6 per producer for the buffered flavors. Under a sanitizer
// (FEARLESS_TEST_SANITIZER set by the TSan/ASan runs) 10^4, so those runs
// stay fast. A rendezvous hand-off is a thread wake-up (about 8 us on a
// small VM, the same as Rust's), so 8 x 10^6 of them would take a minute:
// that flavor uses 2 x 10^4 per producer (10^3 under a sanitizer).
#include "fearless/channel.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

constexpr int kProducers = 8;

bool under_sanitizer() {
  const char *v = std::getenv("FEARLESS_TEST_SANITIZER");
  return v != nullptr && *v != '\0';
}

std::uint64_t per_producer(bool rendezvous) {
  if (rendezvous)
    return under_sanitizer() ? 1'000 : 20'000;
  return under_sanitizer() ? 10'000 : 1'000'000;
}

// A message: producer id in the high 8 bits, sequence number below.
std::uint64_t encode(std::uint64_t producer, std::uint64_t seq) {
  return producer << 56 | seq;
}

template <class Tx, class Rx>
void run_stress(Tx tx, Rx rx, std::uint64_t count) {
  std::vector<std::thread> producers;
  for (std::uint64_t p = 0; p < kProducers; ++p)
    producers.emplace_back([tx, p, count] {
      for (std::uint64_t i = 0; i < count; ++i)
        ASSERT_TRUE(tx.send(encode(p, i)));
    });
  { auto drop = std::move(tx); } // the loop below ends when producers do

  std::vector<std::uint64_t> next(kProducers, 0);
  std::uint64_t received = 0, checksum = 0;
  for (std::uint64_t m : rx) {
    const std::uint64_t p = m >> 56, seq = m & ((std::uint64_t{1} << 56) - 1);
    ASSERT_LT(p, static_cast<std::uint64_t>(kProducers));
    ASSERT_EQ(seq, next[p]) << "producer " << p << " out of order";
    ++next[p];
    ++received;
    checksum += m;
  }
  for (auto &t : producers)
    t.join();

  std::uint64_t expected = 0;
  for (std::uint64_t p = 0; p < kProducers; ++p)
    expected += count * encode(p, 0) + count * (count - 1) / 2;
  EXPECT_EQ(received, kProducers * count);
  EXPECT_EQ(checksum, expected);
  for (std::uint64_t p = 0; p < kProducers; ++p)
    EXPECT_EQ(next[p], count) << "producer " << p;
}

TEST(ChannelStress, Unbounded8Producers) {
  auto [tx, rx] = fearless::channel<std::uint64_t>();
  run_stress(std::move(tx), std::move(rx), per_producer(false));
}

TEST(ChannelStress, Bounded1024With8Producers) {
  auto [tx, rx] = fearless::sync_channel<std::uint64_t>(1024);
  run_stress(std::move(tx), std::move(rx), per_producer(false));
}

TEST(ChannelStress, BoundedCapacityOneWith8Producers) {
  // Every send waits for room: exercises the parking paths on both sides.
  auto [tx, rx] = fearless::sync_channel<std::uint64_t>(1);
  run_stress(std::move(tx), std::move(rx), per_producer(false) / 10);
}

TEST(ChannelStress, Rendezvous8Producers) {
  auto [tx, rx] = fearless::sync_channel<std::uint64_t>(0);
  run_stress(std::move(tx), std::move(rx), per_producer(true));
}

TEST(ChannelStress, ReceiverDropsWhileProducersSend) {
  // Producers race the receiver's drop: every message is either received or
  // handed back, never lost (the counts must add up) and never duplicated.
  for (int round = 0; round < 4; ++round) {
    const std::uint64_t count = per_producer(round % 2 == 1) / 10;
    auto [tx, rx] = round % 2 == 0 ? fearless::sync_channel<std::uint64_t>(64)
                                   : fearless::sync_channel<std::uint64_t>(0);
    std::vector<std::uint64_t> returned(kProducers, 0);
    std::vector<std::thread> producers;
    for (std::uint64_t p = 0; p < kProducers; ++p)
      producers.emplace_back([tx, p, count, &returned] {
        for (std::uint64_t i = 0; i < count; ++i)
          if (!tx.send(encode(p, i)))
            ++returned[p];
      });
    { auto drop = std::move(tx); }
    std::uint64_t received = 0;
    for (std::uint64_t i = 0; i < count; ++i) {
      if (!rx.recv())
        break;
      ++received;
    }
    { auto drop = std::move(rx); }
    for (auto &t : producers)
      t.join();
    std::uint64_t total_returned = 0;
    for (auto r : returned)
      total_returned += r;
    // Bounded: messages still queued at the drop were destroyed by it, so
    // received + returned <= sent; rendezvous has no queue: equality.
    if (round % 2 == 1)
      EXPECT_EQ(received + total_returned, kProducers * count);
    else
      EXPECT_LE(received + total_returned, kProducers * count);
    EXPECT_EQ(received, count);
  }
}

} // namespace
