// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/channel_array.h - the bounded flavor (sync_channel(n), n>0).
//
// A ring of `cap_` slots, each with a stamp (Dmitry Vyukov's bounded queue,
// as in crossbeam-channel's "array" flavor, specialised for one receiver):
//
//   - positions are (lap, index) packed into one word: index in the low
//     bits, then the disconnection mark bit, then the lap;
//   - a slot whose stamp equals the tail position is free for that position:
//     a sender claims it with a CAS on `tail_`, writes, and sets the stamp to
//     tail + 1 ("full for this lap");
//   - the receiver, alone on `head_`, reads a slot whose stamp is head + 1
//     and sets it to head + one_lap ("free for the next lap").
//
// A sender that finds the ring full snoozes until the receiver has emptied
// half of it (wait_for_room), not just one slot, then fills what was freed
// in a burst; only if the ring stays full does it park in `send_waiters_`,
// and the receiver wakes one per message it takes. The receiver parks in
// `recv_waiters_`.
#ifndef FEARLESS_DETAIL_CHANNEL_ARRAY_H_
#define FEARLESS_DETAIL_CHANNEL_ARRAY_H_

#include "fearless/detail/channel_core.h"

#include <atomic>
#include <bit>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <utility>

namespace fearless::detail {

template <class T> class ArrayChannel final : public ChannelCore {
public:
  explicit ArrayChannel(std::size_t cap)
      : ChannelCore(Flavor::array), cap_(cap),
        mark_bit_(std::bit_ceil(cap + 1)), one_lap_(mark_bit_ * 2),
        slots_(new Slot[cap]) {
    for (std::size_t i = 0; i < cap_; ++i)
      slots_[i].stamp.store(i, std::memory_order_relaxed);
  }
  ~ArrayChannel() override { drain(); }

  /// Number of messages the channel holds before `send` blocks.
  std::size_t capacity() const noexcept { return cap_; }

  /// Stores `value` if there is room (moved from only on success).
  Status try_send(T &value) noexcept {
    Backoff backoff;
    std::size_t tail = tail_.load(std::memory_order_relaxed);
    for (;;) {
      if ((tail & mark_bit_) != 0)
        return Status::disconnected;
      const std::size_t index = tail & (mark_bit_ - 1);
      const std::size_t lap = tail & ~(one_lap_ - 1);
      Slot &slot = slots_[index];
      const std::size_t stamp = slot.stamp.load(std::memory_order_acquire);
      if (stamp == tail) {
        const std::size_t next = index + 1 < cap_ ? tail + 1 : lap + one_lap_;
        // seq_cst: the publication half of the WaitQueue protocol.
        if (tail_.compare_exchange_weak(tail, next, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
          ::new (static_cast<void *>(slot.storage)) T(std::move(value));
          slot.stamp.store(tail + 1, std::memory_order_release);
          recv_waiters_.notify_one();
          return Status::ok;
        }
        backoff.spin();
      } else if (stamp + one_lap_ == tail + 1) {
        // The slot still holds last lap's message, so the receiver has not
        // taken position tail - one_lap: the ring is full. (The receiver
        // takes positions in order; nothing but the stamp needs reading,
        // so a waiting sender leaves the receiver's cache lines alone.)
        return Status::would_block;
      } else {
        // Another sender claimed this position and has not stored yet.
        backoff.snooze();
        tail = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  /// Stores `value`, waiting for room until `deadline` (nullptr: forever).
  Status send(T &value, Deadline deadline, HandleNode *who) {
    for (;;) {
      Backoff backoff;
      do {
        const Status s = try_send(value);
        if (s != Status::would_block)
          return s;
        wait_for_room(backoff);
      } while (!backoff.completed());
      if (deadline != nullptr && Clock::now() >= *deadline) {
        const Status s = try_send(value);
        return s == Status::would_block ? Status::timeout : s;
      }
      who->touch();
      send_waiters_.wait([this] { return send_ready(); }, deadline, this,
                         WaitKind::channel_send);
    }
  }

  /// Takes the next message into `out` if there is one.
  Status try_recv(std::optional<T> &out) noexcept {
    Backoff backoff;
    for (;;) {
      const std::size_t head = head_.load(std::memory_order_relaxed);
      const std::size_t index = head & (mark_bit_ - 1);
      const std::size_t lap = head & ~(one_lap_ - 1);
      Slot &slot = slots_[index];
      const std::size_t stamp = slot.stamp.load(std::memory_order_acquire);
      if (stamp == head + 1) {
        const std::size_t next = index + 1 < cap_ ? head + 1 : lap + one_lap_;
        T *ptr = std::launder(reinterpret_cast<T *>(slot.storage));
        out.emplace(std::move(*ptr));
        ptr->~T();
        slot.stamp.store(head + one_lap_, std::memory_order_release);
        // seq_cst: the publication half of the WaitQueue protocol (a
        // sender's send_ready() reads head_). The locked store lands on
        // head_'s line, which senders read only when the ring is full, not
        // on the slot's, which a sender waiting for room is spinning on.
        head_.store(next, std::memory_order_seq_cst);
        send_waiters_.notify_one();
        return Status::ok;
      }
      std::atomic_thread_fence(std::memory_order_seq_cst);
      const std::size_t tail = tail_.load(std::memory_order_relaxed);
      if ((tail & ~mark_bit_) == head)
        return (tail & mark_bit_) != 0 ? Status::disconnected
                                       : Status::would_block;
      // A sender claimed the slot and is writing it right now.
      backoff.snooze();
    }
  }

  /// Waits for a message until `deadline` (nullptr: forever).
  Status recv(std::optional<T> &out, Deadline deadline, HandleNode *who) {
    for (;;) {
      Backoff backoff;
      do {
        const Status s = try_recv(out);
        if (s != Status::would_block)
          return s;
        backoff.snooze();
      } while (!backoff.completed());
      if (deadline != nullptr && Clock::now() >= *deadline) {
        const Status s = try_recv(out);
        return s == Status::would_block ? Status::timeout : s;
      }
      who->touch();
      recv_waiters_.wait([this] { return recv_ready(); }, deadline, this,
                         WaitKind::channel_recv);
    }
  }

  /// For tests: the receiver is asleep in recv; senders asleep in send.
  bool receiver_parked() const noexcept { return recv_waiters_.parked() != 0; }
  std::size_t parked_senders() const noexcept { return send_waiters_.parked(); }

  void disconnect_senders() noexcept override {
    tail_.fetch_or(mark_bit_, std::memory_order_seq_cst);
    recv_waiters_.notify_all();
  }
  void disconnect_receivers() noexcept override {
    tail_.fetch_or(mark_bit_, std::memory_order_seq_cst);
    send_waiters_.notify_all();
    drain();
  }

private:
  struct Slot {
    std::atomic<std::size_t> stamp{0};
    alignas(T) unsigned char storage[sizeof(T)];
  };

  /// Snoozes until the slot half a ring past the senders' position is free
  /// or `backoff` completes. Waiting for one free slot kept sender and
  /// receiver in lockstep on the same slots: every message moved a cache
  /// line between the two cores two or three times, and the receiver's
  /// locked store waited for it (2-thread throughput about 30 ns a message).
  /// Half a ring apart, each side works on lines the other left long ago.
  /// The receiver still has half a ring to take meanwhile, so this delays
  /// no message; and `send` retries on whatever room there is before it
  /// parks, so it never sleeps while there is room.
  void wait_for_room(Backoff &backoff) const noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if ((tail & mark_bit_) != 0)
      return;
    const std::size_t index = tail & (mark_bit_ - 1);
    const std::size_t lap = tail & ~(one_lap_ - 1);
    const std::size_t ahead = cap_ / 2;
    const std::size_t pos = index + ahead < cap_
                                ? tail + ahead
                                : lap + one_lap_ + (index + ahead - cap_);
    // The stamp of the slot for `pos` while it still holds last lap's
    // message (see try_send's full test).
    const std::size_t taken = pos - one_lap_ + 1;
    const Slot &slot = slots_[pos & (mark_bit_ - 1)];
    do
      backoff.snooze();
    while (!backoff.completed() &&
           slot.stamp.load(std::memory_order_relaxed) == taken);
  }

  bool recv_ready() const noexcept {
    const std::size_t tail = tail_.load(std::memory_order_seq_cst);
    return (tail & mark_bit_) != 0 ||
           tail != head_.load(std::memory_order_relaxed);
  }
  /// The ring is not full (the receiver's position is less than a lap
  /// behind the senders'), or the channel is disconnected.
  bool send_ready() const noexcept {
    const std::size_t tail = tail_.load(std::memory_order_seq_cst);
    const std::size_t head = head_.load(std::memory_order_seq_cst);
    return (tail & mark_bit_) != 0 || head + one_lap_ != tail;
  }

  /// Drops every message still in the ring, waiting for senders that
  /// claimed a slot before the disconnection mark to finish writing.
  void drain() noexcept {
    const std::size_t tail =
        tail_.load(std::memory_order_acquire) & ~mark_bit_;
    std::size_t head = head_.load(std::memory_order_relaxed);
    while (head != tail) {
      const std::size_t index = head & (mark_bit_ - 1);
      const std::size_t lap = head & ~(one_lap_ - 1);
      Slot &slot = slots_[index];
      Backoff backoff;
      while (slot.stamp.load(std::memory_order_acquire) != head + 1)
        backoff.snooze();
      std::launder(reinterpret_cast<T *>(slot.storage))->~T();
      slot.stamp.store(head + one_lap_, std::memory_order_release);
      head = index + 1 < cap_ ? head + 1 : lap + one_lap_;
    }
    head_.store(head, std::memory_order_relaxed);
  }

  const std::size_t cap_;
  const std::size_t mark_bit_; ///< first bit above the index bits
  const std::size_t one_lap_;  ///< one lap: the bit above the mark
  const std::unique_ptr<Slot[]> slots_;
  // The receiver's position: written only by the Receiver (and by the
  // destructor, which runs after both sides released the channel). Senders
  // read it only to decide whether to sleep (send_ready); on their fast path
  // a slot's stamp says whether the ring is full.
  alignas(kCacheLine) std::atomic<std::size_t> head_{0};
  // The senders' position and the disconnection mark.
  alignas(kCacheLine) std::atomic<std::size_t> tail_{0};
  alignas(kCacheLine) WaitQueue recv_waiters_;
  WaitQueue send_waiters_;
};

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_CHANNEL_ARRAY_H_
