// Channel semantics, per flavor: the scenarios Rust's std::sync::mpsc and
// crossbeam-channel test (smoke, FIFO, disconnection in every order, errors
// handing the message back, capacity, rendezvous, timeouts, iteration,
// dropping unreceived messages), written fresh for fearless::channel.
//
// Deterministic: no sleeps, no timing thresholds. A timed wait is only
// asserted to time out when nothing could possibly arrive, or to return a
// value that was certainly there.
#include "fearless/channel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;

// --- flavors -----------------------------------------------------------------

struct Unbounded {
  template <class T> static auto make() { return fearless::channel<T>(); }
};
struct Bounded {
  template <class T> static auto make() { return fearless::sync_channel<T>(4); }
};
struct Rendezvous {
  template <class T> static auto make() { return fearless::sync_channel<T>(0); }
};

template <class F> class ChannelFlavor : public ::testing::Test {};
using Flavors = ::testing::Types<Unbounded, Bounded, Rendezvous>;
class FlavorNames {
public:
  template <class F> static std::string GetName(int) {
    if (std::is_same_v<F, Unbounded>)
      return "Unbounded";
    if (std::is_same_v<F, Bounded>)
      return "Bounded";
    return "Rendezvous";
  }
};
TYPED_TEST_SUITE(ChannelFlavor, Flavors, FlavorNames);

// A payload that counts its live instances and catches a message destroyed
// twice (the second destructor finds the kDead mark the first one left).
struct Counted {
  static inline std::atomic<int> live{0};
  static inline std::atomic<int> double_destroyed{0};
  enum State : unsigned { kLive = 0x1171, kMovedFrom = 0x3017, kDead = 0xdead };
  explicit Counted(int v) : value(v), state(kLive) { ++live; }
  Counted(Counted &&o) noexcept : value(o.value), state(o.state) {
    o.state = kMovedFrom;
  }
  Counted &operator=(Counted &&) = delete;
  ~Counted() {
    if (state == kLive)
      --live;
    else if (state != kMovedFrom)
      ++double_destroyed;
    state = kDead;
  }
  static void reset() {
    live = 0;
    double_destroyed = 0;
  }
  static void expect_all_destroyed_once() {
    EXPECT_EQ(live, 0);
    EXPECT_EQ(double_destroyed, 0);
  }
  int value;
  volatile unsigned state;
};

struct Job {
  int id;
};

// --- every flavor ------------------------------------------------------------

TYPED_TEST(ChannelFlavor, Smoke) {
  auto [tx, rx] = TypeParam::template make<int>();
  std::thread t([tx = std::move(tx)] { EXPECT_TRUE(tx.send(42)); });
  auto r = rx.recv();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 42);
  t.join();
}

TYPED_TEST(ChannelFlavor, FifoPerSender) {
  constexpr int kSenders = 4, kPerSender = 2000;
  auto [tx, rx] = TypeParam::template make<std::pair<int, int>>();
  std::vector<std::thread> threads;
  for (int s = 0; s < kSenders; ++s)
    threads.emplace_back([tx, s] {
      for (int i = 0; i < kPerSender; ++i)
        EXPECT_TRUE(tx.send({s, i}));
    });
  { auto drop = std::move(tx); }
  std::vector<int> next(kSenders, 0);
  int total = 0;
  for (std::pair<int, int> m : rx) {
    ASSERT_EQ(m.second, next[m.first]) << "sender " << m.first;
    ++next[m.first];
    ++total;
  }
  EXPECT_EQ(total, kSenders * kPerSender);
  for (auto &t : threads)
    t.join();
}

TYPED_TEST(ChannelFlavor, RecvFailsOnceEverySenderIsGone) {
  auto [tx, rx] = TypeParam::template make<int>();
  { auto drop = std::move(tx); }
  EXPECT_FALSE(rx.recv().has_value());
  EXPECT_EQ(rx.try_recv().error(), fearless::TryRecvError::disconnected);
  EXPECT_EQ(rx.recv_timeout(1h).error(), fearless::RecvTimeoutError::disconnected);
}

TYPED_TEST(ChannelFlavor, BlockedRecvWakesWhenLastSenderDrops) {
  auto [tx, rx] = TypeParam::template make<int>();
  // Whether the receiver is already parked or not, it must see RecvError.
  std::thread t([tx = std::move(tx)]() mutable { auto drop = std::move(tx); });
  EXPECT_FALSE(rx.recv().has_value());
  t.join();
}

TYPED_TEST(ChannelFlavor, SendAfterReceiverGoneReturnsTheValue) {
  auto [tx, rx] = TypeParam::template make<std::unique_ptr<Job>>();
  { auto drop = std::move(rx); }
  auto r = tx.send(std::make_unique<Job>(Job{7}));
  ASSERT_FALSE(r.has_value());
  EXPECT_STREQ(r.error().what(), "sending on a closed channel");
  std::unique_ptr<Job> back = std::move(r).error().into_inner();
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->id, 7);

  auto t = tx.try_send(std::make_unique<Job>(Job{8}));
  ASSERT_FALSE(t.has_value());
  EXPECT_TRUE(t.error().is_disconnected());
  EXPECT_EQ(std::move(t).error().into_inner()->id, 8);
}

TYPED_TEST(ChannelFlavor, SenderCopiesAreLiveSenders) {
  auto [tx, rx] = TypeParam::template make<int>();
  auto copy = tx;
  { auto drop = std::move(tx); }
  // `copy` is still live: the channel is empty, not disconnected.
  EXPECT_EQ(rx.try_recv().error(), fearless::TryRecvError::empty);
  std::thread t([copy = std::move(copy)] { EXPECT_TRUE(copy.send(1)); });
  EXPECT_EQ(rx.recv().value(), 1);
  t.join();
  EXPECT_FALSE(rx.recv().has_value());
}

TYPED_TEST(ChannelFlavor, MovedFromHandlesBehaveAsDisconnected) {
  auto [tx, rx] = TypeParam::template make<int>();
  auto tx2 = std::move(tx);
  auto rx2 = std::move(rx);
  EXPECT_FALSE(tx.send(1).has_value()); // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(rx.recv().has_value());  // NOLINT(bugprone-use-after-move)
  std::thread t([tx2 = std::move(tx2)] { EXPECT_TRUE(tx2.send(5)); });
  EXPECT_EQ(rx2.recv().value(), 5);
  t.join();
}

TYPED_TEST(ChannelFlavor, RecvTimeoutTimesOutWhenNothingCanArrive) {
  auto [tx, rx] = TypeParam::template make<int>();
  // Nobody sends on tx: the wait can only time out.
  auto r = rx.recv_timeout(1ms);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), fearless::RecvTimeoutError::timeout);
  EXPECT_STREQ(r.error().what(), "timed out waiting on receive operation");
  EXPECT_EQ(rx.recv_timeout(0ms).error(), fearless::RecvTimeoutError::timeout);
}

TYPED_TEST(ChannelFlavor, RecvTimeoutReturnsAValueThatIsThere) {
  auto [tx, rx] = TypeParam::template make<int>();
  std::thread t([tx = std::move(tx)] { EXPECT_TRUE(tx.send(3)); });
  // The sender exists and sends once; a long timeout cannot expire first.
  auto r = rx.recv_timeout(1h);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 3);
  t.join();
}

TYPED_TEST(ChannelFlavor, IterationEndsAtDisconnection) {
  auto [tx, rx] = TypeParam::template make<int>();
  std::thread t([tx = std::move(tx)] {
    for (int i = 0; i < 100; ++i)
      EXPECT_TRUE(tx.send(i));
  });
  std::vector<int> got;
  for (int v : rx)
    got.push_back(v);
  t.join();
  ASSERT_EQ(got.size(), 100u);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(got[i], i);
}

TYPED_TEST(ChannelFlavor, MoveOnlyPayloads) {
  auto [tx, rx] = TypeParam::template make<std::unique_ptr<Job>>();
  std::thread t([tx = std::move(tx)] {
    for (int i = 0; i < 10; ++i)
      EXPECT_TRUE(tx.send(std::make_unique<Job>(Job{i})));
  });
  int expect = 0;
  for (std::unique_ptr<Job> job : rx)
    EXPECT_EQ(job->id, expect++);
  EXPECT_EQ(expect, 10);
  t.join();
}

TYPED_TEST(ChannelFlavor, FailedSendsDestroyNothingAndLoseNothing) {
  Counted::reset();
  {
    auto [tx, rx] = TypeParam::template make<Counted>();
    { auto drop = std::move(rx); }
    auto r = tx.send(Counted(1));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(Counted::live, 1); // the message lives in the error
    Counted back = std::move(r).error().into_inner();
    EXPECT_EQ(back.value, 1);
  }
  Counted::expect_all_destroyed_once();
}

TYPED_TEST(ChannelFlavor, TracksLiveHandlesForTheTracker) {
  using fearless::detail::ChannelInspector;
  using fearless::detail::ChannelSide;
  auto [tx, rx] = TypeParam::template make<int>();
  const fearless::detail::ChannelCore *core = ChannelInspector::core(rx);
  ASSERT_EQ(core, ChannelInspector::core(tx));
  auto tx2 = tx;
  auto tx3 = tx2;
  EXPECT_EQ(core->live_handles(ChannelSide::sender), 3u);
  EXPECT_EQ(core->live_handles(ChannelSide::receiver), 1u);
  std::set<const void *> senders, receivers;
  core->for_each_handle(ChannelSide::sender, [&](const auto &h) {
    senders.insert(h.handle);
    EXPECT_EQ(h.last_user, std::this_thread::get_id());
  });
  core->for_each_handle(ChannelSide::receiver,
                        [&](const auto &h) { receivers.insert(h.handle); });
  EXPECT_EQ(senders, (std::set<const void *>{&tx, &tx2, &tx3}));
  EXPECT_EQ(receivers, (std::set<const void *>{&rx}));
  { auto drop = std::move(tx3); }
  EXPECT_EQ(core->live_handles(ChannelSide::sender), 2u);
}

// --- buffered flavors (unbounded, bounded) -----------------------------------

template <class F> class BufferedChannel : public ::testing::Test {};
using BufferedFlavors = ::testing::Types<Unbounded, Bounded>;
TYPED_TEST_SUITE(BufferedChannel, BufferedFlavors, FlavorNames);

TYPED_TEST(BufferedChannel, SameThreadSendThenRecv) {
  auto [tx, rx] = TypeParam::template make<std::string>();
  EXPECT_TRUE(tx.send("a"));
  EXPECT_TRUE(tx.try_send("b"));
  EXPECT_EQ(rx.recv().value(), "a");
  EXPECT_EQ(rx.try_recv().value(), "b");
  EXPECT_EQ(rx.try_recv().error(), fearless::TryRecvError::empty);
}

TYPED_TEST(BufferedChannel, MessagesSentBeforeLastSenderDroppedAreReceived) {
  auto [tx, rx] = TypeParam::template make<int>();
  EXPECT_TRUE(tx.send(1));
  EXPECT_TRUE(tx.send(2));
  { auto drop = std::move(tx); }
  EXPECT_EQ(rx.recv().value(), 1);
  EXPECT_EQ(rx.try_recv().value(), 2);
  EXPECT_FALSE(rx.recv().has_value());
}

TYPED_TEST(BufferedChannel, UnreceivedMessagesAreDestroyedExactlyOnce) {
  // Receiver dropped first (messages dropped on its thread), then senders.
  Counted::reset();
  {
    auto [tx, rx] = TypeParam::template make<Counted>();
    for (int i = 0; i < 3; ++i)
      EXPECT_TRUE(tx.send(Counted(i)));
    EXPECT_EQ(Counted::live, 3);
    { auto drop = std::move(rx); }
    EXPECT_EQ(Counted::live, 0);
  }
  EXPECT_EQ(Counted::live, 0);
  // Senders dropped first: messages survive until the receiver goes.
  {
    auto [tx, rx] = TypeParam::template make<Counted>();
    for (int i = 0; i < 3; ++i)
      EXPECT_TRUE(tx.send(Counted(i)));
    { auto drop = std::move(tx); }
    EXPECT_EQ(Counted::live, 3);
    EXPECT_EQ(rx.recv().value().value, 0);
    EXPECT_EQ(Counted::live, 2);
  }
  Counted::expect_all_destroyed_once();
}

// Sends Counted(0 .. sent-1), then receives `received` of them in order.
template <class Tx, class Rx>
void send_then_receive(const Tx &tx, Rx &rx, int sent, int received) {
  for (int i = 0; i < sent; ++i)
    EXPECT_TRUE(tx.send(Counted(i)));
  for (int i = 0; i < received; ++i)
    EXPECT_EQ(rx.recv().value().value, i);
}

TEST(UnboundedChannel, ManyBlocksOfUnreceivedMessagesAreDestroyed) {
  // Crosses many internal blocks; every message must be destroyed once.
  Counted::reset();
  {
    auto [tx, rx] = fearless::channel<Counted>();
    send_then_receive(tx, rx, 1000, 500);
    EXPECT_EQ(Counted::live, 500);
  }
  Counted::expect_all_destroyed_once();
}

// The list flavor's emptied blocks: `spare_blocks()` of the channel behind a
// handle.
template <class Handle> std::size_t spare_blocks(const Handle &h) {
  using List = fearless::detail::ListChannel<int>;
  return static_cast<const List *>(fearless::detail::ChannelInspector::core(h))
      ->spare_blocks();
}

TEST(UnboundedChannel, EmptiedBlocksAreReusedForLaterMessages) {
  using List = fearless::detail::ListChannel<int>;
  constexpr int kBlocks = 10;
  const int per_burst = static_cast<int>(List::block_capacity()) * kBlocks;
  auto [tx, rx] = fearless::channel<int>();
  int sent = 0, received = 0;
  for (int burst = 0; burst < 3; ++burst) {
    for (int i = 0; i < per_burst; ++i)
      ASSERT_TRUE(tx.send(sent++));
    // Every block this burst needed came from the spares of the last one.
    EXPECT_EQ(spare_blocks(tx), 0u) << "burst " << burst;
    for (int i = 0; i < per_burst; ++i)
      ASSERT_EQ(rx.recv().value(), received++);
    EXPECT_EQ(spare_blocks(tx), static_cast<std::size_t>(kBlocks))
        << "burst " << burst;
  }
}

TEST(UnboundedChannel, SpareBlocksAreCapped) {
  using List = fearless::detail::ListChannel<int>;
  const std::size_t blocks = List::max_spare_blocks() + 40;
  const int n = static_cast<int>(List::block_capacity() * blocks);
  auto [tx, rx] = fearless::channel<int>();
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < n; ++i)
      ASSERT_TRUE(tx.send(i));
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(rx.recv().value(), i);
    EXPECT_EQ(spare_blocks(tx), List::max_spare_blocks());
  }
}

TEST(UnboundedChannel, MessagesInReusedBlocksAreDestroyedExactlyOnce) {
  Counted::reset();
  {
    auto [tx, rx] = fearless::channel<Counted>();
    send_then_receive(tx, rx, 300, 300);
    // These land in recycled blocks; half are received, half dropped with
    // the receiver.
    send_then_receive(tx, rx, 300, 150);
    EXPECT_EQ(Counted::live, 150);
    { auto drop = std::move(rx); }
    EXPECT_EQ(Counted::live, 0);
  }
  Counted::expect_all_destroyed_once();
}

// --- bounded -------------------------------------------------------------------

TEST(BoundedChannel, TrySendIsFullExactlyAtCapacityAtEveryRingPosition) {
  // A sender tells "full" from the stamp of the slot at the tail alone, so
  // check it with the head at every slot of the ring, over many laps.
  constexpr int kCap = 5;
  auto [tx, rx] = fearless::sync_channel<int>(kCap);
  int sent = 0, received = 0;
  for (int round = 0; round < 4 * kCap * kCap; ++round) {
    while (sent - received < kCap)
      ASSERT_TRUE(tx.try_send(sent++)) << "round " << round;
    ASSERT_TRUE(tx.try_send(-1).error().is_full()) << "round " << round;
    ASSERT_TRUE(tx.send_timeout(-1, 0ms).error().is_timeout());
    for (int k = 0; k < 1 + round % kCap; ++k)
      ASSERT_EQ(rx.try_recv().value(), received++);
  }
}

TEST(BoundedChannel, BlockedSenderTakesASingleFreedSlot) {
  // A sender blocked on a full ring waits for the receiver to free half of
  // it before it retries, but only while it snoozes: one freed slot must be
  // enough for `send` to finish, whether the slot is freed while the sender
  // snoozes (at once) or after it went to sleep, at any ring position.
  for (const int cap : {1, 2, 3, 8, 64}) {
    for (const bool after_sleep : {false, true}) {
      auto [tx, rx] = fearless::sync_channel<int>(cap);
      const auto &chan = *static_cast<const fearless::detail::ArrayChannel<
          int> *>(fearless::detail::ChannelInspector::core(tx));
      int sent = 0, received = 0;
      for (int shift = 0; shift < cap + 1; ++shift) {
        while (sent - received < cap)
          ASSERT_TRUE(tx.try_send(sent++));
        std::thread t([&tx = tx, v = sent++] { EXPECT_TRUE(tx.send(v)); });
        if (after_sleep)
          while (chan.parked_senders() == 0)
            std::this_thread::yield();
        // Exactly one slot freed, and nothing more until the send is done.
        ASSERT_EQ(rx.recv().value(), received++);
        t.join();
        ASSERT_TRUE(tx.try_send(-1).error().is_full())
            << "cap " << cap << " shift " << shift;
        for (int k = 0; k <= shift % cap; ++k)
          ASSERT_EQ(rx.recv().value(), received++);
      }
    }
  }
}

TEST(BoundedChannel, CapacityAndTrySendFull) {
  auto [tx, rx] = fearless::sync_channel<std::unique_ptr<Job>>(3);
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(tx.try_send(std::make_unique<Job>(Job{i})));
  auto full = tx.try_send(std::make_unique<Job>(Job{3}));
  ASSERT_FALSE(full.has_value());
  EXPECT_TRUE(full.error().is_full());
  EXPECT_STREQ(full.error().what(), "sending on a full channel");
  std::unique_ptr<Job> back = std::move(full).error().into_inner();
  EXPECT_EQ(back->id, 3);
  EXPECT_EQ(rx.recv().value()->id, 0);
  EXPECT_TRUE(tx.try_send(std::move(back)));
  for (int i = 1; i <= 3; ++i)
    EXPECT_EQ(rx.recv().value()->id, i);
}

TEST(BoundedChannel, SendTimeoutOnFullChannelTimesOutAndReturnsValue) {
  auto [tx, rx] = fearless::sync_channel<int>(1);
  EXPECT_TRUE(tx.send(1));
  // Nobody receives: room cannot appear.
  auto r = tx.send_timeout(2, 1ms);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is_timeout());
  EXPECT_EQ(std::move(r).error().into_inner(), 2);
  EXPECT_EQ(rx.recv().value(), 1);
  EXPECT_TRUE(tx.send_timeout(3, 1h));
  EXPECT_EQ(rx.recv().value(), 3);
}

TEST(BoundedChannel, BackPressureReleasesBlockedSenderInOrder) {
  auto [tx, rx] = fearless::sync_channel<int>(2);
  EXPECT_TRUE(tx.send(0));
  EXPECT_TRUE(tx.send(1));
  EXPECT_TRUE(tx.try_send(99).error().is_full());
  std::atomic<bool> sent{false};
  std::thread t([&sent, tx = tx] {
    EXPECT_TRUE(tx.send(2)); // blocks until the receiver makes room
    sent = true;
  });
  EXPECT_EQ(rx.recv().value(), 0);
  EXPECT_EQ(rx.recv().value(), 1);
  EXPECT_EQ(rx.recv().value(), 2);
  t.join();
  EXPECT_TRUE(sent);
}

TEST(BoundedChannel, BlockedSenderFailsWhenReceiverDrops) {
  auto [tx, rx] = fearless::sync_channel<std::unique_ptr<Job>>(1);
  EXPECT_TRUE(tx.send(std::make_unique<Job>(Job{0})));
  std::thread t([tx = std::move(tx)] {
    // Parked (or about to park) on a full channel; the drop wakes it.
    auto r = tx.send(std::make_unique<Job>(Job{1}));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(std::move(r).error().into_inner()->id, 1);
  });
  { auto drop = std::move(rx); }
  t.join();
}

TEST(BoundedChannel, SendTimeoutAfterReceiverGoneIsDisconnected) {
  auto [tx, rx] = fearless::sync_channel<int>(1);
  { auto drop = std::move(rx); }
  auto r = tx.send_timeout(5, 1h);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is_disconnected());
  EXPECT_EQ(std::move(r).error().into_inner(), 5);
}

TEST(BoundedChannel, CapacityOneWrapsManyLaps) {
  auto [tx, rx] = fearless::sync_channel<int>(1);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(tx.try_send(i));
    EXPECT_TRUE(tx.try_send(-1).error().is_full());
    EXPECT_EQ(rx.try_recv().value(), i);
  }
}

// --- parking -------------------------------------------------------------------
// A blocked operation spins, then sleeps on a futex; these make sure the
// sleeping thread is woken (they wait until it is asleep, not for a time).

template <class Chan, class Handle> const Chan &channel_of(const Handle &h) {
  return *static_cast<const Chan *>(fearless::detail::ChannelInspector::core(h));
}
template <class Pred> void wait_until(Pred pred) {
  while (!pred())
    std::this_thread::yield();
}

TEST(ChannelParking, SleepingReceiverIsWokenBySendAndByDisconnection) {
  using List = fearless::detail::ListChannel<int>;
  for (int round = 0; round < 3; ++round) {
    auto [tx, rx] = fearless::channel<int>();
    std::thread t([&rx = rx] {
      EXPECT_EQ(rx.recv().value(), 7);
      EXPECT_EQ(rx.recv_timeout(1h).value(), 8); // a sleep with a deadline
      EXPECT_FALSE(rx.recv().has_value());
    });
    const List &chan = channel_of<List>(tx);
    wait_until([&] { return chan.receiver_parked(); });
    ASSERT_TRUE(tx.send(7));
    wait_until([&] { return chan.receiver_parked(); });
    ASSERT_TRUE(tx.send(8));
    wait_until([&] { return chan.receiver_parked(); });
    { auto drop = std::move(tx); }
    t.join();
  }
}

TEST(ChannelParking, SleepingSendersAreWokenByRecvAndByDisconnection) {
  using Array = fearless::detail::ArrayChannel<int>;
  auto [tx, rx] = fearless::sync_channel<int>(1);
  ASSERT_TRUE(tx.send(0));
  const Array &chan = channel_of<Array>(tx);
  std::thread first([tx = tx] { EXPECT_TRUE(tx.send(1)); });
  wait_until([&] { return chan.parked_senders() == 1; });
  EXPECT_EQ(rx.recv().value(), 0);
  first.join();
  std::thread second([tx = tx] {
    EXPECT_EQ(tx.send_timeout(2, 1h).error().into_inner(), 2);
  });
  wait_until([&] { return chan.parked_senders() == 1; });
  { auto drop = std::move(rx); }
  second.join();
}

TEST(ChannelParking, SleepingBoundedReceiverIsWokenBySend) {
  using Array = fearless::detail::ArrayChannel<int>;
  auto [tx, rx] = fearless::sync_channel<int>(2);
  std::thread t([&rx = rx] {
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(rx.recv().value(), i);
  });
  const Array &chan = channel_of<Array>(tx);
  for (int i = 0; i < 3; ++i) {
    wait_until([&] { return chan.receiver_parked(); });
    ASSERT_TRUE(tx.send(i));
  }
  t.join();
}

TYPED_TEST(BufferedChannel, ShortTimeoutsRacingSendsLoseNothing) {
  // Timeouts that expire while a sender is waking the receiver: the wake-up
  // must not be lost, nor a message.
  constexpr int kCount = 2000;
  auto [tx, rx] = TypeParam::template make<int>();
  std::thread producer([tx = std::move(tx)] {
    for (int i = 0; i < kCount; ++i) {
      EXPECT_TRUE(tx.send(i));
      if (i % 7 == 0)
        std::this_thread::yield();
    }
  });
  int next = 0;
  while (next < kCount) {
    auto r = rx.recv_timeout(20us);
    if (r)
      ASSERT_EQ(*r, next++);
    else
      ASSERT_TRUE(r.error() == fearless::RecvTimeoutError::timeout);
  }
  producer.join();
  EXPECT_EQ(rx.recv().error(), fearless::RecvError{});
}

// --- rendezvous ----------------------------------------------------------------

TEST(RendezvousChannel, TrySendFailsWithoutWaitingReceiver) {
  auto [tx, rx] = fearless::sync_channel<int>(0);
  auto r = tx.try_send(1);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is_full());
  EXPECT_EQ(std::move(r).error().into_inner(), 1);
  EXPECT_EQ(rx.try_recv().error(), fearless::TryRecvError::empty);
}

TEST(RendezvousChannel, SendReturnsOnlyAfterTheReceiverTookTheValue) {
  auto [tx, rx] = fearless::sync_channel<int>(0);
  std::atomic<bool> returned{false};
  std::thread t([&returned, tx = std::move(tx)] {
    EXPECT_TRUE(tx.send(1));
    returned = true;
  });
  // No recv yet: the send cannot have completed.
  EXPECT_FALSE(returned);
  EXPECT_EQ(rx.recv().value(), 1);
  t.join();
  EXPECT_TRUE(returned);
}

TEST(RendezvousChannel, SendTimeoutWithoutReceiverReturnsValue) {
  auto [tx, rx] = fearless::sync_channel<std::string>(0);
  auto r = tx.send_timeout("hello", 1ms);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().is_timeout());
  EXPECT_EQ(std::move(r).error().into_inner(), "hello");
}

TEST(RendezvousChannel, BlockedSenderFailsWhenReceiverDrops) {
  auto [tx, rx] = fearless::sync_channel<std::string>(0);
  std::thread t([tx = std::move(tx)] {
    auto r = tx.send("lost?");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(std::move(r).error().into_inner(), "lost?");
  });
  { auto drop = std::move(rx); }
  t.join();
}

TEST(RendezvousChannel, ManySendersEachHandOffOnce) {
  auto [tx, rx] = fearless::sync_channel<int>(0);
  std::vector<std::thread> threads;
  for (int s = 0; s < 4; ++s)
    threads.emplace_back([tx, s] {
      for (int i = 0; i < 50; ++i)
        EXPECT_TRUE(tx.send(s * 1000 + i));
    });
  { auto drop = std::move(tx); }
  long sum = 0;
  int n = 0;
  for (int v : rx) {
    sum += v;
    ++n;
  }
  for (auto &t : threads)
    t.join();
  EXPECT_EQ(n, 200);
  EXPECT_EQ(sum, 4 * (50 * 49 / 2) + 1000 * 50 * (0 + 1 + 2 + 3));
}

// --- Result --------------------------------------------------------------------

TEST(ChannelResult, ValueOnErrorThrowsWithTheErrorText) {
  auto [tx, rx] = fearless::channel<int>();
  { auto drop = std::move(tx); }
  auto r = rx.recv();
  try {
    (void)r.value();
    FAIL() << "value() must throw";
  } catch (const fearless::BadResultAccess &e) {
    EXPECT_STREQ(e.what(), "receiving on a closed channel");
  }
  EXPECT_EQ(std::move(r).value_or(-1), -1);
}

TEST(ChannelResult, VoidResultValueThrowsOnSendError) {
  auto [tx, rx] = fearless::channel<int>();
  { auto drop = std::move(rx); }
  EXPECT_THROW(tx.send(1).value(), fearless::BadResultAccess);
}

} // namespace
