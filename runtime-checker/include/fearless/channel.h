// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/channel.h - multi-producer, single-consumer channels.
//
// Rust's std::sync::mpsc for C++ (docs/runtime/channel.md):
//
//   auto [tx, rx] = fearless::channel<T>();        // unbounded
//   auto [tx, rx] = fearless::sync_channel<T>(n);  // bounded, back-pressure
//   auto [tx, rx] = fearless::sync_channel<T>(0);  // rendezvous
//
// Senders are copyable (every copy is a live sender) and may be used from
// any number of threads; the Receiver is move-only and used by one thread at
// a time. Disconnection works as in Rust: sending after the receiver is gone
// fails and hands the message back; receiving fails once the channel is
// empty and every sender is gone; messages sent before the last sender went
// away are still received.
//
// Errors are values: every operation returns fearless::Result<T, E>
// (std::expected's shape, see detail/channel_result.h); `.value()` on an
// error throws BadResultAccess, like Rust's `unwrap()`. A failed send's
// error owns the message: `std::move(r).error().into_inner()`.
//
// Not guaranteed: an Ok send means the message is in the channel, not that
// it was (or will be) received, except for the rendezvous flavor, where Ok
// means the receiver took it. There is no ordering between messages of
// different senders, only per sender (FIFO).
//
// The message type T must be fearless::Send and nothrow move-constructible.
#ifndef FEARLESS_CHANNEL_H_
#define FEARLESS_CHANNEL_H_

#include "fearless/detail/channel_array.h"
#include "fearless/detail/channel_core.h"
#include "fearless/detail/channel_list.h"
#include "fearless/detail/channel_result.h"
#include "fearless/detail/channel_zero.h"
#include "fearless/detail/errors.h"
#include "fearless/send_sync.h"

#include <chrono>
#include <cstddef>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace fearless {

template <class T> class Sender;
template <class T> class SyncSender;
template <class T> class Receiver;
template <class T> std::pair<Sender<T>, Receiver<T>> channel();
template <class T>
std::pair<SyncSender<T>, Receiver<T>> sync_channel(std::size_t capacity);

namespace detail {

// The requirements on a message type, checked where a channel type is
// instantiated so that the error names the channel, not an internal.
template <class T> consteval bool check_message_type() {
  static_assert(std::is_object_v<T> && !std::is_array_v<T> &&
                    !std::is_const_v<T>,
                "the message type of a fearless channel must be a non-const "
                "object type (not a reference, array or function)");
  static_assert(fearless::Send<T>,
                "the message type of a fearless channel must be "
                "fearless::Send: each message moves to the receiving thread "
                "(see the Send rules in docs/rules.md)");
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "the message type of a fearless channel must be nothrow "
                "move-constructible (a message is moved into the channel "
                "after its slot is claimed)");
  return true;
}

/// Tracker and test access to the channel behind a handle.
struct ChannelInspector {
  template <class Handle>
  static const ChannelCore *core(const Handle &h) noexcept {
    return h.core();
  }
};

} // namespace detail

/// The sending half of an unbounded channel (fearless::channel).
///
/// Copy it to get another live sender (Rust: `clone`); the receiver sees
/// the channel disconnected when every copy is destroyed. One Sender may be
/// used from several threads at once.
template <class T>
class Sender final : private detail::ChannelHandle {
  static_assert(detail::check_message_type<T>());
  using Base = detail::ChannelHandle;

public:
  // Every operation is internally synchronised (Rust: Sender<T>: Sync).
  FEARLESS_THREAD_SAFE_IF(fearless::Send<T>);
  // Moving a Sender to another thread moves the T's it sends from there.
  FEARLESS_SEND_IF(fearless::Send<T>);

  Sender(const Sender &other) noexcept : Base() { this->copy_from(other); }
  Sender(Sender &&other) noexcept : Base() {
    this->move_from(other);
  }
  Sender &operator=(const Sender &other) noexcept {
    if (this != &other) {
      this->reset();
      this->copy_from(other);
    }
    return *this;
  }
  Sender &operator=(Sender &&other) noexcept {
    if (this != &other) {
      this->reset();
      this->move_from(other);
    }
    return *this;
  }

  /// Appends `value` to the channel.
  ///
  /// Blocks: never (the channel is unbounded).
  /// Errors: SendError holding `value` if the receiver is gone (or this
  /// Sender was moved from). Ok does not mean the message was received.
  /// Example:
  ///
  ///   if (auto r = tx.send(job); !r) requeue(std::move(r).error().into_inner());
  Result<void, SendError<T>> send(T value) const {
    if (this->chan_ != nullptr && race_release() &&
        list()->send(value) == detail::Status::ok)
      return {};
    return Result<void, SendError<T>>(unexpect, std::move(value));
  }

  /// Same as send (an unbounded channel is never full); for code generic
  /// over Sender and SyncSender.
  ///
  /// Blocks: never.
  /// Errors: TrySendError::disconnected holding `value`.
  /// Example: `(void)tx.try_send(1);`
  Result<void, TrySendError<T>> try_send(T value) const {
    if (this->chan_ != nullptr && race_release() &&
        list()->send(value) == detail::Status::ok)
      return {};
    return Result<void, TrySendError<T>>(
        unexpect, TrySendError<T>::disconnected, std::move(value));
  }

private:
  friend std::pair<Sender<T>, Receiver<T>> channel<T>();
  friend struct detail::ChannelInspector;
  explicit Sender(detail::ListChannel<T> *chan) noexcept
      : Base(chan, detail::ChannelSide::sender) {}
  detail::ListChannel<T> *list() const noexcept {
    return static_cast<detail::ListChannel<T> *>(this->chan_);
  }
  // The value's history goes with it (race detector); always true.
  bool race_release() const noexcept {
    this->chan_->race_release();
    return true;
  }
  const detail::ChannelCore *core() const noexcept { return this->chan_; }
};

/// The sending half of a bounded or rendezvous channel (sync_channel).
///
/// Copyable like Sender; `send` blocks while the channel is full (for a
/// rendezvous channel: until the receiver takes the value).
template <class T>
class SyncSender final : private detail::ChannelHandle {
  static_assert(detail::check_message_type<T>());
  using Base = detail::ChannelHandle;

public:
  // Every operation is internally synchronised (Rust: SyncSender<T>: Sync).
  FEARLESS_THREAD_SAFE_IF(fearless::Send<T>);
  // Moving a SyncSender to another thread moves the T's it sends from there.
  FEARLESS_SEND_IF(fearless::Send<T>);

  SyncSender(const SyncSender &other) noexcept
      : Base(), flavor_(other.flavor_) {
    this->copy_from(other);
  }
  SyncSender(SyncSender &&other) noexcept : Base(), flavor_(other.flavor_) {
    this->move_from(other);
  }
  SyncSender &operator=(const SyncSender &other) noexcept {
    if (this != &other) {
      this->reset();
      flavor_ = other.flavor_;
      this->copy_from(other);
    }
    return *this;
  }
  SyncSender &operator=(SyncSender &&other) noexcept {
    if (this != &other) {
      this->reset();
      flavor_ = other.flavor_;
      this->move_from(other);
    }
    return *this;
  }

  /// Puts `value` into the channel, waiting for room.
  ///
  /// Blocks: while the channel is full; for a rendezvous channel, until the
  /// receiver takes the value. Calls the tracker's on_block/on_unblock.
  /// Errors: SendError holding `value` if the receiver is gone (also when
  /// it goes away while we wait). Ok does not mean the message was received
  /// (except for a rendezvous channel).
  /// Example:
  ///
  ///   for (auto &chunk : chunks) tx.send(std::move(chunk)).value();
  Result<void, SendError<T>> send(T value) const {
    if (run(value, nullptr, false) == detail::Status::ok)
      return {};
    return Result<void, SendError<T>>(unexpect, std::move(value));
  }

  /// Puts `value` into the channel if that is possible without waiting
  /// (rendezvous: only if the receiver is already waiting).
  ///
  /// Blocks: never.
  /// Errors: TrySendError (full or disconnected) holding `value`.
  /// Example:
  ///
  ///   if (auto r = tx.try_send(v); !r && r.error().is_full()) drop_frame();
  Result<void, TrySendError<T>> try_send(T value) const {
    const detail::Status s = run(value, nullptr, true);
    if (s == detail::Status::ok)
      return {};
    return Result<void, TrySendError<T>>(
        unexpect,
        s == detail::Status::would_block ? TrySendError<T>::full
                                         : TrySendError<T>::disconnected,
        std::move(value));
  }

  /// Like send, but gives up after `timeout`.
  ///
  /// Blocks: at most about `timeout` (a timed wait is never a deadlock for
  /// the tracker).
  /// Errors: SendTimeoutError (timeout or disconnected) holding `value`.
  /// Example:
  ///
  ///   auto r = tx.send_timeout(v, std::chrono::milliseconds(10));
  template <class Rep, class Period>
  Result<void, SendTimeoutError<T>>
  send_timeout(T value, std::chrono::duration<Rep, Period> timeout) const {
    const auto deadline = detail::deadline_after(timeout);
    const detail::Status s = run(value, &deadline, false);
    if (s == detail::Status::ok)
      return {};
    return Result<void, SendTimeoutError<T>>(
        unexpect,
        s == detail::Status::timeout ? SendTimeoutError<T>::timeout
                                     : SendTimeoutError<T>::disconnected,
        std::move(value));
  }

private:
  friend std::pair<SyncSender<T>, Receiver<T>>
  sync_channel<T>(std::size_t capacity);
  friend struct detail::ChannelInspector;
  explicit SyncSender(detail::ChannelCore *chan) noexcept
      : Base(chan, detail::ChannelSide::sender), flavor_(chan->flavor()) {}
  const detail::ChannelCore *core() const noexcept { return this->chan_; }

  detail::Status run(T &value, detail::Deadline deadline, bool try_only) const {
    if (this->chan_ == nullptr)
      return detail::Status::disconnected;
    this->chan_->race_release(); // the value's history goes with it
    if (flavor_ == detail::Flavor::array) {
      auto *chan = static_cast<detail::ArrayChannel<T> *>(this->chan_);
      return try_only ? chan->try_send(value)
                      : chan->send(value, deadline, &this->node_);
    }
    const detail::Status s = static_cast<detail::ZeroChannel<T> *>(this->chan_)
        ->send(value, deadline, try_only, &this->node_);
    if (s == detail::Status::ok) // a rendezvous: the receiver took it
      this->chan_->race_acquire();
    return s;
  }

  detail::Flavor flavor_ = detail::Flavor::array;
};

/// The receiving half of any channel. Move-only: there is one receiver.
///
/// Iterable: `for (T v : rx)` receives until every sender is gone and the
/// channel is empty.
template <class T>
class Receiver final : private detail::ChannelHandle {
  static_assert(detail::check_message_type<T>());
  using Base = detail::ChannelHandle;

public:
  // Moving the Receiver to another thread moves where T's arrive.
  FEARLESS_SEND_IF(fearless::Send<T>);
  // One consumer: two threads must not receive through one Receiver at once.
  FEARLESS_NOT_SYNC;

  Receiver(Receiver &&other) noexcept : Base(), flavor_(other.flavor_) {
    this->move_from(other);
  }
  Receiver &operator=(Receiver &&other) noexcept {
    if (this != &other) {
      this->reset();
      flavor_ = other.flavor_;
      this->move_from(other);
    }
    return *this;
  }

  /// Takes the next message, waiting for one.
  ///
  /// Blocks: while the channel is empty and a sender is alive. Calls the
  /// tracker's on_block/on_unblock.
  /// Errors: RecvError once the channel is empty and every sender is gone
  /// (messages sent before that are still delivered first).
  /// Example:
  ///
  ///   while (auto job = rx.recv()) run(std::move(*job));
  Result<T, RecvError> recv() {
    std::optional<T> out;
    if (run(out, nullptr, false) == detail::Status::ok)
      return Result<T, RecvError>(std::in_place, std::move(*out));
    return Result<T, RecvError>(unexpect);
  }

  /// Takes the next message if one is there.
  ///
  /// Blocks: never.
  /// Errors: TryRecvError::empty, or ::disconnected when the channel is
  /// empty and every sender is gone.
  /// Example:
  ///
  ///   while (auto m = rx.try_recv()) handle(*m);
  Result<T, TryRecvError> try_recv() {
    std::optional<T> out;
    const detail::Status s = run(out, nullptr, true);
    if (s == detail::Status::ok)
      return Result<T, TryRecvError>(std::in_place, std::move(*out));
    return Result<T, TryRecvError>(unexpect,
                                   s == detail::Status::would_block
                                       ? TryRecvError::empty
                                       : TryRecvError::disconnected);
  }

  /// Like recv, but gives up after `timeout`.
  ///
  /// Blocks: at most about `timeout`.
  /// Errors: RecvTimeoutError::timeout, or ::disconnected.
  /// Example:
  ///
  ///   auto m = rx.recv_timeout(std::chrono::seconds(1));
  template <class Rep, class Period>
  Result<T, RecvTimeoutError>
  recv_timeout(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = detail::deadline_after(timeout);
    std::optional<T> out;
    const detail::Status s = run(out, &deadline, false);
    if (s == detail::Status::ok)
      return Result<T, RecvTimeoutError>(std::in_place, std::move(*out));
    return Result<T, RecvTimeoutError>(unexpect,
                                       s == detail::Status::timeout
                                           ? RecvTimeoutError::timeout
                                           : RecvTimeoutError::disconnected);
  }

  /// Input iterator over received messages; `*it` is a `T&&` (move from
  /// it, as with std::move_iterator). Ends at disconnection.
  class Iterator {
  public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using reference = T &&;
    using iterator_concept = std::input_iterator_tag;

    Iterator() = default;
    T &&operator*() const { return std::move(*current_); }
    Iterator &operator++() {
      current_.reset();
      rx_->run(current_, nullptr, false);
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const Iterator &it, std::default_sentinel_t) {
      return !it.current_.has_value();
    }

  private:
    friend class Receiver;
    explicit Iterator(Receiver *rx) : rx_(rx) {}
    Receiver *rx_ = nullptr;
    mutable std::optional<T> current_;
  };

  /// Receives the first message (blocks like recv) and returns an iterator
  /// positioned on it.
  ///
  /// Example:
  ///
  ///   for (std::unique_ptr<Job> job : rx) job->run();
  Iterator begin() {
    Iterator it(this);
    ++it;
    return it;
  }
  std::default_sentinel_t end() const noexcept { return {}; }

private:
  friend std::pair<Sender<T>, Receiver<T>> channel<T>();
  friend std::pair<SyncSender<T>, Receiver<T>>
  sync_channel<T>(std::size_t capacity);
  friend struct detail::ChannelInspector;
  explicit Receiver(detail::ChannelCore *chan) noexcept
      : Base(chan, detail::ChannelSide::receiver), flavor_(chan->flavor()) {}
  const detail::ChannelCore *core() const noexcept { return this->chan_; }

  detail::Status run(std::optional<T> &out, detail::Deadline deadline,
                     bool try_only) {
    if (this->chan_ == nullptr)
      return detail::Status::disconnected;
    const detail::Status s = run_flavor(out, deadline, try_only);
    if (s == detail::Status::ok) // what the sender did before sending
      this->chan_->race_acquire();
    return s;
  }

  detail::Status run_flavor(std::optional<T> &out, detail::Deadline deadline,
                            bool try_only) {
    switch (flavor_) {
    case detail::Flavor::list: {
      auto *chan = static_cast<detail::ListChannel<T> *>(this->chan_);
      return try_only ? chan->try_recv(out)
                      : chan->recv(out, deadline, &this->node_);
    }
    case detail::Flavor::array: {
      auto *chan = static_cast<detail::ArrayChannel<T> *>(this->chan_);
      return try_only ? chan->try_recv(out)
                      : chan->recv(out, deadline, &this->node_);
    }
    case detail::Flavor::zero:
      break;
    }
    // A rendezvous orders both ways: the sender returns after this receive.
    this->chan_->race_release();
    return static_cast<detail::ZeroChannel<T> *>(this->chan_)
        ->recv(out, deadline, try_only, &this->node_);
  }

  detail::Flavor flavor_ = detail::Flavor::list;
};

/// Creates an unbounded channel: `send` never blocks.
///
/// Blocks: never.
/// Errors: none (std::bad_alloc if memory runs out).
/// Example:
///
///   auto [tx, rx] = fearless::channel<int>();
///   std::thread t([tx] { tx.send(42).value(); });
///   int v = rx.recv().value();
template <class T> std::pair<Sender<T>, Receiver<T>> channel() {
  static_assert(detail::check_message_type<T>());
  auto *chan = new detail::ListChannel<T>();
  return {Sender<T>(chan), Receiver<T>(chan)};
}

/// Creates a channel holding at most `capacity` messages: `send` blocks
/// while it is full. `capacity == 0` makes a rendezvous channel: `send`
/// returns once the receiver has taken the value.
///
/// Blocks: never.
/// Errors: throws std::length_error if `capacity` is absurdly large
/// (std::bad_alloc if memory runs out).
/// Example:
///
///   auto [tx, rx] = fearless::sync_channel<std::string>(16);
template <class T>
std::pair<SyncSender<T>, Receiver<T>> sync_channel(std::size_t capacity) {
  static_assert(detail::check_message_type<T>());
  if (capacity > (std::size_t{1} << (sizeof(std::size_t) * 8 - 8)))
    detail::throw_or_abort(
        std::length_error("fearless::sync_channel: capacity too large"));
  detail::ChannelCore *chan;
  if (capacity == 0)
    chan = new detail::ZeroChannel<T>();
  else
    chan = new detail::ArrayChannel<T>(capacity);
  return {SyncSender<T>(chan), Receiver<T>(chan)};
}

} // namespace fearless

#endif // FEARLESS_CHANNEL_H_
