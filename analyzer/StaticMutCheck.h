// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- StaticMutCheck.h - fearless-static-mut ----------------------------===//
//
// Finds non-const globals, statics and class statics that are not
// thread-safe used from code that runs on a spawned thread (Rust's
// 'static mut').
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_STATICMUTCHECK_H
#define FEARLESS_ANALYZER_STATICMUTCHECK_H

#include "BoundaryCheck.h"

#include "llvm/ADT/DenseSet.h"

namespace clang::tidy::fearless {

/// Finds non-const globals, statics and class statics that are not
/// thread-safe used from code that runs on a spawned thread (Rust's
/// 'static mut').
///
/// For the user-facing documentation see: docs/checks/fearless-static-mut.md
class StaticMutCheck : public BoundaryCheck {
public:
  using BoundaryCheck::BoundaryCheck;
protected:
  void endOfUnit() override { Reported.clear(); }
  void checkBoundary(const ThreadBoundary &B, ASTContext &Ctx) override;

private:
  struct CallStep {
    const FunctionDecl *Callee;
    SourceLocation CallLoc;
  };
  void visit(const Stmt *S, const Stmt *Body, const ThreadBoundary &B,
             ASTContext &Ctx, std::vector<CallStep> &Path,
             llvm::DenseSet<const FunctionDecl *> &Seen);
  llvm::DenseSet<const Stmt *> Reported;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_STATICMUTCHECK_H
