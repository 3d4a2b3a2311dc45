// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/unwinding.h - a cheap "is this thread unwinding?" test.
//
// A guard poisons its lock when it is destroyed by an exception that was
// thrown after the guard was created. std::uncaught_exceptions() answers
// that, but it is an out-of-line call into the C++ runtime that reads a
// dynamic thread-local (about as expensive as an uncontended lock). Here
// the runtime's per-thread exception record is looked up once per thread
// and cached in a local thread-local, so each check is one load.
#ifndef FEARLESS_DETAIL_UNWINDING_H_
#define FEARLESS_DETAIL_UNWINDING_H_

#include <exception>

#if __has_include(<cxxabi.h>) && (defined(__GLIBCXX__) || defined(_LIBCPP_VERSION))
#include <cxxabi.h>
#define FEARLESS_DETAIL_FAST_UNWINDING_ 1
#else
#define FEARLESS_DETAIL_FAST_UNWINDING_ 0
#endif

namespace fearless::detail {

#if FEARLESS_DETAIL_FAST_UNWINDING_
// Safety: the Itanium C++ ABI (section 2.2.2) fixes the first two members
// of __cxa_eh_globals, and __cxa_get_globals() returns the same object for
// the whole life of a thread (libstdc++, libc++abi). The test
// Mutex.UnwindingCountMatchesStandard checks the layout on every build.
struct EhGlobalsPrefix {
  void *caught_exceptions;
  unsigned int uncaught_exceptions;
};

inline constinit thread_local EhGlobalsPrefix *eh_globals_cache = nullptr;

#if defined(_LIBCPP_VERSION)
// libc++abi exports __cxa_get_globals but its <cxxabi.h> does not declare it.
extern "C" void *fearless_cxa_get_globals_() noexcept __asm__("__cxa_get_globals");
inline void *eh_globals() noexcept { return fearless_cxa_get_globals_(); }
#else
inline void *eh_globals() noexcept { return abi::__cxa_get_globals(); }
#endif

/// Same value as std::uncaught_exceptions(), for the calling thread.
inline int uncaught_exceptions() noexcept {
  EhGlobalsPrefix *globals = eh_globals_cache;
  if (__builtin_expect(globals == nullptr, 0)) {
    globals = reinterpret_cast<EhGlobalsPrefix *>(eh_globals());
    eh_globals_cache = globals;
  }
  return static_cast<int>(globals->uncaught_exceptions);
}
#else
/// Same value as std::uncaught_exceptions(), for the calling thread.
inline int uncaught_exceptions() noexcept { return std::uncaught_exceptions(); }
#endif

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_UNWINDING_H_
