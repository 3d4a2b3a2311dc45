// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/names.h - names shared by the annotations and the analyzer.
//
// The Send/Sync markers are written into the AST as `[[clang::annotate]]`
// strings and as hidden-friend functions with fixed names; the analyzer
// recognises both by the spellings below, and the runtime types by their
// qualified names. Keep this the only place where these strings are spelt.
#ifndef FEARLESS_NAMES_H_
#define FEARLESS_NAMES_H_

// Annotation strings ([[clang::annotate(...)]]).
#define FEARLESS_ANNOTATE_NOT_SEND "fearless::not_send"
#define FEARLESS_ANNOTATE_NOT_SYNC "fearless::not_sync"
#define FEARLESS_ANNOTATE_UNSAFE_SEND "fearless::unsafe_send"
#define FEARLESS_ANNOTATE_UNSAFE_SYNC "fearless::unsafe_sync"
#define FEARLESS_ANNOTATE_THREAD_SAFE "fearless::thread_safe"
#define FEARLESS_ANNOTATE_SEND_IF "fearless::send_if"
#define FEARLESS_ANNOTATE_SYNC_IF "fearless::sync_if"
#define FEARLESS_ANNOTATE_THREAD_SAFE_IF "fearless::thread_safe_if"
#define FEARLESS_ANNOTATE_SPAWNS "fearless::spawns"
#define FEARLESS_ANNOTATE_RESUMES_ELSEWHERE "fearless::resumes_elsewhere"
#define FEARLESS_ANNOTATE_REENTRANT "fearless::reentrant"

// Hidden-friend marker functions. Each marked class declares one of these
// with a third parameter of type std::bool_constant<V>: V is the property's
// value for that class (NOT_SEND: false, UNSAFE_SEND: true, SEND_IF(c): c).
#define FEARLESS_MARKER_SEND fearless_marker_send
#define FEARLESS_MARKER_SYNC fearless_marker_sync
#define FEARLESS_MARKER_THREAD_SAFE fearless_marker_thread_safe
#define FEARLESS_MARKER_SEND_NAME "fearless_marker_send"
#define FEARLESS_MARKER_SYNC_NAME "fearless_marker_sync"
#define FEARLESS_MARKER_THREAD_SAFE_NAME "fearless_marker_thread_safe"

// The tables need C++17 (inline variables); the macros above are plain C,
// for thread_safety.h, which compiles from C++11 on.
#if defined(__cplusplus) && __cplusplus >= 201703L
namespace fearless::names {

/// Lock guard types: values of these types are never Send (a mutex must be
/// unlocked by the thread that locked it).
inline constexpr const char *kGuardTypes[] = {
    "::std::lock_guard",         "::std::unique_lock",
    "::std::scoped_lock",        "::std::shared_lock",
    "::fearless::MutexGuard",    "::fearless::ReadGuard",
    "::fearless::WriteGuard",
};

/// Types whose every operation is internally synchronised (ThreadSafe, so
/// also Send and Sync). The fearless templates among them are ThreadSafe
/// only when every type argument is Send.
inline constexpr const char *kThreadSafeTypes[] = {
    "::std::mutex",          "::std::timed_mutex",
    "::std::recursive_mutex", "::std::recursive_timed_mutex",
    "::std::shared_mutex",   "::std::shared_timed_mutex",
    "::std::condition_variable", "::std::condition_variable_any",
    "::std::atomic",         "::std::atomic_ref",
    "::std::atomic_flag",    "::std::latch",
    "::std::barrier",        "::std::counting_semaphore",
    "::std::once_flag",      "::std::stop_source",
    "::std::stop_token",
    // shared_from_this() may be called from any thread; the weak pointer
    // inside is written only when the first shared_ptr takes ownership.
    "::std::enable_shared_from_this",
    "::fearless::Mutex",
    "::fearless::RwLock",    "::fearless::Condvar",
    "::fearless::Sender",    "::fearless::SyncSender",
};

/// Constructors whose callable runs on a new thread.
inline constexpr const char *kThreadClasses[] = {
    "::std::thread",
    "::std::jthread",
};

/// Free functions whose callable (first argument after an optional launch
/// policy) runs on another thread.
inline constexpr const char *kSpawnFunctions[] = {
    "::std::async",
    "::fearless::spawn",
};

/// Member functions whose callable argument runs on another thread.
inline constexpr const char *kSpawnMethods[] = {
    "::fearless::Scope::spawn",
    "::fearless::Builder::spawn",
    "::fearless::ScopedBuilder::spawn",
};

/// The spawn methods among kSpawnMethods whose threads are joined before
/// the scope that owns them ends (fearless::scope): they may borrow.
inline constexpr const char *kScopedSpawnMethods[] = {
    "::fearless::Scope::spawn",
    "::fearless::ScopedBuilder::spawn",
};

/// Member functions whose argument is moved to another thread (the value
/// crosses the boundary, not a callable).
inline constexpr const char *kSendMethods[] = {
    "::fearless::Sender::send",      "::fearless::Sender::try_send",
    "::fearless::SyncSender::send",  "::fearless::SyncSender::try_send",
    "::fearless::SyncSender::send_timeout",
};

} // namespace fearless::names
#endif // C++17

#endif // FEARLESS_NAMES_H_
