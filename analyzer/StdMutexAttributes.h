//===--- StdMutexAttributes.h - std::mutex as an annotated capability -----===//
//
// libstdc++ carries no thread-safety attributes. After Sema and before the
// analysis, these functions attach implicit ones to the standard mutexes and
// lock guards, as if the library were annotated, so that
// `int x FEARLESS_GUARDED_BY(mu_);` works with a plain `std::mutex mu_;`.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_STDMUTEXATTRIBUTES_H
#define FEARLESS_ANALYZER_STDMUTEXATTRIBUTES_H

#include "clang/AST/ASTContext.h"

namespace clang::tidy::fearless {

/// Attaches capability attributes to std::mutex, timed_mutex,
/// recursive_mutex, recursive_timed_mutex, shared_mutex, shared_timed_mutex
/// and scoped-capability attributes to every specialization of
/// std::lock_guard, unique_lock, scoped_lock and shared_lock in \p Ctx.
/// Idempotent: a second call on the same context does nothing.
void annotateStdMutexes(ASTContext &Ctx);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_STDMUTEXATTRIBUTES_H
