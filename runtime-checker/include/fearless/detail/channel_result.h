// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/channel_result.h - Result<T, E> and the channel errors.
//
// Included by fearless/channel.h; the types are public (namespace fearless).
//
// Why values, not exceptions: a full or empty channel is an ordinary outcome
// of try_send / try_recv, and a failed send must hand the message back so
// that nothing is lost. So every operation returns Result<T, E>, a small
// subset of C++23's std::expected (has_value, operator bool, value, *, ->,
// error, value_or). `value()` on an error throws fearless::BadResultAccess,
// the analog of Rust's `unwrap()` panicking. Results are [[nodiscard]], like
// Rust's #[must_use].
#ifndef FEARLESS_DETAIL_CHANNEL_RESULT_H_
#define FEARLESS_DETAIL_CHANNEL_RESULT_H_

#include "fearless/detail/errors.h"

#include <exception>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

// A Result of a small payload (a pointer, an integer) would be returned in
// two registers, and the caller's full-width load of the second one would
// read the discriminator byte just stored: a store-forwarding stall that
// cost more than the rest of a same-thread send+recv. A user-provided
// destructor makes the type non-trivial for calls, so it is returned in
// memory and read back field by field.
#define FEARLESS_RESULT_RETURNED_IN_MEMORY(Self)                              \
  Self(const Self &) = default;                                                \
  Self(Self &&) = default;                                                     \
  Self &operator=(const Self &) = default;                                     \
  Self &operator=(Self &&) = default;                                          \
  ~Self() {}

namespace fearless {

/// Thrown by Result::value() when the Result holds an error. what() is the
/// error's description ("sending on a closed channel", ...).
class BadResultAccess : public std::exception {
public:
  explicit BadResultAccess(const char *what) noexcept : what_(what) {}
  const char *what() const noexcept override { return what_; }

private:
  const char *what_;
};

/// Tag selecting Result's error constructor.
struct Unexpect {
  explicit Unexpect() = default;
};
inline constexpr Unexpect unexpect{};

/// Either a value of type T or an error of type E (std::expected's shape).
///
/// Example:
///
///   if (auto r = rx.recv()) use(*r); else log(r.error().what());
template <class T, class E> class [[nodiscard]] Result {
public:
  using value_type = T;
  using error_type = E;

  template <class... Args>
  explicit Result(std::in_place_t, Args &&...args)
      : v_(std::in_place_index<0>, std::forward<Args>(args)...) {}
  template <class... Args>
  explicit Result(Unexpect, Args &&...args)
      : v_(std::in_place_index<1>, std::forward<Args>(args)...) {}
  FEARLESS_RESULT_RETURNED_IN_MEMORY(Result)

  /// True if the Result holds a value.
  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// The value. Errors: throws BadResultAccess if there is none.
  T &value() & { return check(), *std::get_if<0>(&v_); }
  const T &value() const & { return check(), *std::get_if<0>(&v_); }
  T &&value() && { return check(), std::move(*std::get_if<0>(&v_)); }

  /// The value, which must be there (unchecked).
  T &operator*() & noexcept { return *std::get_if<0>(&v_); }
  const T &operator*() const & noexcept { return *std::get_if<0>(&v_); }
  T &&operator*() && noexcept { return std::move(*std::get_if<0>(&v_)); }
  T *operator->() noexcept { return std::get_if<0>(&v_); }
  const T *operator->() const noexcept { return std::get_if<0>(&v_); }

  /// The error, which must be there (unchecked).
  E &error() & noexcept { return *std::get_if<1>(&v_); }
  const E &error() const & noexcept { return *std::get_if<1>(&v_); }
  E &&error() && noexcept { return std::move(*std::get_if<1>(&v_)); }

  /// The value, or `fallback` if there is an error.
  template <class U> T value_or(U &&fallback) && {
    return has_value() ? std::move(**this)
                       : static_cast<T>(std::forward<U>(fallback));
  }

private:
  void check() const {
    if (!has_value())
      detail::throw_or_abort(BadResultAccess(error().what()));
  }
  std::variant<T, E> v_;
};

/// Success without a value, or an error of type E.
template <class E> class [[nodiscard]] Result<void, E> {
public:
  using value_type = void;
  using error_type = E;

  Result() noexcept = default;
  explicit Result(std::in_place_t) noexcept {}
  template <class... Args>
  explicit Result(Unexpect, Args &&...args)
      : e_(std::in_place, std::forward<Args>(args)...) {}
  FEARLESS_RESULT_RETURNED_IN_MEMORY(Result)

  bool has_value() const noexcept { return !e_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  /// Errors: throws BadResultAccess if the Result holds an error.
  void value() const {
    if (e_)
      detail::throw_or_abort(BadResultAccess(e_->what()));
  }
  E &error() & noexcept { return *e_; }
  const E &error() const & noexcept { return *e_; }
  E &&error() && noexcept { return std::move(*e_); }

private:
  std::optional<E> e_;
};

/// `send` failed because the receiver is gone; holds the message.
template <class T> class SendError {
public:
  explicit SendError(T value) : value_(std::move(value)) {}
  /// The message that could not be sent.
  T into_inner() && { return std::move(value_); }
  const T &get() const noexcept { return value_; }
  const char *what() const noexcept { return "sending on a closed channel"; }

private:
  T value_;
};

/// `try_send` failed; holds the message.
template <class T> class TrySendError {
public:
  enum Kind { full, disconnected };
  TrySendError(Kind kind, T value) : kind_(kind), value_(std::move(value)) {}
  Kind kind() const noexcept { return kind_; }
  bool is_full() const noexcept { return kind_ == full; }
  bool is_disconnected() const noexcept { return kind_ == disconnected; }
  /// The message that could not be sent.
  T into_inner() && { return std::move(value_); }
  const T &get() const noexcept { return value_; }
  const char *what() const noexcept {
    return kind_ == full ? "sending on a full channel"
                         : "sending on a closed channel";
  }

private:
  Kind kind_;
  T value_;
};

/// `send_timeout` failed; holds the message.
template <class T> class SendTimeoutError {
public:
  enum Kind { timeout, disconnected };
  SendTimeoutError(Kind kind, T value)
      : kind_(kind), value_(std::move(value)) {}
  Kind kind() const noexcept { return kind_; }
  bool is_timeout() const noexcept { return kind_ == timeout; }
  bool is_disconnected() const noexcept { return kind_ == disconnected; }
  /// The message that could not be sent.
  T into_inner() && { return std::move(value_); }
  const T &get() const noexcept { return value_; }
  const char *what() const noexcept {
    return kind_ == timeout ? "timed out waiting on send operation"
                            : "sending on a closed channel";
  }

private:
  Kind kind_;
  T value_;
};

/// `recv` failed: the channel is empty and every sender is gone.
struct RecvError {
  const char *what() const noexcept {
    return "receiving on a closed channel";
  }
  friend bool operator==(RecvError, RecvError) noexcept { return true; }
};

/// `try_recv` failed. Compares equal to its Kind:
/// `r.error() == TryRecvError::empty`.
class TryRecvError {
public:
  enum Kind { empty, disconnected };
  TryRecvError(Kind kind) noexcept : kind_(kind) {} // NOLINT: implicit by design
  Kind kind() const noexcept { return kind_; }
  bool is_empty() const noexcept { return kind_ == empty; }
  bool is_disconnected() const noexcept { return kind_ == disconnected; }
  const char *what() const noexcept {
    return kind_ == empty ? "receiving on an empty channel"
                          : "receiving on an empty and disconnected channel";
  }
  friend bool operator==(TryRecvError, TryRecvError) noexcept = default;

private:
  Kind kind_;
};

/// `recv_timeout` failed. Compares equal to its Kind:
/// `r.error() == RecvTimeoutError::timeout`.
class RecvTimeoutError {
public:
  enum Kind { timeout, disconnected };
  RecvTimeoutError(Kind kind) noexcept : kind_(kind) {} // NOLINT: implicit
  Kind kind() const noexcept { return kind_; }
  bool is_timeout() const noexcept { return kind_ == timeout; }
  bool is_disconnected() const noexcept { return kind_ == disconnected; }
  const char *what() const noexcept {
    return kind_ == timeout ? "timed out waiting on receive operation"
                            : "channel is empty and sending half is closed";
  }
  friend bool operator==(RecvTimeoutError, RecvTimeoutError) noexcept = default;

private:
  Kind kind_;
};

} // namespace fearless

#undef FEARLESS_RESULT_RETURNED_IN_MEMORY

#endif // FEARLESS_DETAIL_CHANNEL_RESULT_H_
