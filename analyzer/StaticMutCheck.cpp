// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- StaticMutCheck.cpp - fearless-static-mut --------------------------===//

#include "StaticMutCheck.h"
#include "CheckRegistry.h"
#include "UnderLock.h"
#include "model/Callables.h"

#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::fearless {

static RegisterCheck<StaticMutCheck> Registration("fearless-static-mut");

namespace {

// Calls are followed this deep into functions defined in the TU.
constexpr size_t MaxCallDepth = 6;

} // namespace

void StaticMutCheck::checkBoundary(const ThreadBoundary &B, ASTContext &Ctx) {
  llvm::SmallVector<const Expr *, 4> Callables(B.Crossing.begin(),
                                               B.Crossing.end());
  // pthread_create(&t, attr, start_routine, arg): the routine runs there.
  if (B.Kind == BoundaryKind::PThreadCreate)
    if (const auto *Call = dyn_cast<CallExpr>(B.Site); Call && Call->getNumArgs() == 4)
      Callables.push_back(Call->getArg(2));
  if (B.Kind == BoundaryKind::ChannelSend)
    return;
  for (const Expr *Arg : Callables) {
    const Stmt *Body = callableBody(Arg);
    if (!Body)
      continue;
    std::vector<CallStep> Path;
    llvm::DenseSet<const FunctionDecl *> Seen;
    visit(Body, Body, B, Ctx, Path, Seen);
  }
}

void StaticMutCheck::visit(const Stmt *S, const Stmt *Body,
                           const ThreadBoundary &B, ASTContext &Ctx,
                           std::vector<CallStep> &Path,
                           llvm::DenseSet<const FunctionDecl *> &Seen) {
  if (!S)
    return;
  const SourceManager &SM = Ctx.getSourceManager();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(S)) {
    const auto *VD = dyn_cast<VarDecl>(Ref->getDecl());
    if (VD && VD->hasGlobalStorage() && VD->getTLSKind() == VarDecl::TLS_None &&
        !VD->getType().isConstQualified() && !VD->isConstexpr() &&
        !VD->getType()->isReferenceType() &&
        !SM.isInSystemHeader(VD->getLocation()) &&
        !VD->hasAttr<GuardedByAttr>() && !Reported.contains(S) &&
        !isUnderLock(S, Body, Ctx) &&
        publication(Ctx).published(VD, Ref) == Published::No) {
      const Verdict &V = props().get(VD->getType(), Property::ThreadSafe);
      if (!V.Holds && !V.GuardOnly) {
        Reported.insert(S);
        int Kind = VD->isStaticDataMember() ? 2 : VD->isLocalVarDecl() ? 1 : 0;
        diag(Ref->getLocation(),
             "non-const %select{global|static|class static}0 '%1' is used "
             "from %2 but '%3' is not thread-safe")
            << Kind << VD->getNameAsString()
            << ("a thread started by '" + B.Spawner + "'")
            << props().print(VD->getType());
        diag(B.Site->getBeginLoc(), "the thread is started here",
             DiagnosticIDs::Note);
        for (auto It = Path.rbegin(); It != Path.rend(); ++It)
          diag(It->CallLoc, "'%0' is called here on that thread",
               DiagnosticIDs::Note)
              << It->Callee->getNameAsString();
        emitChain(V, VD->getLocation());
      }
    }
  }
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    const FunctionDecl *FD = Call->getDirectCallee();
    const FunctionDecl *Def = FD ? FD->getDefinition() : nullptr;
    if (Def && Def->getBody() && Path.size() < MaxCallDepth &&
        !SM.isInSystemHeader(Def->getLocation()) && Seen.insert(Def).second) {
      Path.push_back({Def, Call->getBeginLoc()});
      visit(Def->getBody(), Def->getBody(), B, Ctx, Path, Seen);
      Path.pop_back();
    }
  }
  for (const Stmt *Child : S->children())
    visit(Child, Body, B, Ctx, Path, Seen);
}

} // namespace clang::tidy::fearless
