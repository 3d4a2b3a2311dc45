//===--- UnderLock.h - is a statement inside a held lock? ------------------===//
//
// A syntactic approximation used to keep fearless-shared-ref and
// fearless-static-mut quiet about accesses that the guarded-by checks own:
// a use is under a lock when an enclosing block declares a lock guard
// (std::lock_guard, unique_lock, scoped_lock, shared_lock,
// fearless::MutexGuard, ...) before it, or calls 'lock()' on something
// before it without calling 'unlock()' in between.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_UNDERLOCK_H
#define FEARLESS_ANALYZER_UNDERLOCK_H

#include "clang/AST/ASTContext.h"

namespace clang::tidy::fearless {

/// True if \p Use (inside \p Body) runs with a lock held by \p Body.
bool isUnderLock(const Stmt *Use, const Stmt *Body, ASTContext &Ctx);

/// True if \p Body uses \p D (or 'this', when \p D is null) at least once
/// and every use is under a lock.
bool everyUseUnderLock(const Stmt *Body, const Decl *D, ASTContext &Ctx);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_UNDERLOCK_H
