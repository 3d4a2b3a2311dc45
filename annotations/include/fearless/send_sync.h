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
// The traits fearless::IsSend<T> / IsSync<T> / IsThreadSafe<T> (C++11 and
// later), their values fearless::is_send_v<T> / is_sync_v<T> /
// is_thread_safe_v<T> (C++14) and the concepts fearless::Send / Sync /
// ThreadSafe (C++20) see markers, a table of standard types and template
// arguments; they cannot see a class's data members or a lambda's captures
// (C++ has no reflection). The analyzer computes those: use both.
//
// Every level from C++11 up compiles this header without a warning
// (-Wall -Wextra -pedantic, GCC and Clang); the standard types of later
// levels (std::span, std::latch, ...) enter the table where they exist.
#ifndef FEARLESS_SEND_SYNC_H_
#define FEARLESS_SEND_SYNC_H_

#include "fearless/names.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#if __cplusplus >= 201402L
#include <shared_mutex>
#endif
#if __cplusplus > 201703L && defined(__has_include)
// The feature macros of every library header used below.
#if __has_include(<version>)
#include <version>
#endif
#if __has_include(<barrier>)
#include <barrier>
#endif
#if __has_include(<latch>)
#include <latch>
#endif
#if __has_include(<semaphore>)
#include <semaphore>
#endif
#if __has_include(<span>)
#include <span>
#endif
#if __has_include(<stop_token>)
#include <stop_token>
#endif
#endif

#if __cplusplus >= 201703L
#define FEARLESS_DETAIL_INLINE_VAR_ inline
#else
#define FEARLESS_DETAIL_INLINE_VAR_
#endif

#if defined(__clang__)
#define FEARLESS_DETAIL_ANNOTATE_(str) __attribute__((annotate(str)))
#else
#define FEARLESS_DETAIL_ANNOTATE_(str)
#endif

namespace fearless {
namespace detail {
/// The first argument of every marker function, so that they are only ever
/// found by the concepts below.
struct MarkerProbe {};
} // namespace detail
} // namespace fearless

// Declares the hidden friend `marker(MarkerProbe, const volatile Self*,
// std::integral_constant<bool, value>)`. A declaration, never a definition: it is
// only looked up in unevaluated contexts.
#define FEARLESS_DETAIL_MARKER_(marker, annotation, ...)                        \
  template <class FearlessSelf_>                                               \
  friend void marker(::fearless::detail::MarkerProbe,                          \
                     const volatile FearlessSelf_ *,                           \
                     ::std::integral_constant<bool,                            \
                                              static_cast<bool>(__VA_ARGS__)>) \
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
//
// Below C++20, name the trait instead of the concept:
// FEARLESS_SEND_IF(fearless::IsSend<T>::value).
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

namespace detail {

// If<C, Then, Else> is Then when C holds, else Else. Only the chosen trait
// is instantiated (C++11's `if constexpr`).
template <bool C, class Then, class Else> struct If : Then {};
template <class Then, class Else> struct If<false, Then, Else> : Else {};

template <class...> struct Void { typedef void type; };

// All<B...>: every B is true.
template <bool...> struct BoolPack {};
template <bool... B>
struct All : std::is_same<BoolPack<true, B...>, BoolPack<B..., true>> {};

// Poison declarations: the marker functions are found by ADL only.
void FEARLESS_MARKER_SEND() = delete;
void FEARLESS_MARKER_SYNC() = delete;
void FEARLESS_MARKER_THREAD_SAFE() = delete;

// name<T, Otherwise>: the value a marker declares for T, else Otherwise's.
// A "false" anywhere in the class hierarchy wins over a "true".
#define FEARLESS_DETAIL_MARKED_(name, marker)                                  \
  template <class T, bool V, class = void>                                     \
  struct name##Declares : std::false_type {};                                  \
  template <class T, bool V>                                                   \
  struct name##Declares<                                                       \
      T, V,                                                                    \
      typename Void<decltype(marker(                                           \
          MarkerProbe(), static_cast<const volatile T *>(nullptr),             \
          std::integral_constant<bool, V>()))>::type> : std::true_type {};     \
  template <class T, class Otherwise>                                          \
  struct name                                                                  \
      : If<name##Declares<T, false>::value, std::false_type,                   \
           If<name##Declares<T, true>::value, std::true_type, Otherwise>> {};
FEARLESS_DETAIL_MARKED_(SendMarked, FEARLESS_MARKER_SEND)
FEARLESS_DETAIL_MARKED_(SyncMarked, FEARLESS_MARKER_SYNC)
FEARLESS_DETAIL_MARKED_(ThreadSafeMarked, FEARLESS_MARKER_THREAD_SAFE)
#undef FEARLESS_DETAIL_MARKED_

// Lock guards: a mutex must be unlocked by the thread that locked it.
template <class T> struct IsStdGuard : std::false_type {};
template <class M> struct IsStdGuard<std::lock_guard<M>> : std::true_type {};
template <class M> struct IsStdGuard<std::unique_lock<M>> : std::true_type {};
#if defined(__cpp_lib_scoped_lock)
template <class... M>
struct IsStdGuard<std::scoped_lock<M...>> : std::true_type {};
#endif
#if defined(__cpp_lib_shared_timed_mutex)
template <class M> struct IsStdGuard<std::shared_lock<M>> : std::true_type {};
#endif

template <class T> struct IsStdSyncPrimitive : std::false_type {};
template <class T>
struct IsStdSyncPrimitive<std::atomic<T>> : std::true_type {};
#if defined(__cpp_lib_atomic_ref)
template <class T>
struct IsStdSyncPrimitive<std::atomic_ref<T>> : std::true_type {};
#endif
#if defined(__cpp_lib_semaphore)
template <std::ptrdiff_t N>
struct IsStdSyncPrimitive<std::counting_semaphore<N>> : std::true_type {};
#endif
#if defined(__cpp_lib_barrier)
template <class F>
struct IsStdSyncPrimitive<std::barrier<F>> : std::true_type {};
#endif
#define FEARLESS_DETAIL_STD_SYNC_(type)                                        \
  template <> struct IsStdSyncPrimitive<type> : std::true_type {};
FEARLESS_DETAIL_STD_SYNC_(std::mutex)
FEARLESS_DETAIL_STD_SYNC_(std::timed_mutex)
FEARLESS_DETAIL_STD_SYNC_(std::recursive_mutex)
FEARLESS_DETAIL_STD_SYNC_(std::recursive_timed_mutex)
FEARLESS_DETAIL_STD_SYNC_(std::condition_variable)
FEARLESS_DETAIL_STD_SYNC_(std::condition_variable_any)
FEARLESS_DETAIL_STD_SYNC_(std::atomic_flag)
FEARLESS_DETAIL_STD_SYNC_(std::once_flag)
#if defined(__cpp_lib_shared_timed_mutex)
FEARLESS_DETAIL_STD_SYNC_(std::shared_timed_mutex)
#endif
#if defined(__cpp_lib_shared_mutex)
FEARLESS_DETAIL_STD_SYNC_(std::shared_mutex)
#endif
#if defined(__cpp_lib_latch)
FEARLESS_DETAIL_STD_SYNC_(std::latch)
#endif
// libc++ 19 ships <stop_token> only with -fexperimental-library.
#if defined(__cpp_lib_jthread)
FEARLESS_DETAIL_STD_SYNC_(std::stop_source)
FEARLESS_DETAIL_STD_SYNC_(std::stop_token)
#endif
#undef FEARLESS_DETAIL_STD_SYNC_

// Access to U through a pointer-like handle: const access needs Sync(U),
// mutable access needs ThreadSafe(U) (docs/rules.md).
template <class U>
struct Shareable
    : If<std::is_const<U>::value, IsSync<typename std::remove_cv<U>::type>,
         IsThreadSafe<typename std::remove_cv<U>::type>> {};
template <class U> struct Shareable<U[]> : Shareable<U> {};

// Pointer-like standard templates whose pointee is shared, not owned.
template <class T> struct SharedPointee {
  static constexpr bool is_pointer = false;
  typedef void type;
};
template <class U> struct SharedPointee<std::shared_ptr<U>> {
  static constexpr bool is_pointer = true;
  typedef U type;
};
template <class U> struct SharedPointee<std::weak_ptr<U>> {
  static constexpr bool is_pointer = true;
  typedef U type;
};
template <class U> struct SharedPointee<std::reference_wrapper<U>> {
  static constexpr bool is_pointer = true;
  typedef U type;
};
#if defined(__cpp_lib_span)
template <class U, std::size_t N> struct SharedPointee<std::span<U, N>> {
  static constexpr bool is_pointer = true;
  typedef U type;
};
#endif

// std::unique_ptr: C++ const is shallow, a const unique_ptr<U> still hands
// out U&.
template <class T> struct UniquePointee {
  static constexpr bool is_pointer = false;
  typedef void type;
};
template <class U, class D> struct UniquePointee<std::unique_ptr<U, D>> {
  static constexpr bool is_pointer = true;
  typedef typename std::unique_ptr<U, D>::element_type type;
};

// Generic rule for other class templates (containers, optional, tuple,
// unique_ptr, ...): the property holds iff it holds for every type argument.
template <template <class> class Prop, class T>
struct AllTypeArgs : std::true_type {};
template <template <class> class Prop, template <class...> class Tmpl,
          class... Args>
struct AllTypeArgs<Prop, Tmpl<Args...>> : All<Prop<Args>::value...> {};
template <template <class> class Prop, class U, std::size_t N>
struct AllTypeArgs<Prop, std::array<U, N>> : Prop<U> {};

template <class T>
struct ClassSend
    : SendMarked<
          T, If<IsStdGuard<T>::value, std::false_type,
                If<IsStdSyncPrimitive<T>::value, std::true_type,
                   If<SharedPointee<T>::is_pointer,
                      Shareable<typename SharedPointee<T>::type>,
                      AllTypeArgs<IsSend, T>>>>> {};

template <class T>
struct ClassThreadSafe : ThreadSafeMarked<T, IsStdSyncPrimitive<T>> {};

template <class T>
struct ClassSync
    : SyncMarked<
          T, If<ClassThreadSafe<T>::value, std::true_type,
                If<SharedPointee<T>::is_pointer,
                   Shareable<typename SharedPointee<T>::type>,
                   If<UniquePointee<T>::is_pointer,
                      Shareable<typename UniquePointee<T>::type>,
                      AllTypeArgs<IsSync, T>>>>> {};

// T*, T& and functions: what the pointee allows.
template <class T,
          class P = typename std::remove_pointer<
              typename std::remove_reference<T>::type>::type>
struct ThroughPointer
    : If<std::is_function<P>::value, std::true_type, Shareable<P>> {};

template <class T>
struct IsClass : std::integral_constant<bool, std::is_class<T>::value ||
                                                  std::is_union<T>::value> {};
template <class T>
struct IsPointer
    : std::integral_constant<bool, std::is_reference<T>::value ||
                                       std::is_pointer<T>::value> {};

template <class T>
struct ComputeSend
    : If<IsPointer<T>::value, ThroughPointer<T>,
         If<std::is_array<T>::value,
            IsSend<typename std::remove_all_extents<T>::type>,
            If<IsClass<T>::value, ClassSend<T>,
               std::true_type>>> {}; // scalars, enums, functions, void

template <class T>
struct ComputeSync
    : If<IsPointer<T>::value, ThroughPointer<T>,
         If<std::is_array<T>::value,
            IsSync<typename std::remove_all_extents<T>::type>,
            If<IsClass<T>::value, ClassSync<T>, std::true_type>>> {};

// A plain int written from two threads is a data race: only classes (and
// arrays of them) can be ThreadSafe.
template <class T>
struct ComputeThreadSafe
    : If<std::is_array<T>::value,
         IsThreadSafe<typename std::remove_all_extents<T>::type>,
         If<IsClass<T>::value, ClassThreadSafe<T>, std::false_type>> {};

} // namespace detail

/// True if a value of T may be moved or copied to another thread.
template <class T>
struct IsSend
    : std::integral_constant<
          bool, detail::ComputeSend<typename std::remove_cv<T>::type>::value> {
};
/// True if a `const T&` may be used from several threads at once.
template <class T>
struct IsSync
    : std::integral_constant<
          bool, detail::ComputeSync<typename std::remove_cv<T>::type>::value> {
};
/// True if a `T&` may be used from several threads at once. A const T may be
/// shared if T is Sync.
template <class T>
struct IsThreadSafe
    : std::integral_constant<
          bool,
          detail::ComputeThreadSafe<typename std::remove_cv<T>::type>::value> {
};
template <class T> struct IsThreadSafe<const T> : IsSync<T> {};
template <class T> struct IsThreadSafe<const volatile T> : IsSync<T> {};

#if __cplusplus >= 201402L
/// True if a value of T may be moved or copied to another thread.
template <class T>
FEARLESS_DETAIL_INLINE_VAR_ constexpr bool is_send_v = IsSend<T>::value;
/// True if a `const T&` may be used from several threads at once.
template <class T>
FEARLESS_DETAIL_INLINE_VAR_ constexpr bool is_sync_v = IsSync<T>::value;
/// True if a `T&` may be used from several threads at once.
template <class T>
FEARLESS_DETAIL_INLINE_VAR_ constexpr bool is_thread_safe_v =
    IsThreadSafe<T>::value;
#endif

#if defined(__cpp_concepts) && __cpp_concepts >= 201907L
/// A value of T may be moved or copied to another thread.
template <class T>
concept Send = IsSend<T>::value;
/// A `const T&` may be used from several threads at once.
template <class T>
concept Sync = IsSync<T>::value;
/// A `T&` may be used from several threads at once.
template <class T>
concept ThreadSafe = IsThreadSafe<T>::value;
#endif

} // namespace fearless

#endif // FEARLESS_SEND_SYNC_H_
