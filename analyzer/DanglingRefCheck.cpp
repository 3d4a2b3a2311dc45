//===--- DanglingRefCheck.cpp - fearless-dangling-ref ----------------------===//

#include "DanglingRefCheck.h"
#include "BoundaryScope.h"
#include "CheckRegistry.h"
#include "Crossing.h"

#include "clang/AST/Decl.h"

namespace clang::tidy::fearless {

static RegisterCheck<DanglingRefCheck> Registration("fearless-dangling-ref");

namespace {

// An object that dies when its block or function ends: a local or a
// by-value parameter (not a reference, whose referent the caller owns).
bool isAutomatic(const ValueDecl *D) {
  const auto *VD = dyn_cast_or_null<VarDecl>(D);
  return VD && VD->hasLocalStorage() && !VD->getType()->isReferenceType();
}

} // namespace

void DanglingRefCheck::checkBoundary(const ThreadBoundary &B,
                                     ASTContext &Ctx) {
  for (const CrossingItem &Item : crossingItems(B, Ctx)) {
    if (!Item.IsReference)
      continue;
    if (Item.IsThis) {
      if (Item.KeepsThisAlive || isNeverDestroyed(Item.Type, Ctx))
        continue;
      ScopeAnswer A = scopedFor(B, nullptr, Ctx);
      if (A.Scoped)
        continue;
      diag(Item.Loc, "'this' is %select{captured|passed}0 into %1, which may "
                     "outlive the object")
          << (Item.How == CrossHow::CapturedThis ? 0 : 1)
          << describeBoundary(B);
      diag(A.WhyLoc.isValid() ? A.WhyLoc : B.Site->getBeginLoc(), "%0",
           DiagnosticIDs::Note)
          << A.Why;
      diag(Item.Loc,
           "capture a 'shared_from_this()' in the same lambda to keep the "
           "object alive, or join the thread before the object is destroyed",
           DiagnosticIDs::Note);
      continue;
    }
    if (!isAutomatic(Item.Referent))
      continue;
    ScopeAnswer A = scopedFor(B, Item.Referent, Ctx);
    if (A.Scoped)
      continue;
    // 'p' (which points to 'local'), or the referent itself when the
    // argument has no name of its own (&local, local.get()).
    bool Direct =
        Item.Name.empty() || Item.Name == Item.Referent->getNameAsString();
    diag(Item.Loc,
         "%select{|pointer to }0'%1'%select{| (which points to '%2')}3 is %select{||||captured "
         "by reference|passed by reference|passed|captured|captured|passed|"
         "captured}4 into %5, which may outlive it")
        << (Direct && (Item.How == CrossHow::PassedByPointer) ? 1 : 0)
        << (Direct ? Item.Referent->getNameAsString() : Item.Name)
        << Item.Referent->getNameAsString() << (Direct ? 0 : 1)
        << static_cast<int>(Item.How) << describeBoundary(B);
    diag(A.WhyLoc.isValid() ? A.WhyLoc : B.Site->getBeginLoc(), "%0",
         DiagnosticIDs::Note)
        << A.Why;
    diag(Item.Referent->getLocation(), "'%0' is a local %select{variable|"
                                       "parameter}1 declared here",
         DiagnosticIDs::Note)
        << Item.Referent->getNameAsString()
        << (isa<ParmVarDecl>(Item.Referent) ? 1 : 0);
  }
}

} // namespace clang::tidy::fearless
