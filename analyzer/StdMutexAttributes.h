// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
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

/// Which standard locker \p RD is (a specialization of std::unique_lock or
/// std::shared_lock), without building its qualified name: this runs on
/// every call, variable and function of a translation unit.
enum class StdLocker { None, Unique, Shared };
StdLocker stdLockerKind(const CXXRecordDecl *RD);

/// A function that returns a std::unique_lock or std::shared_lock it made on
/// a mutex its callers can name (a member, a parameter, a global) -- every
/// `return` a local locker, or a locker built in place, on the same mutex --
/// and that carries no thread-safety attribute of its own, acquires that
/// mutex for its caller: attaches ACQUIRE (or ACQUIRE_SHARED) of it to \p FD,
/// so that `auto lk = obj.lock();` holds the mutex in the caller, as the
/// engine does for annotated functions returning scoped capabilities.
/// Returns that mutex if it did, else null. Call after annotateStdMutexes.
const Expr *inferReturnedLocker(ASTContext &Ctx, FunctionDecl *FD);

/// For a function defined here that returns a std::unique_lock or
/// std::shared_lock by value, or -- with an engine older than Clang 20, which
/// fixed llvm-project #58480 -- any scoped capability (lock_guard since
/// C++17's guaranteed elision, a user's FEARLESS_SCOPED_CAPABILITY type):
/// where the lockers it returns were constructed
/// (the engine's "acquired here"). The engine sees no destructor for them
/// and reports their mutexes as still held at the function's end, or held
/// on some paths only where two returns join -- a false positive Clang's own
/// tests note for scoped capabilities returned by value.
llvm::SmallVector<SourceLocation, 2> returnedLockerSites(const FunctionDecl *FD);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_STDMUTEXATTRIBUTES_H
