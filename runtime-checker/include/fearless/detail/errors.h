// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// fearless/detail/errors.h - how the runtime reports an error: an exception
// when the program has them, a documented abort when it is built with
// -fno-exceptions (as Abseil and libstdc++ do).
//
// With exceptions, every error is thrown as documented on each function
// (PoisonError, std::logic_error, ...). Without them, the same error prints
//   fearless: fatal error: <what> (exceptions are disabled: -fno-exceptions)
// on stderr and calls std::abort(); a spawned thread's callable cannot
// throw, so join() never rethrows. docs/install.md#exceptions.
#ifndef FEARLESS_DETAIL_ERRORS_H_
#define FEARLESS_DETAIL_ERRORS_H_

#include <cstdio>
#include <cstdlib>
#include <utility>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define FEARLESS_DETAIL_EXCEPTIONS 1
#else
#define FEARLESS_DETAIL_EXCEPTIONS 0
#endif

// try/catch (...) that compile without exceptions: the handler is dead code.
#if FEARLESS_DETAIL_EXCEPTIONS
#define FEARLESS_DETAIL_TRY try
#define FEARLESS_DETAIL_CATCH_ALL catch (...)
#define FEARLESS_DETAIL_RETHROW throw
#else
#define FEARLESS_DETAIL_TRY if (true)
#define FEARLESS_DETAIL_CATCH_ALL else
#define FEARLESS_DETAIL_RETHROW std::abort()
#endif

namespace fearless::detail {

/// Throws \p error, or without exceptions prints its what() and aborts.
template <class E> [[noreturn]] void throw_or_abort(E &&error) {
#if FEARLESS_DETAIL_EXCEPTIONS
  throw std::forward<E>(error);
#else
  std::fprintf(stderr,
               "fearless: fatal error: %s (exceptions are disabled: "
               "-fno-exceptions)\n",
               error.what());
  std::abort();
#endif
}

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_ERRORS_H_
