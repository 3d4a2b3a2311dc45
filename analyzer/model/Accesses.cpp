//===--- Accesses.cpp - which uses of a field or variable write it --------===//

#include "Accesses.h"

namespace clang::tidy::fearless {

const CXXThisExpr *thisBase(const MemberExpr *ME) {
  return dyn_cast<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts());
}

bool isStaticVariable(const Expr *E) {
  const auto *DRE = dyn_cast<DeclRefExpr>(E);
  const auto *V = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  return V && V->hasGlobalStorage();
}

const Expr *storageRoot(const Expr *E) {
  while (E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
      const auto *V = dyn_cast<VarDecl>(DRE->getDecl());
      // A reference variable designates another object.
      return V && !V->getType()->isReferenceType() ? E : nullptr;
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (thisBase(ME))
        return isa<FieldDecl>(ME->getMemberDecl()) ? ME : nullptr;
      if (ME->isArrow() || ME->getMemberDecl()->getType()->isReferenceType())
        return nullptr;
      E = ME->getBase();
    } else if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E)) {
      if (!AS->getBase()->IgnoreParenImpCasts()->getType()->isArrayType())
        return nullptr;
      E = AS->getBase();
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
               Op && Op->getOperator() == OO_Subscript && Op->getNumArgs()) {
      E = Op->getArg(0);
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

bool hasConstTwin(const CXXMethodDecl *MD) {
  for (const NamedDecl *ND : MD->getParent()->lookup(MD->getDeclName())) {
    // A using-declaration or a field of the same name: not a function.
    const auto *Other = dyn_cast_or_null<CXXMethodDecl>(ND->getAsFunction());
    if (Other && Other->isConst())
      return true;
  }
  return false;
}

bool WriteFinder::VisitBinaryOperator(BinaryOperator *BO) {
  if (BO->isAssignmentOp())
    mark(BO->getLHS());
  return true;
}

bool WriteFinder::VisitUnaryOperator(UnaryOperator *UO) {
  if (UO->isIncrementDecrementOp() ||
      (UO->getOpcode() == UO_AddrOf && !ConstAddress.contains(UO)))
    mark(UO->getSubExpr());
  return true;
}

bool WriteFinder::VisitCallExpr(CallExpr *CE) {
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(CE)) {
    if (Op->isAssignmentOp() || Op->getOperator() == OO_PlusPlus ||
        Op->getOperator() == OO_MinusMinus) {
      mark(Op->getArg(0));
      return true;
    }
    if (const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee());
        MD && !MD->isConst() && !MD->isStatic() && !hasConstTwin(MD))
      mark(Op->getArg(0));
  }
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(CE)) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    const auto *Callee = dyn_cast<MemberExpr>(MC->getCallee()->IgnoreParens());
    if (MD && !MD->isConst() && !hasConstTwin(MD) && Callee &&
        !Callee->isArrow())
      mark(MC->getImplicitObjectArgument());
  }
  if (const FunctionDecl *FD = CE->getDirectCallee()) {
    bool SkipObject = isa<CXXOperatorCallExpr>(CE) && isa<CXXMethodDecl>(FD);
    // `&x` for a `const T *` parameter: the callee only reads x. Visited
    // before the argument (pre-order), so the address-of sees it.
    unsigned Shift = SkipObject ? 1 : 0;
    for (unsigned I = Shift; I < CE->getNumArgs(); ++I) {
      unsigned P = I - Shift;
      if (P >= FD->getNumParams())
        break;
      QualType T = FD->getParamDecl(P)->getType();
      const auto *Addr =
          dyn_cast<UnaryOperator>(CE->getArg(I)->IgnoreParenImpCasts());
      if (Addr && Addr->getOpcode() == UO_AddrOf && T->isPointerType() &&
          T->getPointeeType().isConstQualified())
        ConstAddress.insert(Addr);
    }
    markReferenceArgs(FD, CE->getArgs(), CE->getNumArgs(), SkipObject);
  }
  return true;
}

bool WriteFinder::VisitCXXConstructExpr(CXXConstructExpr *CE) {
  markReferenceArgs(CE->getConstructor(), CE->getArgs(), CE->getNumArgs(),
                    false);
  return true;
}

void WriteFinder::mark(const Expr *E) {
  const Expr *Root = storageRoot(E);
  if (const auto *ME = dyn_cast_or_null<MemberExpr>(Root))
    Writes.insert(ME);
  else if (const auto *DRE = dyn_cast_or_null<DeclRefExpr>(Root))
    VarWrites.insert(DRE);
}

// Arguments bound to non-const lvalue references may be written.
void WriteFinder::markReferenceArgs(const FunctionDecl *FD,
                                    const Expr *const *Args, unsigned NumArgs,
                                    bool SkipObject) {
  unsigned Shift = SkipObject ? 1 : 0;
  for (unsigned I = Shift; I < NumArgs; ++I) {
    unsigned P = I - Shift;
    if (P >= FD->getNumParams())
      break;
    QualType T = FD->getParamDecl(P)->getType();
    if (T->isLValueReferenceType() &&
        !T.getNonReferenceType().isConstQualified())
      mark(Args[I]);
  }
}

} // namespace clang::tidy::fearless
