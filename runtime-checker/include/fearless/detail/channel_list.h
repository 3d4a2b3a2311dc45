// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/channel_list.h - the unbounded flavor (fearless::channel).
//
// A linked list of blocks of kBlockCap slots (crossbeam-channel's "list"
// flavor, specialised for a single receiver):
//
//   - a sender claims a position with one CAS on `tail_.index`, writes the
//     value into its slot and sets the slot's kWritten bit;
//   - the receiver owns `head_` outright (there is exactly one Receiver), so
//     it reads the next slot's state and, on the fast path, never touches
//     the senders' cache line;
//   - the sender that claims a block's last slot installs the next block,
//     and the receiver recycles a block once it has read all of its slots:
//     it pushes it on a stack of spare blocks that the next installer pops
//     (up to about 1 MiB; beyond that it frees it). A producer that
//     outruns its consumer otherwise makes the allocator grow and trim its
//     heap over and over (mprotect, madvise and page faults cost more than
//     the rest of a send).
//
// Positions are counted in units of 1 << kShift; bit 0 of the tail index is
// the disconnection mark. Position kBlockCap within a lap of kLap positions
// is never a slot: it means "the next block is being installed".
#ifndef FEARLESS_DETAIL_CHANNEL_LIST_H_
#define FEARLESS_DETAIL_CHANNEL_LIST_H_

#include "fearless/detail/channel_core.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <utility>

namespace fearless::detail {

template <class T> class ListChannel final : public ChannelCore {
public:
  ListChannel() : ChannelCore(Flavor::list) {
    Block *first = new Block;
    tail_.block.store(first, std::memory_order_relaxed);
    head_block_ = first;
  }
  ~ListChannel() override {
    // Both sides are gone (ChannelCore::release ordered us after them):
    // drop what was never received and free the blocks.
    drain();
    delete head_block_;
    for (Block *b = spare_.load(std::memory_order_acquire); b != nullptr;) {
      Block *next = b->next.load(std::memory_order_relaxed);
      delete b;
      b = next;
    }
  }

  /// Appends `value` (moved from only on success). Never blocks.
  Status send(T &value) noexcept {
    Backoff backoff;
    std::size_t tail = tail_.index.load(std::memory_order_acquire);
    Block *block = tail_.block.load(std::memory_order_acquire);
    for (;;) {
      if ((tail & kMark) != 0)
        return Status::disconnected;
      const std::size_t offset = (tail >> kShift) % kLap;
      if (offset == kBlockCap) {
        // Another sender is installing the next block.
        backoff.snooze();
        tail = tail_.index.load(std::memory_order_acquire);
        block = tail_.block.load(std::memory_order_acquire);
        continue;
      }
      // seq_cst: the publication half of the WaitQueue protocol.
      if (tail_.index.compare_exchange_weak(tail, tail + (1u << kShift),
                                            std::memory_order_seq_cst,
                                            std::memory_order_acquire)) {
        if (offset + 1 == kBlockCap) {
          // We took the last slot: install the next block before anything
          // else, so that the receiver finds `next` once it read our slot.
          // Invariant: until the fetch_add below no other sender can claim a
          // slot, so we are the only thread popping spare blocks.
          Block *next = take_spare();
          tail_.block.store(next, std::memory_order_release);
          tail_.index.fetch_add(1u << kShift, std::memory_order_release);
          block->next.store(next, std::memory_order_release);
        }
        Slot &slot = block->slots[offset];
        ::new (static_cast<void *>(slot.storage)) T(std::move(value));
        // Our last access to `block`: after this the receiver may free it.
        // A plain release store: only this sender writes the state, and the
        // wake-up protocol is ordered by the seq_cst CAS above.
        slot.state.store(kWritten, std::memory_order_release);
        recv_waiters_.notify_one();
        return Status::ok;
      }
      block = tail_.block.load(std::memory_order_acquire);
      backoff.spin();
    }
  }

  /// Takes the next message into `out` if there is one.
  Status try_recv(std::optional<T> &out) noexcept {
    Slot &slot = head_block_->slots[(head_ >> kShift) % kLap];
    if ((slot.state.load(std::memory_order_acquire) & kWritten) == 0) {
      const std::size_t tail = tail_.index.load(std::memory_order_seq_cst);
      if ((tail >> kShift) == (head_ >> kShift))
        return (tail & kMark) != 0 ? Status::disconnected
                                   : Status::would_block;
      // A sender claimed the slot and is writing it right now.
      Backoff backoff;
      while ((slot.state.load(std::memory_order_acquire) & kWritten) == 0)
        backoff.snooze();
    }
    T *ptr = std::launder(reinterpret_cast<T *>(slot.storage));
    out.emplace(std::move(*ptr));
    ptr->~T();
    advance();
    return Status::ok;
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

  /// For tests: messages per block, emptied blocks kept for reuse now, and
  /// the most that are kept.
  static constexpr std::size_t block_capacity() noexcept { return kBlockCap; }
  std::size_t spare_blocks() const noexcept {
    return spare_count_.load(std::memory_order_relaxed);
  }
  static constexpr std::size_t max_spare_blocks() noexcept { return kMaxSpare; }
  /// For tests: the receiver is asleep in recv.
  bool receiver_parked() const noexcept { return recv_waiters_.parked() != 0; }

  /// The last sender is gone: wake the receiver so it sees the mark.
  void disconnect_senders() noexcept override {
    tail_.index.fetch_or(kMark, std::memory_order_seq_cst);
    recv_waiters_.notify_all();
  }
  /// The receiver is gone: refuse new messages, drop the queued ones now
  /// (their destructors run on the receiver's thread, as in Rust).
  void disconnect_receivers() noexcept override {
    tail_.index.fetch_or(kMark, std::memory_order_seq_cst);
    drain();
  }

private:
  static constexpr std::size_t kShift = 1;
  static constexpr std::size_t kMark = 1;
  static constexpr std::size_t kLap = 32;
  static constexpr std::size_t kBlockCap = kLap - 1;
  static constexpr std::uint32_t kWritten = 1;

  struct Slot {
    std::atomic<std::uint32_t> state{0};
    alignas(T) unsigned char storage[sizeof(T)];
  };
  struct Block {
    std::atomic<Block *> next{nullptr};
    Slot slots[kBlockCap];
  };
  /// At most this many emptied blocks are kept for reuse: about 1 MiB of
  /// the channel's peak size (at least 4 blocks). Less makes a producer that
  /// runs ahead of a descheduled consumer allocate fresh memory again.
  static constexpr std::size_t kSpareBytes = std::size_t{1} << 20;
  static constexpr std::size_t kMaxSpare = sizeof(Block) * 4 >= kSpareBytes
                                               ? 4
                                               : kSpareBytes / sizeof(Block);

  /// A block for the installer: a spare one (reset by the receiver) or a
  /// new one. Invariant: one caller at a time (the installing sender), and
  /// the receiver only pushes, so a popped block cannot come back while we
  /// read its `next` (no ABA).
  Block *take_spare() {
    Block *b = spare_.load(std::memory_order_acquire);
    while (b != nullptr &&
           !spare_.compare_exchange_weak(
               b, b->next.load(std::memory_order_relaxed),
               std::memory_order_acquire, std::memory_order_acquire)) {
    }
    if (b == nullptr)
      return new Block;
    spare_count_.fetch_sub(1, std::memory_order_relaxed);
    b->next.store(nullptr, std::memory_order_relaxed);
    return b;
  }

  /// The receiver read every slot of `b`: keep it for reuse, or free it.
  void recycle(Block *b) noexcept {
    if (spare_count_.load(std::memory_order_relaxed) >= kMaxSpare) {
      delete b;
      return;
    }
    spare_count_.fetch_add(1, std::memory_order_relaxed);
    for (Slot &slot : b->slots)
      slot.state.store(0, std::memory_order_relaxed);
    Block *top = spare_.load(std::memory_order_relaxed);
    do
      b->next.store(top, std::memory_order_relaxed);
    while (!spare_.compare_exchange_weak(top, b, std::memory_order_release,
                                         std::memory_order_relaxed));
  }

  /// A message is there, or the channel is disconnected (WaitQueue re-check).
  bool recv_ready() const noexcept {
    const std::size_t tail = tail_.index.load(std::memory_order_seq_cst);
    return (tail & kMark) != 0 || (tail >> kShift) != (head_ >> kShift);
  }

  /// Moves head_ past the slot just read, freeing a finished block.
  void advance() noexcept {
    const std::size_t offset = (head_ >> kShift) % kLap;
    head_ += 1u << kShift;
    if (offset + 1 == kBlockCap) {
      Block *next;
      Backoff backoff;
      while ((next = head_block_->next.load(std::memory_order_acquire)) ==
             nullptr)
        backoff.snooze();
      recycle(head_block_);
      head_block_ = next;
      head_ += 1u << kShift; // skip the "installing" position
    }
  }

  /// Drops every message between head_ and the (marked, so frozen) tail,
  /// waiting for senders that claimed a slot before the mark to finish.
  void drain() noexcept {
    std::size_t tail;
    Backoff backoff;
    // A sender may be between claiming the last slot and installing the
    // next block; wait until the tail is a real slot position.
    while (((tail = tail_.index.load(std::memory_order_acquire)) >> kShift) %
               kLap ==
           kBlockCap)
      backoff.snooze();
    while ((head_ >> kShift) != (tail >> kShift)) {
      Slot &slot = head_block_->slots[(head_ >> kShift) % kLap];
      Backoff wait;
      while ((slot.state.load(std::memory_order_acquire) & kWritten) == 0)
        wait.snooze();
      std::launder(reinterpret_cast<T *>(slot.storage))->~T();
      advance();
    }
  }

  // Senders' side: one cache line.
  struct alignas(kCacheLine) Tail {
    std::atomic<std::size_t> index{0};
    std::atomic<Block *> block{nullptr};
  };
  Tail tail_;
  // Receiver's side: owned by the one Receiver (and by the destructor, which
  // runs after both sides released the channel).
  alignas(kCacheLine) std::size_t head_ = 0;
  Block *head_block_ = nullptr;
  // Emptied blocks for reuse: pushed by the receiver, popped by the one
  // installing sender (take_spare).
  std::atomic<Block *> spare_{nullptr};
  std::atomic<std::size_t> spare_count_{0};
  // Read by every send: kept off the receiver's line.
  alignas(kCacheLine) WaitQueue recv_waiters_;
};

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_CHANNEL_LIST_H_
