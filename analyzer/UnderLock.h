// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- UnderLock.h - is a statement inside a held lock? ------------------===//
//
// The checks that only need "is a lock held here?" (fearless-shared-ref,
// fearless-static-mut, the unlocked-members rule of TypeProperties) ask it
// here; the answer is the unit model's (UnitModel::lockedAt), the same walk
// of held locks every check uses.
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
