// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/channel_core.h - what every channel flavor shares.
//
// The flavors (channel_list.h unbounded, channel_array.h bounded,
// channel_zero.h rendezvous) are built from the pieces here:
//
//   ChannelCore  the non-template base of every channel: live handle counts,
//                the registry of live handles (what the tracker asks when a
//                thread blocks), and "who frees the channel";
//   WaitQueue    the blocking slow path: a FIFO of parked threads, each with
//                its own condition variable, behind an atomic count so that
//                the fast path of the other side costs one load;
//   Backoff      spin, then yield, before parking (crossbeam's policy);
//   Status       what a flavor operation did, mapped to the public error
//                types by channel.h.
//
// Tracker interface: for WaitKind::channel_send / channel_recv the `object`
// passed to fearless::detail::on_block is a `const ChannelCore*`. A receiver
// waits for any live sender, a sender waits for the receiver:
// `live_handles(ChannelSide::sender)` counts them, and `for_each_handle`
// enumerates them with the thread that created each or last blocked on it,
// and the reach stamp (race_hooks.h) of its making or last move.
#ifndef FEARLESS_DETAIL_CHANNEL_CORE_H_
#define FEARLESS_DETAIL_CHANNEL_CORE_H_

#include "fearless/detail/annotated_mutex.h"
#include "fearless/detail/cpu_relax.h"
#include "fearless/detail/futex.h"
#include "fearless/detail/hooks.h"
#include "fearless/thread_safety.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <utility>

namespace fearless::detail {

/// Result of a flavor operation. On anything but `ok` a send leaves the
/// value with the caller.
enum class Status : std::uint8_t {
  ok,
  would_block, ///< full (send) or empty (recv)
  disconnected,
  timeout,
};

/// Which flavor a channel is; Receiver and SyncSender dispatch on it.
enum class Flavor : std::uint8_t { list, array, zero };

/// The two ends of a channel.
enum class ChannelSide : std::uint8_t { sender, receiver };

using Clock = std::chrono::steady_clock;
/// An optional deadline: nullptr waits forever.
using Deadline = const Clock::time_point *;

/// `now + d`, saturated so that huge timeouts do not overflow.
template <class Rep, class Period>
Clock::time_point deadline_after(std::chrono::duration<Rep, Period> d) {
  const auto now = Clock::now();
  if (d <= d.zero())
    return now;
  using Dur = Clock::duration;
  const auto room = std::chrono::duration_cast<std::chrono::duration<double>>(
      Clock::time_point::max() - now);
  if (std::chrono::duration<double>(d) >= room)
    return Clock::time_point::max();
  return now + std::chrono::ceil<Dur>(d);
}

/// Cache line size used to keep the producers' and the consumer's hot
/// fields apart.
inline constexpr std::size_t kCacheLine = 64;

/// Exponential backoff: busy-spin for short waits, then yield the CPU.
/// `completed()` / `spun_out()` say it is time to park instead.
class Backoff {
public:
  /// Backs off in a lock-free loop (another thread made progress).
  void spin() noexcept {
    for (unsigned i = 0; i < (1u << (step_ < kSpinLimit ? step_ : kSpinLimit));
         ++i)
      cpu_relax();
    if (step_ <= kSpinLimit)
      ++step_;
  }
  /// Backs off while waiting for another thread to finish something.
  void snooze() noexcept {
    if (step_ <= kSpinLimit) {
      for (unsigned i = 0; i < (1u << step_); ++i)
        cpu_relax();
    } else {
      std::this_thread::yield();
    }
    if (step_ <= kYieldLimit)
      ++step_;
  }
  /// True once snooze() has run its course. The blocking send/recv paths
  /// snooze (spin, then yield) that long before they park, as crossbeam
  /// does: on an idle 2-core machine a peer that answers within a few
  /// yields costs neither side a futex wait and wake (ping-pong round trip
  /// 1.2-2 us instead of 16-18 us). Only then do they park.
  [[nodiscard]] bool completed() const noexcept { return step_ > kYieldLimit; }
  /// True once spin() has run its course (WaitQueue's last check before a
  /// registered waiter sleeps).
  [[nodiscard]] bool spun_out() const noexcept { return step_ > kSpinLimit; }

private:
  // crossbeam's limits: up to 1 << 6 pauses, then yields up to step 10.
  // (1 << 4 measured better on this 2-core VM while it was loaded; idle,
  // 1 << 6 makes 2-thread unbounded throughput 27-28 ns a message instead
  // of 34-36 and a ping-pong round trip 1.2-1.4 us instead of 1.8-2.0.)
  // The blocking paths snooze this long before they register as waiters,
  // and spin once more after.
  static constexpr unsigned kSpinLimit = 6;
  static constexpr unsigned kYieldLimit = 10;
  unsigned step_ = 0;
};

/// The channels' internal lock (detail/annotated_mutex.h), so that their
/// fields can be FEARLESS_GUARDED_BY it. (fearless::Mutex<T> is the public
/// primitive; this one is untracked: the tracker must not see the channels'
/// internal locks as user locks.)
using ChannelMutex = AnnotatedMutex;
/// Scoped lock on a ChannelMutex; `native()` is what a condition variable
/// waits with.
using ChannelLock = AnnotatedLock;

/// One live handle (Sender, SyncSender or Receiver), as the tracker sees it.
struct HandleInfo {
  const void *handle;       ///< address of the handle object
  ChannelSide side;         ///< which end it is
  std::thread::id last_user; ///< thread that created it or last blocked on it
  std::uint64_t stamp;       ///< reach stamp of its making or last move
};

class ChannelCore;

/// Embedded in every handle: links it into its channel's registry.
class HandleNode {
public:
  HandleNode() = default;
  HandleNode(const HandleNode &) = delete;
  HandleNode &operator=(const HandleNode &) = delete;

  /// Records the calling thread as the one using this handle.
  void touch() noexcept {
    last_user_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  }

private:
  friend class ChannelCore;
  HandleNode *prev_ = nullptr;
  HandleNode *next_ = nullptr;
  const void *handle_ = nullptr;
  ChannelSide side_ = ChannelSide::sender;
  std::uint64_t stamp_ = 0; // reach (race_hooks.h): who may hold it
  std::atomic<std::thread::id> last_user_{};
};

/// The non-template base of every channel.
///
/// Invariant: `senders_` and `receivers_` count live handles; the side whose
/// count drops to zero disconnects, and whichever side disconnects second
/// deletes the channel (`destroy_`).
class ChannelCore {
public:
  ChannelCore(const ChannelCore &) = delete;
  ChannelCore &operator=(const ChannelCore &) = delete;
  virtual ~ChannelCore() = default;

  /// Number of live handles on `side` (for the tracker: a receiver blocked
  /// while every holder of a live sender is blocked is deadlocked).
  std::size_t live_handles(ChannelSide side) const noexcept {
    return (side == ChannelSide::sender ? senders_ : receivers_)
        .load(std::memory_order_acquire);
  }

  /// Calls `f(const HandleInfo&)` for every live handle on `side`. `f` runs
  /// under the registry lock: it must not block or touch the channel.
  template <class F> void for_each_handle(ChannelSide side, F &&f) const {
    ChannelLock lock(registry_mu_);
    for (const HandleNode *n = handles_; n != nullptr; n = n->next_)
      if (n->side_ == side)
        f(HandleInfo{n->handle_, n->side_,
                     n->last_user_.load(std::memory_order_relaxed),
                     n->stamp_});
  }

  /// The flavor of this channel (Receiver and SyncSender dispatch on it).
  Flavor flavor() const noexcept { return flavor_; }

  /// Links a new handle. The count was already taken (`acquire_handle`) or
  /// is the initial one.
  void register_handle(HandleNode &node, const void *handle,
                       ChannelSide side) noexcept {
    node.handle_ = handle;
    node.side_ = side;
    // Made or moved here: only the calling thread, and whoever
    // synchronises with it from now on, can reach the handle.
    node.stamp_ = reach_stamp();
    node.touch();
    ChannelLock lock(registry_mu_);
    node.prev_ = nullptr;
    node.next_ = handles_;
    if (handles_ != nullptr)
      handles_->prev_ = &node;
    handles_ = &node;
  }
  void unregister_handle(HandleNode &node) noexcept {
    ChannelLock lock(registry_mu_);
    if (node.prev_ != nullptr)
      node.prev_->next_ = node.next_;
    else
      handles_ = node.next_;
    if (node.next_ != nullptr)
      node.next_->prev_ = node.prev_;
    node.prev_ = node.next_ = nullptr;
  }

  /// Happens-before for the race detector (detail/race_hooks.h): one
  /// channel-wide clock. A send releases into it before the value is
  /// published, a receive acquires it after taking one: it may order a
  /// receive after sends it did not see (never the reverse).
  void race_release() noexcept { race_.release(); }
  void race_acquire() noexcept { race_.acquire(); }

  /// A copy of a sender was made: one more live sender.
  void acquire_sender() noexcept {
    senders_.fetch_add(1, std::memory_order_relaxed);
  }

  /// Drops one handle on `side`; the last one disconnects that side, and
  /// the second side to disconnect deletes the channel (`this` may be gone
  /// afterwards).
  void release(ChannelSide side) noexcept {
    auto &count = side == ChannelSide::sender ? senders_ : receivers_;
    if (count.fetch_sub(1, std::memory_order_acq_rel) != 1)
      return;
    if (side == ChannelSide::sender)
      disconnect_senders();
    else
      disconnect_receivers();
    if (destroy_.exchange(true, std::memory_order_acq_rel))
      delete this;
  }

protected:
  explicit ChannelCore(Flavor flavor) noexcept : flavor_(flavor) {}

  /// The last sender is gone: wake a waiting receiver so it sees it.
  virtual void disconnect_senders() noexcept = 0;
  /// The receiver is gone: refuse new messages, wake waiting senders and
  /// drop the queued messages (on the receiver's thread, as in Rust).
  virtual void disconnect_receivers() noexcept = 0;

private:
  const Flavor flavor_;
  std::atomic<std::size_t> senders_{1};
  std::atomic<std::size_t> receivers_{1};
  std::atomic<bool> destroy_{false};
  mutable ChannelMutex registry_mu_;
  HandleNode *handles_ FEARLESS_GUARDED_BY(registry_mu_) = nullptr;
  RaceSyncCell race_;
};

/// What every handle (Sender, SyncSender, Receiver) is built on: owns one
/// count on its side of the channel and is linked into its registry.
/// Invariant: `chan_ != nullptr` iff the handle is live and registered; a
/// moved-from handle behaves as disconnected.
class ChannelHandle {
public:
  ChannelHandle(const ChannelHandle &) = delete;
  ChannelHandle &operator=(const ChannelHandle &) = delete;

protected:
  ChannelHandle() noexcept = default;
  ChannelHandle(ChannelCore *chan, ChannelSide side) noexcept
      : chan_(chan), side_(side) {
    chan_->register_handle(node_, this, side_);
  }
  ~ChannelHandle() { reset(); }

  /// Copy (senders only): one more live sender.
  void copy_from(const ChannelHandle &other) noexcept {
    chan_ = other.chan_;
    side_ = other.side_;
    if (chan_ != nullptr) {
      chan_->acquire_sender();
      chan_->register_handle(node_, this, side_);
    }
  }
  /// Move: `other` becomes empty.
  void move_from(ChannelHandle &other) noexcept {
    side_ = other.side_;
    chan_ = std::exchange(other.chan_, nullptr);
    if (chan_ != nullptr) {
      chan_->unregister_handle(other.node_);
      chan_->register_handle(node_, this, side_);
    }
  }
  void reset() noexcept {
    if (ChannelCore *chan = std::exchange(chan_, nullptr)) {
      chan->unregister_handle(node_);
      chan->release(side_);
      on_handle_dropped();
    }
  }

  ChannelCore *chan_ = nullptr;
  ChannelSide side_ = ChannelSide::sender;
  mutable HandleNode node_;
};

/// Parks the calling thread while `*word == expected`, until futex_wake on
/// `word`, `deadline` (nullptr: none) or a spurious wake-up (detail/futex.h).
inline void futex_wait(std::atomic<std::uint32_t> *word, std::uint32_t expected,
                       Deadline deadline) noexcept {
  timespec ts{};
  const timespec *timeout = nullptr;
  if (deadline != nullptr && *deadline != Clock::time_point::max()) {
    // steady_clock is CLOCK_MONOTONIC, the clock futex::wait takes.
    ts = to_steady_timespec(*deadline);
    timeout = &ts;
  }
  futex::wait(*word, expected, timeout); // the caller re-checks
}
/// Wakes one thread parked on `word`. Only the address is used: `word` may
/// already be destroyed (see futex::wake).
inline void futex_wake(const std::atomic<std::uint32_t> *word) noexcept {
  futex::wake(word, 1);
}

/// Threads parked until the other side makes progress.
///
/// Protocol (no lost wake-up): a waiter enqueues itself and bumps `count_`
/// (seq_cst) under `mu_`, then re-checks the channel with seq_cst loads
/// before it sleeps; a notifier publishes its change with a seq_cst RMW or
/// store and then reads `count_` (seq_cst). In the single total order one of
/// the two sees the other: either the waiter's re-check sees the change, or
/// the notifier sees the waiter and wakes it.
///
/// A notifier dequeues the waiter and marks it under `mu_`, and issues the
/// wake-up (a futex wake, a system call) after releasing `mu_`, so the woken
/// thread never runs into a held lock. A waiter spins a little on its state
/// before it sleeps, and announces the sleep (kParked); a notifier that finds
/// it still spinning only stores, so a quick hand-over costs no system call
/// on either side (Rust's thread::park/unpark states).
class WaitQueue {
public:
  /// Wakes the oldest waiter, if any. One seq_cst load when nobody waits.
  void notify_one() noexcept {
    if (count_.load(std::memory_order_seq_cst) != 0)
      notify_slow(false);
  }
  /// Wakes every waiter (disconnection).
  void notify_all() noexcept {
    if (count_.load(std::memory_order_seq_cst) != 0)
      notify_slow(true);
  }

  /// For tests: how many waiters are asleep on the futex (not spinning).
  std::size_t parked() const noexcept {
    ChannelLock lock(mu_);
    std::size_t n = 0;
    for (const Waiter *w = head_; w != nullptr; w = w->next)
      n += w->state.load(std::memory_order_relaxed) == kParked ? 1 : 0;
    return n;
  }

  /// Parks the calling thread until notified or `deadline` passes, unless
  /// `ready()` (the seq_cst re-check) is already true. Returns false on
  /// timeout; true means "try again". Calls the tracker hooks around the
  /// sleep.
  template <class Ready>
  bool wait(Ready &&ready, Deadline deadline, const ChannelCore *chan,
            WaitKind kind) {
    Waiter self;
    {
      ChannelLock lock(mu_);
      push(self);
      if (ready()) {
        remove(self);
        return true;
      }
    }
    if (spin_until_notified(self))
      return true;
    on_block(chan, kind, deadline != nullptr);
    const bool notified = park(self, deadline);
    on_unblock(chan);
    if (notified)
      return true;
    ChannelLock lock(mu_);
    // A notifier may have dequeued us between the timeout and the lock.
    if (self.state.load(std::memory_order_acquire) == kNotified)
      return true;
    remove(self);
    return false;
  }

private:
  // A waiter's state: kWaiting (queued, still awake), kParked (asleep or
  // about to be, on the futex), kNotified (dequeued by a notifier). Only a
  // kParked waiter costs the notifier a system call.
  static constexpr std::uint32_t kWaiting = 0;
  static constexpr std::uint32_t kParked = 1;
  static constexpr std::uint32_t kNotified = 2;
  struct Waiter {
    std::atomic<std::uint32_t> state{kWaiting};
    Waiter *prev = nullptr;
    Waiter *next = nullptr;
  };

  void push(Waiter &w) FEARLESS_REQUIRES(mu_) {
    w.prev = tail_;
    w.next = nullptr;
    if (tail_ != nullptr)
      tail_->next = &w;
    else
      head_ = &w;
    tail_ = &w;
    count_.fetch_add(1, std::memory_order_seq_cst);
  }
  void remove(Waiter &w) FEARLESS_REQUIRES(mu_) {
    if (w.prev != nullptr)
      w.prev->next = w.next;
    else
      head_ = w.next;
    if (w.next != nullptr)
      w.next->prev = w.prev;
    else
      tail_ = w.prev;
    w.prev = w.next = nullptr;
    count_.fetch_sub(1, std::memory_order_seq_cst);
  }
  /// Spins briefly for kNotified: a notification that comes soon costs
  /// neither side a system call, nor the tracker a blocked thread.
  static bool spin_until_notified(const Waiter &self) noexcept {
    for (Backoff backoff; !backoff.spun_out(); backoff.spin())
      if (self.state.load(std::memory_order_acquire) == kNotified)
        return true;
    return false;
  }

  /// Sleeps on the futex until kNotified. Returns false if `deadline`
  /// passed first.
  static bool park(Waiter &self, Deadline deadline) noexcept {
    std::uint32_t state = kWaiting;
    // Invariant: a notifier that swaps in kNotified after this CAS sees
    // kParked and wakes the futex; one that swapped before makes it fail.
    if (!self.state.compare_exchange_strong(state, kParked,
                                            std::memory_order_acq_rel,
                                            std::memory_order_acquire))
      return true; // state is kNotified: only a notifier changes kWaiting
    for (;;) {
      if (self.state.load(std::memory_order_acquire) == kNotified)
        return true;
      if (deadline != nullptr && Clock::now() >= *deadline)
        return false;
      futex_wait(&self.state, kParked, deadline);
    }
  }

  void notify_slow(bool all) noexcept {
    for (;;) {
      const std::atomic<std::uint32_t> *word;
      std::uint32_t was;
      {
        ChannelLock lock(mu_);
        Waiter *w = head_;
        if (w == nullptr)
          return;
        remove(*w);
        word = &w->state;
        // Safety: after this exchange the waiter may return and its Waiter
        // die; from here on only the address `word` is used (futex_wake).
        was = w->state.exchange(kNotified, std::memory_order_acq_rel);
      }
      if (was == kParked)
        futex_wake(word);
      if (!all)
        return;
    }
  }

  mutable ChannelMutex mu_;
  Waiter *head_ FEARLESS_GUARDED_BY(mu_) = nullptr;
  Waiter *tail_ FEARLESS_GUARDED_BY(mu_) = nullptr;
  std::atomic<std::size_t> count_{0};
};

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_CHANNEL_CORE_H_
