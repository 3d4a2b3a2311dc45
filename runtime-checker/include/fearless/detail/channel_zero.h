// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/channel_zero.h - the rendezvous flavor (sync_channel(0)).
//
// No buffer: a sender and the receiver meet under one mutex. Whoever comes
// first parks with a packet on its own stack (a sender's packet points at
// the value, the receiver's at the place to put it); the one who comes
// second moves the value across directly and wakes the first. So `send`
// returns Ok exactly when the receiver has taken the value.
//
// A hand-off costs a thread wake-up (a few microseconds); this flavor is
// for synchronisation, not throughput.
#ifndef FEARLESS_DETAIL_CHANNEL_ZERO_H_
#define FEARLESS_DETAIL_CHANNEL_ZERO_H_

#include "fearless/detail/channel_core.h"

#include <condition_variable>
#include <optional>
#include <utility>

namespace fearless::detail {

template <class T> class ZeroChannel final : public ChannelCore {
public:
  ZeroChannel() : ChannelCore(Flavor::zero) {}

  /// Hands `value` to the receiver, waiting for one until `deadline`
  /// (nullptr: forever); `try_only` never waits. `value` is moved from only
  /// on success.
  Status send(T &value, Deadline deadline, bool try_only, HandleNode *who) {
    ChannelLock lock(mu_);
    if (receiver_gone_)
      return Status::disconnected;
    if (RecvPacket *r = receiver_; r != nullptr) {
      receiver_ = nullptr;
      r->out->emplace(std::move(value));
      r->done = true;
      r->cv.notify_one();
      return Status::ok;
    }
    if (try_only)
      return Status::would_block;
    if (deadline != nullptr && Clock::now() >= *deadline)
      return Status::timeout;
    SendPacket self{&value};
    push(self);
    who->touch();
    on_block(this, WaitKind::channel_send, deadline != nullptr);
    while (!self.done && !receiver_gone_) {
      if (deadline == nullptr)
        self.cv.wait(lock.native());
      else if (self.cv.wait_until(lock.native(), *deadline) ==
               std::cv_status::timeout)
        break;
    }
    on_unblock(this);
    if (self.done)
      return Status::ok;
    remove(self);
    return receiver_gone_ ? Status::disconnected : Status::timeout;
  }

  /// Takes a value from a waiting sender, waiting for one until `deadline`
  /// (nullptr: forever); `try_only` never waits.
  Status recv(std::optional<T> &out, Deadline deadline, bool try_only,
              HandleNode *who) {
    ChannelLock lock(mu_);
    if (SendPacket *s = head_; s != nullptr) {
      remove(*s);
      out.emplace(std::move(*s->value));
      s->done = true;
      s->cv.notify_one();
      return Status::ok;
    }
    if (senders_gone_)
      return Status::disconnected;
    if (try_only)
      return Status::would_block;
    if (deadline != nullptr && Clock::now() >= *deadline)
      return Status::timeout;
    RecvPacket self{&out};
    receiver_ = &self;
    who->touch();
    on_block(this, WaitKind::channel_recv, deadline != nullptr);
    while (!self.done && !senders_gone_) {
      if (deadline == nullptr)
        self.cv.wait(lock.native());
      else if (self.cv.wait_until(lock.native(), *deadline) ==
               std::cv_status::timeout)
        break;
    }
    on_unblock(this);
    if (self.done)
      return Status::ok;
    receiver_ = nullptr;
    return senders_gone_ ? Status::disconnected : Status::timeout;
  }

  void disconnect_senders() noexcept override {
    ChannelLock lock(mu_);
    senders_gone_ = true;
    if (receiver_ != nullptr)
      receiver_->cv.notify_one();
  }
  void disconnect_receivers() noexcept override {
    ChannelLock lock(mu_);
    receiver_gone_ = true;
    for (SendPacket *s = head_; s != nullptr; s = s->next)
      s->cv.notify_one();
  }

private:
  // Safety for both packets: they live on the stack of a thread parked in
  // send/recv, which unlinks them (or is unlinked) under mu_ before it
  // returns, so whoever finds one in the lists under mu_ may use it.
  struct SendPacket {
    explicit SendPacket(T *v) noexcept : value(v) {}
    T *value;
    bool done = false;
    std::condition_variable cv;
    SendPacket *prev = nullptr;
    SendPacket *next = nullptr;
  };
  struct RecvPacket {
    explicit RecvPacket(std::optional<T> *o) noexcept : out(o) {}
    std::optional<T> *out;
    bool done = false;
    std::condition_variable cv;
  };

  void push(SendPacket &p) FEARLESS_REQUIRES(mu_) {
    p.prev = tail_;
    if (tail_ != nullptr)
      tail_->next = &p;
    else
      head_ = &p;
    tail_ = &p;
  }
  void remove(SendPacket &p) FEARLESS_REQUIRES(mu_) {
    if (p.prev != nullptr)
      p.prev->next = p.next;
    else
      head_ = p.next;
    if (p.next != nullptr)
      p.next->prev = p.prev;
    else
      tail_ = p.prev;
    p.prev = p.next = nullptr;
  }

  ChannelMutex mu_;
  SendPacket *head_ FEARLESS_GUARDED_BY(mu_) = nullptr; ///< parked senders, FIFO
  SendPacket *tail_ FEARLESS_GUARDED_BY(mu_) = nullptr;
  RecvPacket *receiver_ FEARLESS_GUARDED_BY(mu_) = nullptr; ///< parked receiver
  bool senders_gone_ FEARLESS_GUARDED_BY(mu_) = false;
  bool receiver_gone_ FEARLESS_GUARDED_BY(mu_) = false;
};

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_CHANNEL_ZERO_H_
