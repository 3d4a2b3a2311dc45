// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- DanglingRefCheck.h - fearless-dangling-ref ------------------------===//
//
// Finds references, pointers and views to automatic storage (or 'this')
// that cross a thread boundary that is not scoped, so the other thread may
// use them after the object died; and coroutine tasks that keep a
// reference to a temporary or a local that dies before the task runs.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_DANGLINGREFCHECK_H
#define FEARLESS_ANALYZER_DANGLINGREFCHECK_H

#include "BoundaryCheck.h"

namespace clang::tidy::fearless {

/// Finds references, pointers and views to automatic storage (or 'this')
/// that cross a thread boundary that is not scoped, so the other thread may
/// use them after the object died.
///
/// For the user-facing documentation see: docs/checks/fearless-dangling-ref.md
class DanglingRefCheck : public BoundaryCheck {
public:
  using BoundaryCheck::BoundaryCheck;

protected:
  void checkBoundary(const ThreadBoundary &B, ASTContext &Ctx) override;
  /// Coroutine calls whose task outlives what it refers to.
  void endOfUnit() override;

private:
  void checkCoroutineCall(const CallExpr *Call, const FunctionDecl *Coroutine,
                          const ThreadBoundary *Spawned, ASTContext &Ctx);
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_DANGLINGREFCHECK_H
