// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/thread.h - spawn, JoinHandle, scope, Builder: threads as in Rust.
//
//   auto h = fearless::spawn([](int x) { return x * 2; }, 21);
//   int r = h.join();                  // 42, or rethrows what the thread threw
//
//   std::vector<int> v{1, 2, 3};
//   fearless::scope([&](fearless::Scope &s) {
//     s.spawn([&] { use(v); });        // may borrow: joined before scope
//     returns
//   });
//
// spawn, Scope::spawn and the builders require fearless::Send of the
// callable, every argument and the result, at compile time. The concept
// sees markers, standard types and template arguments, not lambda captures
// (C++ has no reflection): the fearless analyzer checks those.
#ifndef FEARLESS_THREAD_H_
#define FEARLESS_THREAD_H_

#include "fearless/detail/annotated_mutex.h"
#include "fearless/detail/errors.h"
#include "fearless/detail/hooks.h"
#include "fearless/send_sync.h"
#include "fearless/thread_safety.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace fearless {

/// The name given to the calling thread by Builder::name, or "" if none.
std::string_view current_thread_name() noexcept;

class Scope;
template <class F> auto scope(F &&f) -> std::invoke_result_t<F &, Scope &>;

namespace detail {

/// Sets the calling thread's name (current_thread_name() and, where the OS
/// supports it, the name debuggers show).
void set_current_thread_name(std::string_view name);

// A thread's outcome, shared by the thread and its handle.
struct ThreadStateBase {
  // Shared by the thread and its handle: the thread writes `exception` (and
  // the result) before mark_finished, the other side reads them only after
  // wait_finished or `finished` -- a hand-off through `mu`, not data two
  // threads touch at once.
  FEARLESS_THREAD_SAFE;
  explicit ThreadStateBase(std::string n) : name(std::move(n)) {}
  ThreadStateBase(const ThreadStateBase &) = delete;
  ThreadStateBase &operator=(const ThreadStateBase &) = delete;
  // Reports an exception nobody joined to see (a detached thread threw).
  ~ThreadStateBase();

  void mark_finished(std::uint64_t seq) {
    AnnotatedLock lock(mu);
    finish_seq = seq;
    done = true;
    finished.store(true, std::memory_order_release);
    cv.notify_all();
  }
  void wait_finished() {
    AnnotatedLock lock(mu);
    while (!done)
      cv.wait(lock.native());
  }

  const std::string name;
  // Written by the thread before mark_finished; read after it.
  std::exception_ptr exception;
  // Set by whoever took the exception (join or the scope).
  bool observed = false;
  std::atomic<bool> finished{false};
  AnnotatedMutex mu;
  std::condition_variable cv;
  bool done FEARLESS_GUARDED_BY(mu) = false;
  std::uint64_t finish_seq FEARLESS_GUARDED_BY(mu) = 0; // order of finishing
  // Happens-before for the race detector: spawn -> start, end -> join.
  RaceSyncCell race;
};

template <class R> struct ThreadState : ThreadStateBase {
  using ThreadStateBase::ThreadStateBase;
  std::optional<R> result;
};
template <> struct ThreadState<void> : ThreadStateBase {
  using ThreadStateBase::ThreadStateBase;
};

// Returns the result or rethrows the exception (the thread has finished).
template <class R> R take_result(ThreadState<R> &state) {
  state.observed = true;
  if (state.exception) // only ever set when exceptions are on
    std::rethrow_exception(state.exception);
  if constexpr (!std::is_void_v<R>)
    return std::move(*state.result);
}

// Compile-time Send checks: one class template per role, so that both GCC
// and Clang print "...MustBeSend<TheType>" in the instantiation note and a
// static_assert message naming the role.
template <class F> struct SpawnedCallableMustBeSend {
  static_assert(
      fearless::Send<F>,
      "fearless: spawned callable is not Send: it may not be moved "
      "to another thread (its type is in SpawnedCallableMustBeSend<...>)");
  static constexpr bool value = true;
};
template <class Arg> struct SpawnArgumentMustBeSend {
  static_assert(fearless::Send<Arg>,
                "fearless: spawn argument is not Send: it may not be moved to "
                "another thread (its type is in SpawnArgumentMustBeSend<...>)");
  static constexpr bool value = true;
};
template <class R> struct SpawnResultMustBeSend {
  static_assert(std::is_void_v<R> || fearless::Send<R>,
                "fearless: spawned callable's result is not Send: it may not "
                "be moved back to the joining thread (its type is in "
                "SpawnResultMustBeSend<...>)");
  static_assert(!std::is_reference_v<R>,
                "fearless: a spawned callable may not return a reference");
  static constexpr bool value = true;
};

template <class F, class... Args>
using SpawnResult =
    std::invoke_result_t<std::decay_t<F> &&, std::decay_t<Args> &&...>;

template <class F, class... Args> consteval bool check_spawn() {
  return SpawnedCallableMustBeSend<std::decay_t<F>>::value &&
         (SpawnArgumentMustBeSend<std::decay_t<Args>>::value && ... && true) &&
         SpawnResultMustBeSend<SpawnResult<F, Args...>>::value;
}

/// A global count of finished threads, to order scoped threads' exceptions.
std::uint64_t next_finish_seq() noexcept;

// Starts a thread running f(args...) that stores its outcome in `state`.
// The callable and arguments are destroyed on the new thread before it is
// marked finished.
template <class R, class F, class... Args>
std::thread start_thread(std::shared_ptr<ThreadState<R>> state, F &&f,
                         Args &&...args) {
  using Payload = std::tuple<std::decay_t<F>, std::decay_t<Args>...>;
  auto payload = std::make_unique<Payload>(std::forward<F>(f),
                                           std::forward<Args>(args)...);
  state->race.release(); // spawn -> thread start, for the race detector
  return std::thread(
      [state = std::move(state), payload = std::move(payload)]() mutable {
        on_thread_start(state.get()); // join() waits for this thread
        if (!state->name.empty())
          set_current_thread_name(state->name);
        state->race.acquire(); // what the spawning thread did before
        FEARLESS_DETAIL_TRY {
          std::unique_ptr<Payload> p = std::move(payload);
          if constexpr (std::is_void_v<R>)
            std::apply(
                [](auto &&fn, auto &&...as) {
                  std::invoke(std::move(fn), std::move(as)...);
                },
                std::move(*p));
          else
            state->result.emplace(std::apply(
                [](auto &&fn, auto &&...as) -> R {
                  return std::invoke(std::move(fn), std::move(as)...);
                },
                std::move(*p)));
        }
        FEARLESS_DETAIL_CATCH_ALL {
          state->exception = std::current_exception();
        }
        state->race.release(); // what join() and the scope end see
        on_thread_end(state.get());
        state->mark_finished(next_finish_seq());
      });
}

} // namespace detail

/// Owns a thread started by spawn(); join() waits for it and returns its
/// result.
///
/// Destroying a handle that was not joined detaches the thread, as in
/// Rust: it keeps running, nobody can wait for it any more, and if it
/// throws, the exception is reported (ReportKind::thread_exception) instead
/// of being lost. The process does not wait for detached threads at exit.
///
/// Example: `auto h = fearless::spawn(work); auto r = h.join();`
template <class R> class [[nodiscard]] JoinHandle {
public:
  JoinHandle(JoinHandle &&) noexcept = default;
  JoinHandle &operator=(JoinHandle &&other) noexcept {
    if (this != &other) {
      if (thread_.joinable())
        thread_.detach();
      thread_ = std::move(other.thread_);
      state_ = std::move(other.state_);
    }
    return *this;
  }
  /// Detaches the thread if it was not joined.
  ~JoinHandle() {
    if (thread_.joinable())
      thread_.detach();
  }

  /// Waits for the thread to finish; returns its result or rethrows the
  /// exception it threw. The handle is empty afterwards.
  ///
  /// Blocks: until the thread finishes. Errors: the thread's exception;
  /// std::logic_error if the handle was already joined (or moved from).
  /// Example: `int n = h.join();`
  R join() {
    if (!thread_.joinable())
      detail::throw_or_abort(
          std::logic_error("fearless: join() on an empty JoinHandle"));
    detail::on_block(state_.get(), detail::WaitKind::join, false);
    thread_.join();
    detail::on_unblock(state_.get());
    state_->race.acquire();
    auto state = std::move(state_);
    return detail::take_result(*state);
  }

  /// True once the thread has finished running (its result is ready).
  /// Blocks: never.
  bool is_finished() const noexcept {
    return state_ && state_->finished.load(std::memory_order_acquire);
  }
  /// True until join() is called (or the handle is moved from).
  bool joinable() const noexcept { return thread_.joinable(); }
  /// The thread's name ("" if unnamed or the handle is empty).
  std::string_view name() const noexcept {
    return state_ ? std::string_view(state_->name) : std::string_view();
  }
  /// The thread's id (default id if the handle is empty).
  std::thread::id id() const noexcept { return thread_.get_id(); }

  /// Internal: used by detail::spawn_named.
  JoinHandle(std::thread t, std::shared_ptr<detail::ThreadState<R>> s)
      : thread_(std::move(t)), state_(std::move(s)) {}

private:
  std::thread thread_;
  std::shared_ptr<detail::ThreadState<R>> state_;
};

namespace detail {
/// Starts `f(args...)` on a new thread named `name` (see Builder).
template <class F, class... Args>
JoinHandle<detail::SpawnResult<F, Args...>> spawn_named(std::string name, F &&f,
                                                        Args &&...args) {
  static_assert(check_spawn<F, Args...>());
  using R = detail::SpawnResult<F, Args...>;
  auto state = std::make_shared<detail::ThreadState<R>>(std::move(name));
  std::thread t =
      start_thread<R>(state, std::forward<F>(f), std::forward<Args>(args)...);
  return JoinHandle<R>(std::move(t), std::move(state));
}

} // namespace detail

/// Runs `f(args...)` on a new thread and returns its JoinHandle.
///
/// The callable and arguments are decay-copied (moved) to the new thread,
/// like std::thread; all of them, and the result, must be fearless::Send
/// (checked at compile time). Pass references with std::ref only to
/// ThreadSafe objects, or borrow with fearless::scope instead.
///
/// Blocks: no. Errors: std::system_error if the OS cannot start a thread.
/// Example: `auto h = fearless::spawn([] { return 42; }); h.join();`
template <class F, class... Args>
JoinHandle<detail::SpawnResult<F, Args...>> spawn(F &&f, Args &&...args) {
  return detail::spawn_named(std::string(), std::forward<F>(f),
                             std::forward<Args>(args)...);
}

/// Joins a thread started by Scope::spawn before the scope ends.
///
/// Destroying it without join() is fine: the scope joins the thread anyway,
/// and an exception the thread threw propagates out of fearless::scope.
template <class R> class ScopedJoinHandle {
public:
  ScopedJoinHandle(ScopedJoinHandle &&) noexcept = default;
  ScopedJoinHandle &operator=(ScopedJoinHandle &&) noexcept = default;

  /// Waits for the thread; returns its result or rethrows its exception
  /// (which then no longer propagates out of the scope).
  ///
  /// Blocks: until the thread finishes. Errors: the thread's exception;
  /// std::logic_error if already joined.
  R join() {
    if (!state_)
      detail::throw_or_abort(
          std::logic_error("fearless: join() on an empty ScopedJoinHandle"));
    detail::on_block(state_.get(), detail::WaitKind::join, false);
    state_->wait_finished();
    detail::on_unblock(state_.get());
    state_->race.acquire();
    auto state = std::move(state_);
    return detail::take_result(*state);
  }
  /// True once the thread has finished running. Blocks: never.
  bool is_finished() const noexcept {
    return state_ && state_->finished.load(std::memory_order_acquire);
  }
  /// The thread's name ("" if unnamed or the handle is empty).
  std::string_view name() const noexcept {
    return state_ ? std::string_view(state_->name) : std::string_view();
  }

private:
  friend class Scope;
  explicit ScopedJoinHandle(std::shared_ptr<detail::ThreadState<R>> s)
      : state_(std::move(s)) {}
  std::shared_ptr<detail::ThreadState<R>> state_;
};

class ScopedBuilder;

/// The threads of one fearless::scope call. Every thread spawned here is
/// joined before scope() returns, so the callables may borrow locals.
///
/// ThreadSafe: the scope's own threads may spawn more threads into it.
class Scope {
  FEARLESS_THREAD_SAFE; // spawn() locks mu_

public:
  Scope(const Scope &) = delete;
  Scope &operator=(const Scope &) = delete;

  /// Runs `f(args...)` on a new thread that the scope joins.
  ///
  /// Requirements and errors as fearless::spawn. Blocks: no.
  /// Example: `s.spawn([&] { total += part(v); });`
  template <class F, class... Args>
  ScopedJoinHandle<detail::SpawnResult<F, Args...>> spawn(F &&f,
                                                          Args &&...args) {
    return spawn_named(std::string(), std::forward<F>(f),
                       std::forward<Args>(args)...);
  }

  /// A builder for a named thread in this scope:
  /// `s.builder().name("worker").spawn(f)`.
  ScopedBuilder builder() noexcept;

private:
  template <class F>
  friend auto scope(F &&f) -> std::invoke_result_t<F &, Scope &>;
  friend class ScopedBuilder;

  Scope() = default;
  ~Scope() = default;

  template <class F, class... Args>
  ScopedJoinHandle<detail::SpawnResult<F, Args...>>
  spawn_named(std::string name, F &&f, Args &&...args) {
    static_assert(detail::check_spawn<F, Args...>());
    using R = detail::SpawnResult<F, Args...>;
    auto state = std::make_shared<detail::ThreadState<R>>(std::move(name));
    detail::AnnotatedLock lock(mu_);
    threads_.push_back(detail::start_thread<R>(state, std::forward<F>(f),
                                               std::forward<Args>(args)...));
    states_.push_back(state);
    return ScopedJoinHandle<R>(std::move(state));
  }

  // Joins every thread, including ones spawned while joining.
  void join_all() noexcept;
  // Takes the exception of the earliest-finishing thread whose handle did
  // not join it (nullptr if none); marks every exception observed.
  std::exception_ptr take_first_exception() noexcept;

  detail::AnnotatedMutex mu_;
  std::vector<std::thread> threads_ FEARLESS_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<detail::ThreadStateBase>>
      states_ FEARLESS_GUARDED_BY(mu_);
  std::size_t joined_ FEARLESS_GUARDED_BY(mu_) = 0;
};

/// Runs `f(scope)`, then joins every thread spawned into the scope, then
/// returns what `f` returned.
///
/// Blocks: until every thread spawned in the scope has finished.
/// Errors: if `f` throws, its exception propagates (after the joins);
/// otherwise the exception of the first thread (in finishing order) that
/// threw and was not joined by its handle propagates.
/// Example:
///
///   int sum = fearless::scope([&](fearless::Scope &s) {
///     auto h = s.spawn([&] { return std::accumulate(a.begin(), a.end(), 0);
///     }); return h.join();
///   });
template <class F> auto scope(F &&f) -> std::invoke_result_t<F &, Scope &> {
  using R = std::invoke_result_t<F &, Scope &>;
  Scope s;
  std::exception_ptr first;
  FEARLESS_DETAIL_TRY {
    if constexpr (std::is_void_v<R>) {
      std::invoke(f, s);
      s.join_all();
      first = s.take_first_exception();
    } else {
      R r = std::invoke(f, s);
      s.join_all();
      first = s.take_first_exception();
      if (!first)
        return r;
    }
  }
  FEARLESS_DETAIL_CATCH_ALL {
    s.join_all();
    s.take_first_exception(); // f's own exception wins
    FEARLESS_DETAIL_RETHROW;
  }
  if constexpr (std::is_void_v<R>) {
    if (first)
      std::rethrow_exception(first);
  } else {
    std::rethrow_exception(first); // non-null: r was returned otherwise
  }
}

/// Configures a thread before spawning it (Rust: std::thread::Builder).
///
/// Example: `auto h = fearless::Builder().name("worker").spawn(run);`
class Builder {
public:
  /// Names the thread; reports and current_thread_name() show the name, and
  /// on Linux debuggers see its first 15 bytes.
  Builder &name(std::string n) & {
    name_ = std::move(n);
    return *this;
  }
  Builder &&name(std::string n) && {
    name_ = std::move(n);
    return std::move(*this);
  }

  /// As fearless::spawn, with this builder's settings.
  template <class F, class... Args>
  JoinHandle<detail::SpawnResult<F, Args...>> spawn(F &&f,
                                                    Args &&...args) const {
    return detail::spawn_named(name_, std::forward<F>(f),
                               std::forward<Args>(args)...);
  }

private:
  std::string name_;
};

/// Builder for a thread in a Scope; made by Scope::builder().
class ScopedBuilder {
public:
  /// Names the thread (see Builder::name).
  ScopedBuilder &name(std::string n) & {
    name_ = std::move(n);
    return *this;
  }
  ScopedBuilder &&name(std::string n) && {
    name_ = std::move(n);
    return std::move(*this);
  }

  /// As Scope::spawn, with this builder's settings.
  template <class F, class... Args>
  ScopedJoinHandle<detail::SpawnResult<F, Args...>>
  spawn(F &&f, Args &&...args) const {
    return scope_->spawn_named(name_, std::forward<F>(f),
                               std::forward<Args>(args)...);
  }

private:
  friend class Scope;
  explicit ScopedBuilder(Scope &s) noexcept : scope_(&s) {}
  Scope *scope_;
  std::string name_;
};

inline ScopedBuilder Scope::builder() noexcept { return ScopedBuilder(*this); }

} // namespace fearless

#endif // FEARLESS_THREAD_H_
