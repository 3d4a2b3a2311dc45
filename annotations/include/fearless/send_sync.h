// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/send_sync.h - Send, Sync and ThreadSafe: markers and concepts.
//
// Three properties of a type, as in Rust (docs/rules.md):
//
//   Send        a value of T may be moved or copied to another thread;
//   Sync        a `const T&` may be used from several threads at once;
//   ThreadSafe  a `T&` (non-const) may be used from several threads at once:
//               every operation is internally synchronised.
//
// The markers below override what the analyzer computes structurally. They
// go inside the class body (any access section):
//
//   class Session {
//     FEARLESS_NOT_SEND;  // holds a thread-affine handle
//     ...
//   };
//
// Each marker is a hidden friend declaration (no code, no data) that carries
// `[[clang::annotate("fearless::...")]]` for the analyzer and is visible to
// the concepts fearless::Send / Sync / ThreadSafe through argument-dependent
// lookup, with any compiler. A marker on a base class applies to classes
// derived from it.
//
// The concepts see markers, a table of standard types and template
// arguments; they cannot see a class's data members or a lambda's captures
// (C++ has no reflection). The analyzer computes those: use both.
#ifndef FEARLESS_SEND_SYNC_H_
#define FEARLESS_SEND_SYNC_H_

#include "fearless/names.h"

#include <array>
#include <atomic>
#include <barrier>
#include <condition_variable>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <semaphore>
#include <shared_mutex>
#include <span>
#include <stop_token>
#include <type_traits>
#include <version>

#if defined(__clang__)
#define FEARLESS_DETAIL_ANNOTATE_(str) __attribute__((annotate(str)))
#else
#define FEARLESS_DETAIL_ANNOTATE_(str)
#endif

namespace fearless::detail {
/// The first argument of every marker function, so that they are only ever
/// found by the concepts below.
struct MarkerProbe {};
} // namespace fearless::detail

// Declares the hidden friend `marker(MarkerProbe, const volatile Self*,
// std::bool_constant<value>)`. A declaration, never a definition: it is
// only looked up in unevaluated contexts.
#define FEARLESS_DETAIL_MARKER_(marker, annotation, ...)                        \
  template <class FearlessSelf_>                                               \
  friend void marker(::fearless::detail::MarkerProbe,                          \
                     const volatile FearlessSelf_ *,                           \
                     ::std::bool_constant<static_cast<bool>(__VA_ARGS__)>)     \
      FEARLESS_DETAIL_ANNOTATE_(annotation)

// FEARLESS_NOT_SEND
//
// Declares that values of the class must not be moved or copied to another
// thread, whatever its members are (Rust: `impl !Send`). Use it for types
// tied to the thread that created them: thread-local handles, objects that
// must be destroyed on their own thread, non-atomic reference counts.
//
// Example:
//
//   class RcCounted {
//     FEARLESS_NOT_SEND;  // non-atomic reference count
//     ...
//   };
#define FEARLESS_NOT_SEND                                                      \
  FEARLESS_DETAIL_MARKER_(FEARLESS_MARKER_SEND, FEARLESS_ANNOTATE_NOT_SEND,    \
                          false)

// FEARLESS_NOT_SYNC
//
// Declares that a `const T&` to the class must not be used from two threads
// at once (Rust: `impl !Sync`), for example because its const member
// functions update a cache without synchronisation.
//
// Example:
//
//   class Lazy {
//     FEARLESS_NOT_SYNC;  // value() fills cache_ without a lock
//     ...
//   };
#define FEARLESS_NOT_SYNC                                                      \
  FEARLESS_DETAIL_MARKER_(FEARLESS_MARKER_SYNC, FEARLESS_ANNOTATE_NOT_SYNC,    \
                          false)

// FEARLESS_UNSAFE_SEND
//
// Declares that values of the class may be sent to another thread even though
// a member is not Send (Rust: `unsafe impl Send`). Unsafe: nothing checks the
// claim. Write next to it why it holds (for example: "the raw pointer is only
// dereferenced by the owning thread").
//
// Example:
//
//   class Arena {
//     FEARLESS_UNSAFE_SEND;  // Safety: blocks_ is owned; never aliased.
//     Block *blocks_;
//   };
#define FEARLESS_UNSAFE_SEND                                                   \
  FEARLESS_DETAIL_MARKER_(FEARLESS_MARKER_SEND,                                \
                          FEARLESS_ANNOTATE_UNSAFE_SEND, true)

// FEARLESS_UNSAFE_SYNC
//
// Declares that a `const T&` to the class may be shared between threads even
// though a member is not Sync (Rust: `unsafe impl Sync`). Unsafe: nothing
// checks the claim; say why it holds.
//
// Example:
//
//   class Table {
//     FEARLESS_UNSAFE_SYNC;  // Safety: rows_ is written only before publication.
//     Row *rows_;
//   };
#define FEARLESS_UNSAFE_SYNC                                                   \
  FEARLESS_DETAIL_MARKER_(FEARLESS_MARKER_SYNC,                                \
                          FEARLESS_ANNOTATE_UNSAFE_SYNC, true)

// FEARLESS_THREAD_SAFE
//
// Declares that every operation of the class, const or not, is internally
// synchronised, so a `T&` may be used from several threads at once. Implies
// Sync. The analyzer also infers it for classes whose members are all
// atomic, capabilities, const-and-Sync or guarded by a capability member.
//
// Example:
//
//   class Registry {
//     FEARLESS_THREAD_SAFE;  // every member function locks mu_
//     ...
//   };
#define FEARLESS_THREAD_SAFE                                                   \
  FEARLESS_DETAIL_MARKER_(FEARLESS_MARKER_THREAD_SAFE,                         \
                          FEARLESS_ANNOTATE_THREAD_SAFE, true)

// FEARLESS_SEND_IF / FEARLESS_SYNC_IF / FEARLESS_THREAD_SAFE_IF
//
// Conditional forms for templates: the property holds exactly when the
// constant expression is true, evaluated per specialisation (Rust:
// `unsafe impl<T: Send> Send for Wrapper<T>`).
//
// Example:
//
//   template <class T>
//   class Mutex {
//     FEARLESS_THREAD_SAFE_IF(fearless::Send<T>);
//     FEARLESS_SEND_IF(fearless::Send<T>);
//     ...
//   };
#define FEARLESS_SEND_IF(...)                                                  \
  FEARLESS_DETAIL_MARKER_(FEARLESS_MARKER_SEND, FEARLESS_ANNOTATE_SEND_IF,     \
                          __VA_ARGS__)
#define FEARLESS_SYNC_IF(...)                                                  \
  FEARLESS_DETAIL_MARKER_(FEARLESS_MARKER_SYNC, FEARLESS_ANNOTATE_SYNC_IF,     \
                          __VA_ARGS__)
#define FEARLESS_THREAD_SAFE_IF(...)                                           \
  FEARLESS_DETAIL_MARKER_(FEARLESS_MARKER_THREAD_SAFE,                         \
                          FEARLESS_ANNOTATE_THREAD_SAFE_IF, __VA_ARGS__)

// FEARLESS_SPAWNS
//
// Marks a function parameter whose callable runs on another thread, so that
// every call is a thread boundary for the analyzer (captures must be Send,
// references must outlive the thread). For executors and thread pools. The
// analyzer treats the call as not scoped: the callable may outlive the caller.
//
// Example:
//
//   void ThreadPool::submit(FEARLESS_SPAWNS std::function<void()> job);
#if defined(__clang__)
#define FEARLESS_SPAWNS [[clang::annotate(FEARLESS_ANNOTATE_SPAWNS)]]
#else
#define FEARLESS_SPAWNS
#endif

// FEARLESS_RESUMES_ELSEWHERE
//
// Marks an awaitable (or awaiter) class whose co_await may resume the
// coroutine on another thread: a thread pool's schedule(), an executor
// switch, an I/O completion run by a worker. A coroutine that awaits one
// must not keep a lock guard or a value that is not Send alive across that
// co_await (fearless-guard-across-await, fearless-send).
//
// Example:
//
//   struct FEARLESS_RESUMES_ELSEWHERE ScheduleOnPool { ... };
#if defined(__clang__)
#define FEARLESS_RESUMES_ELSEWHERE \
  [[clang::annotate(FEARLESS_ANNOTATE_RESUMES_ELSEWHERE)]]
#else
#define FEARLESS_RESUMES_ELSEWHERE
#endif

namespace fearless {

template <class T> struct IsSend;
template <class T> struct IsSync;
template <class T> struct IsThreadSafe;

/// True if a value of T may be moved or copied to another thread.
template <class T> inline constexpr bool is_send_v = IsSend<T>::value;
/// True if a `const T&` may be used from several threads at once.
template <class T> inline constexpr bool is_sync_v = IsSync<T>::value;
/// True if a `T&` may be used from several threads at once.
template <class T>
inline constexpr bool is_thread_safe_v = IsThreadSafe<T>::value;

/// A value of T may be moved or copied to another thread.
template <class T>
concept Send = is_send_v<T>;
/// A `const T&` may be used from several threads at once.
template <class T>
concept Sync = is_sync_v<T>;
/// A `T&` may be used from several threads at once.
template <class T>
concept ThreadSafe = is_thread_safe_v<T>;

namespace detail {

// Poison declarations: the marker functions are found by ADL only.
void FEARLESS_MARKER_SEND() = delete;
void FEARLESS_MARKER_SYNC() = delete;
void FEARLESS_MARKER_THREAD_SAFE() = delete;

// A marker's value for T: 0 = declared false, 1 = declared true, -1 = none.
// A "false" anywhere in the class hierarchy wins over a "true".
#define FEARLESS_DETAIL_MARKER_VALUE_(name, marker)                            \
  template <class T> consteval int name() {                                    \
    if constexpr (requires(const volatile T *p) {                              \
                    marker(MarkerProbe{}, p, std::false_type{});               \
                  })                                                           \
      return 0;                                                                \
    else if constexpr (requires(const volatile T *p) {                         \
                         marker(MarkerProbe{}, p, std::true_type{});           \
                       })                                                      \
      return 1;                                                                \
    else                                                                       \
      return -1;                                                               \
  }
FEARLESS_DETAIL_MARKER_VALUE_(send_marker, FEARLESS_MARKER_SEND)
FEARLESS_DETAIL_MARKER_VALUE_(sync_marker, FEARLESS_MARKER_SYNC)
FEARLESS_DETAIL_MARKER_VALUE_(thread_safe_marker, FEARLESS_MARKER_THREAD_SAFE)
#undef FEARLESS_DETAIL_MARKER_VALUE_

template <template <class...> class Tmpl, class T>
inline constexpr bool is_specialization_v = false;
template <template <class...> class Tmpl, class... Args>
inline constexpr bool is_specialization_v<Tmpl, Tmpl<Args...>> = true;

// Lock guards: a mutex must be unlocked by the thread that locked it.
template <class T> inline constexpr bool is_std_guard_v =
    is_specialization_v<std::lock_guard, T> ||
    is_specialization_v<std::unique_lock, T> ||
    is_specialization_v<std::scoped_lock, T> ||
    is_specialization_v<std::shared_lock, T>;

template <class T> struct IsStdSyncPrimitive : std::false_type {};
template <class T> struct IsStdSyncPrimitive<std::atomic<T>> : std::true_type {};
template <class T> struct IsStdSyncPrimitive<std::atomic_ref<T>> : std::true_type {};
template <std::ptrdiff_t N>
struct IsStdSyncPrimitive<std::counting_semaphore<N>> : std::true_type {};
template <class F> struct IsStdSyncPrimitive<std::barrier<F>> : std::true_type {};
#define FEARLESS_DETAIL_STD_SYNC_(type)                                        \
  template <> struct IsStdSyncPrimitive<type> : std::true_type {};
FEARLESS_DETAIL_STD_SYNC_(std::mutex)
FEARLESS_DETAIL_STD_SYNC_(std::timed_mutex)
FEARLESS_DETAIL_STD_SYNC_(std::recursive_mutex)
FEARLESS_DETAIL_STD_SYNC_(std::recursive_timed_mutex)
FEARLESS_DETAIL_STD_SYNC_(std::shared_mutex)
FEARLESS_DETAIL_STD_SYNC_(std::shared_timed_mutex)
FEARLESS_DETAIL_STD_SYNC_(std::condition_variable)
FEARLESS_DETAIL_STD_SYNC_(std::condition_variable_any)
FEARLESS_DETAIL_STD_SYNC_(std::atomic_flag)
FEARLESS_DETAIL_STD_SYNC_(std::latch)
FEARLESS_DETAIL_STD_SYNC_(std::once_flag)
// libc++ 19 ships <stop_token> only with -fexperimental-library.
#if defined(__cpp_lib_jthread)
FEARLESS_DETAIL_STD_SYNC_(std::stop_source)
FEARLESS_DETAIL_STD_SYNC_(std::stop_token)
#endif
#undef FEARLESS_DETAIL_STD_SYNC_

// Access to U through a pointer-like handle: const access needs Sync(U),
// mutable access needs ThreadSafe(U) (docs/rules.md).
template <class U>
inline constexpr bool shareable_v = std::is_const_v<U> ? is_sync_v<std::remove_cv_t<U>>
                                                       : is_thread_safe_v<std::remove_cv_t<U>>;
template <class U>
inline constexpr bool shareable_v<U[]> = shareable_v<U>;

// Pointer-like standard templates whose pointee is shared, not owned.
template <class T> struct SharedPointee { static constexpr bool is_pointer = false; };
template <class U> struct SharedPointee<std::shared_ptr<U>> { using type = U; static constexpr bool is_pointer = true; };
template <class U> struct SharedPointee<std::weak_ptr<U>> { using type = U; static constexpr bool is_pointer = true; };
template <class U> struct SharedPointee<std::reference_wrapper<U>> { using type = U; static constexpr bool is_pointer = true; };
template <class U, std::size_t N> struct SharedPointee<std::span<U, N>> { using type = U; static constexpr bool is_pointer = true; };

// Generic rule for other class templates (containers, optional, tuple,
// unique_ptr, ...): the property holds iff it holds for every type argument.
template <template <class> class Prop, class T>
struct AllTypeArgs : std::true_type {};
template <template <class> class Prop, template <class...> class Tmpl,
          class... Args>
struct AllTypeArgs<Prop, Tmpl<Args...>>
    : std::bool_constant<(Prop<Args>::value && ...)> {};
template <template <class> class Prop, class U, std::size_t N>
struct AllTypeArgs<Prop, std::array<U, N>> : Prop<U> {};

template <class T> consteval bool class_send() {
  if constexpr (constexpr int m = send_marker<T>(); m >= 0)
    return m == 1;
  else if constexpr (is_std_guard_v<T>)
    return false;
  else if constexpr (IsStdSyncPrimitive<T>::value)
    return true;
  else if constexpr (SharedPointee<T>::is_pointer)
    return shareable_v<typename SharedPointee<T>::type>;
  else
    return AllTypeArgs<IsSend, T>::value;
}

template <class T> consteval bool class_thread_safe() {
  if constexpr (constexpr int m = thread_safe_marker<T>(); m >= 0)
    return m == 1;
  else
    return IsStdSyncPrimitive<T>::value;
}

template <class T> consteval bool class_sync() {
  if constexpr (constexpr int m = sync_marker<T>(); m >= 0)
    return m == 1;
  else if constexpr (class_thread_safe<T>())
    return true;
  else if constexpr (SharedPointee<T>::is_pointer)
    return shareable_v<typename SharedPointee<T>::type>;
  else if constexpr (is_specialization_v<std::unique_ptr, T>)
    // C++ const is shallow: a const unique_ptr<U> still hands out U&.
    return shareable_v<typename T::element_type>;
  else
    return AllTypeArgs<IsSync, T>::value;
}

template <class T> consteval bool compute_send() {
  if constexpr (std::is_reference_v<T> || std::is_pointer_v<T>)
    return shareable_v<std::remove_pointer_t<std::remove_reference_t<T>>> ||
           std::is_function_v<std::remove_pointer_t<std::remove_reference_t<T>>>;
  else if constexpr (std::is_array_v<T>)
    return is_send_v<std::remove_all_extents_t<T>>;
  else if constexpr (std::is_class_v<T> || std::is_union_v<T>)
    return class_send<T>();
  else
    return true; // scalars, enums, member pointers, functions, void
}

template <class T> consteval bool compute_sync() {
  if constexpr (std::is_reference_v<T> || std::is_pointer_v<T>)
    return shareable_v<std::remove_pointer_t<std::remove_reference_t<T>>> ||
           std::is_function_v<std::remove_pointer_t<std::remove_reference_t<T>>>;
  else if constexpr (std::is_array_v<T>)
    return is_sync_v<std::remove_all_extents_t<T>>;
  else if constexpr (std::is_class_v<T> || std::is_union_v<T>)
    return class_sync<T>();
  else
    return true;
}

template <class T> consteval bool compute_thread_safe() {
  if constexpr (std::is_array_v<T>)
    return is_thread_safe_v<std::remove_all_extents_t<T>>;
  else if constexpr (std::is_class_v<T> || std::is_union_v<T>)
    return class_thread_safe<T>();
  else
    return false; // a plain int written from two threads is a data race
}

} // namespace detail

// Trait classes. cv-qualifiers: a const T may be shared if T is Sync.
template <class T>
struct IsSend : std::bool_constant<detail::compute_send<std::remove_cv_t<T>>()> {};
template <class T>
struct IsSync : std::bool_constant<detail::compute_sync<std::remove_cv_t<T>>()> {};
template <class T>
struct IsThreadSafe
    : std::bool_constant<detail::compute_thread_safe<std::remove_cv_t<T>>()> {};
template <class T>
struct IsThreadSafe<const T> : IsSync<T> {};
template <class T>
struct IsThreadSafe<const volatile T> : IsSync<T> {};

} // namespace fearless

#endif // FEARLESS_SEND_SYNC_H_
