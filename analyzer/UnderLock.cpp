//===--- UnderLock.cpp - is a statement inside a held lock? ----------------===//

#include "UnderLock.h"
#include "BodyParents.h"
#include "GuardTypes.h"

#include "clang/AST/ExprCXX.h"

namespace clang::tidy::fearless {

namespace {

bool isMemberCall(const Stmt *S, llvm::StringRef Name) {
  if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(S))
    S = Cleanups->getSubExpr();
  const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
  return Call && Call->getMethodDecl() &&
         Call->getMethodDecl()->getDeclName().isIdentifier() &&
         Call->getMethodDecl()->getName() == Name;
}

bool declaresGuard(const Stmt *S) {
  const auto *DS = dyn_cast<DeclStmt>(S);
  if (!DS)
    return false;
  for (const Decl *D : DS->decls())
    if (const auto *VD = dyn_cast<VarDecl>(D); VD && isGuardType(VD->getType()))
      return true;
  return false;
}

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
  const ParentMap &Parents = bodyParents(Body, Ctx);
  const Stmt *N = Use;
  for (int Depth = 0; Depth < 128 && N && N != Body; ++Depth) {
    const Stmt *P = Parents.getParent(N);
    if (!P)
      return false;
    if (const auto *CS = dyn_cast<CompoundStmt>(P)) {
      bool Locked = false;
      for (const Stmt *Child : CS->body()) {
        if (Child == N)
          break;
        if (declaresGuard(Child) || isMemberCall(Child, "lock"))
          Locked = true;
        else if (isMemberCall(Child, "unlock"))
          Locked = false;
      }
      if (Locked)
        return true;
    }
    // fearless::Mutex::with_lock([&](T &v) { ... }) and the like.
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(P);
        Call && Call->getMethodDecl() &&
        Call->getMethodDecl()->getDeclName().isIdentifier() &&
        Call->getMethodDecl()->getName() == "with_lock")
      return true;
    N = P;
  }
  return false;
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
