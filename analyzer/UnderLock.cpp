// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- UnderLock.cpp - is a statement inside a held lock? ----------------===//

#include "UnderLock.h"
#include "model/UnitModel.h"

#include "clang/AST/ExprCXX.h"

namespace clang::tidy::fearless {

namespace {

void collectUses(const Stmt *S, const Decl *D,
                 llvm::SmallVectorImpl<const Stmt *> &Uses) {
  if (!S)
    return;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(S); Ref && D && Ref->getDecl() == D)
    Uses.push_back(S);
  if (!D && isa<CXXThisExpr>(S))
    Uses.push_back(S);
  for (const Stmt *Child : S->children())
    collectUses(Child, D, Uses);
}

} // namespace

bool isUnderLock(const Stmt *Use, const Stmt *Body, ASTContext &Ctx) {
  return Body && UnitModel::get(Ctx).lockedAt(Use, Body);
}

bool everyUseUnderLock(const Stmt *Body, const Decl *D, ASTContext &Ctx) {
  if (!Body)
    return false;
  llvm::SmallVector<const Stmt *, 8> Uses;
  collectUses(Body, D, Uses);
  if (Uses.empty())
    return false;
  for (const Stmt *Use : Uses)
    if (!isUnderLock(Use, Body, Ctx))
      return false;
  return true;
}

} // namespace clang::tidy::fearless
