// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Callables.cpp - where stored callables come from and are called --===//

#include "model/Callables.h"
#include "LockScope.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"

namespace clang::tidy::fearless {

bool isCallableSlotType(QualType T) {
  T = T.getNonReferenceType();
  if (T->isFunctionPointerType() || T->isFunctionType())
    return true;
  const auto *RD = T->getAsCXXRecordDecl();
  if (!RD)
    return false;
  std::string Name = plainQualifiedName(RD);
  if (Name == "std::function" || Name == "std::move_only_function" ||
      Name == "std::copyable_function")
    return true;
  // A std container or wrapper of callables: vector<function<...>>,
  // map<K, function<...>>, optional<function<...>>.
  const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
  if (!Spec || !RD->isInStdNamespace())
    return false;
  for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray())
    if (Arg.getKind() == TemplateArgument::Type &&
        isCallableSlotType(Arg.getAsType()))
      return true;
  return false;
}

namespace {

const Expr *strip(const Expr *E) {
  while (E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *Temp = dyn_cast<MaterializeTemporaryExpr>(E))
      E = Temp->getSubExpr();
    else if (const auto *Bind = dyn_cast<CXXBindTemporaryExpr>(E))
      E = Bind->getSubExpr();
    else if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(E))
      E = Cleanups->getSubExpr();
    else if (const auto *Construct = dyn_cast<CXXConstructExpr>(E);
             Construct && Construct->getNumArgs() == 1 &&
             !isa<CXXTemporaryObjectExpr>(Construct))
      E = Construct->getArg(0); // copy, move or converting construction
    else if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
      E = Cast->getSubExpr();
    else if (const auto *Call = dyn_cast<CallExpr>(E);
             Call && Call->getNumArgs() == 1 && Call->getDirectCallee() &&
             Call->getDirectCallee()->isInStdNamespace() &&
             Call->getDirectCallee()->getDeclName().isIdentifier() &&
             (Call->getDirectCallee()->getName() == "move" ||
              Call->getDirectCallee()->getName() == "forward"))
      E = Call->getArg(0);
    else
      return E;
  }
  return E;
}

const ValueDecl *canonicalParam(const ParmVarDecl *P) {
  const auto *FD = dyn_cast<FunctionDecl>(P->getDeclContext());
  if (!FD)
    return nullptr;
  const FunctionDecl *Canon = FD->getCanonicalDecl();
  unsigned I = P->getFunctionScopeIndex();
  return I < Canon->getNumParams() ? Canon->getParamDecl(I) : nullptr;
}

} // namespace

const ValueDecl *rootDecl(const Expr *E, bool *ViaThis) {
  if (ViaThis)
    *ViaThis = false;
  for (int Depth = 0; E && Depth < 16; ++Depth) {
    E = strip(E);
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (ViaThis)
        *ViaThis = isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts());
      return dyn_cast<FieldDecl>(ME->getMemberDecl());
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      if (const auto *P = dyn_cast<ParmVarDecl>(Ref->getDecl()))
        return canonicalParam(P);
      const auto *VD = dyn_cast<VarDecl>(Ref->getDecl());
      // A local bound to an element (`auto &cb = cbs_[i]`, a range-for
      // element and its hidden iterators): follow its initializer.
      E = VD && VD->isLocalVarDecl() ? VD->getInit() : nullptr;
      continue;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      if (Op->getOperator() != OO_Subscript && Op->getOperator() != OO_Star &&
          Op->getOperator() != OO_Arrow)
        return nullptr;
      E = Op->getArg(0);
      continue;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
      E = MC->getImplicitObjectArgument(); // __range.begin(), front(), at()
      continue;
    }
    if (const auto *U = dyn_cast<UnaryOperator>(E)) {
      E = U->getSubExpr();
      continue;
    }
    return nullptr;
  }
  return nullptr;
}

const ValueDecl *slotOf(const Expr *E, bool *ViaThis) {
  const ValueDecl *D = rootDecl(E, ViaThis);
  return D && isCallableSlotType(D->getType()) ? D : nullptr;
}

bool storedValue(const Expr *Value, const FunctionDecl *&Function,
                 bool &CapturesThis, const ValueDecl *&From) {
  Function = nullptr;
  From = nullptr;
  CapturesThis = false;
  const Expr *E = strip(Value);
  // A local lambda variable handed over: its initializer.
  for (int Depth = 0; E && Depth < 4; ++Depth) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E);
    const auto *VD = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (!VD || !VD->isLocalVarDecl() || isa<ParmVarDecl>(VD) ||
        !VD->getInit())
      break;
    E = strip(VD->getInit());
  }
  if (!E)
    return false;
  if (const auto *L = dyn_cast<LambdaExpr>(E)) {
    Function = L->getCallOperator()->getCanonicalDecl();
    for (const LambdaCapture &C : L->captures())
      CapturesThis |= C.capturesThis();
    return true;
  }
  if (const auto *U = dyn_cast<UnaryOperator>(E); U && U->getOpcode() == UO_AddrOf)
    E = U->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    if (const auto *FD = dyn_cast<FunctionDecl>(Ref->getDecl())) {
      Function = FD->getCanonicalDecl();
      return true;
    }
  From = slotOf(E);
  return From != nullptr;
}

const ValueDecl *calledSlot(const Expr *Call, bool *ViaThis) {
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call))
    return Op->getOperator() == OO_Call && Op->getNumArgs() > 0
               ? slotOf(Op->getArg(0), ViaThis)
               : nullptr;
  if (isa<CXXMemberCallExpr>(Call))
    return nullptr;
  const auto *CE = dyn_cast<CallExpr>(Call);
  if (!CE || CE->getDirectCallee())
    return nullptr;
  return slotOf(CE->getCallee(), ViaThis); // a function pointer
}

const LambdaExpr *lambdaHeld(const Expr *E) {
  for (int Depth = 0; E && Depth < 8; ++Depth) {
    E = E->IgnoreUnlessSpelledInSource()->IgnoreParenImpCasts();
    if (const auto *MT = dyn_cast<MaterializeTemporaryExpr>(E))
      E = MT->getSubExpr()->IgnoreParenImpCasts();
    if (const auto *Lambda = dyn_cast<LambdaExpr>(E))
      return Lambda;
    // std::move(f), std::forward<F>(f).
    if (const Expr *Moved = movedOperand(dyn_cast<CallExpr>(E))) {
      E = Moved;
      continue;
    }
    // std::function<void()>(lambda), a conversion to a std::function.
    const auto *Construct = dyn_cast<CXXConstructExpr>(E);
    if (!Construct)
      if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
        Construct = dyn_cast<CXXConstructExpr>(
            Cast->getSubExpr()->IgnoreParenImpCasts());
    if (Construct) {
      if (Construct->getNumArgs() != 1 ||
          !isCallableSlotType(Construct->getType()))
        return nullptr;
      E = Construct->getArg(0);
      continue;
    }
    // A local variable holding one: its initialiser.
    const auto *Ref = dyn_cast<DeclRefExpr>(E);
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (!Var || !Var->hasLocalStorage() || isa<ParmVarDecl>(Var) ||
        Var->getType()->isReferenceType() || !Var->getInit())
      return nullptr;
    const auto *RD = Var->getType()->getAsCXXRecordDecl();
    if (!(RD && RD->isLambda()) && !isCallableSlotType(Var->getType()))
      return nullptr;
    E = Var->getInit();
  }
  return nullptr;
}

const Stmt *callableBody(const Expr *Arg) {
  if (const LambdaExpr *Lambda = lambdaHeld(Arg))
    return Lambda->getBody();
  const Expr *E = Arg->IgnoreUnlessSpelledInSource()->IgnoreParenImpCasts();
  if (const auto *MT = dyn_cast<MaterializeTemporaryExpr>(E))
    E = MT->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *RD = E->getType()->getAsCXXRecordDecl();
      RD && RD->isLambda() && RD->getLambdaCallOperator())
    return RD->getLambdaCallOperator()->getBody();
  if (const auto *Op = dyn_cast<UnaryOperator>(E);
      Op && Op->getOpcode() == UO_AddrOf)
    E = Op->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    if (const auto *FD = dyn_cast<FunctionDecl>(Ref->getDecl()))
      if (const FunctionDecl *Def = FD->getDefinition())
        return Def->getBody();
  return nullptr;
}

} // namespace clang::tidy::fearless
