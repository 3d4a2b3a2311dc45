// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Accesses.cpp - which uses of a field or variable write it --------===//

#include "Accesses.h"

#include "clang/AST/ParentMapContext.h"

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
      // A const operator[] that hands out a non-const element
      // (unique_ptr<T[]>, span) reaches through a pointer.
      const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee());
      QualType R = MD ? MD->getReturnType() : QualType();
      if (MD && MD->isConst() && R->isLValueReferenceType() &&
          !R.getNonReferenceType().isConstQualified())
        return nullptr;
      E = Op->getArg(0);
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

static bool neverReturns(const FunctionDecl *FD, int Depth);

static bool callNeverReturns(const Stmt *S, int Depth) {
  const auto *E = dyn_cast_or_null<Expr>(S);
  const auto *Call = E ? dyn_cast<CallExpr>(E->IgnoreImplicit()) : nullptr;
  return Call && neverReturns(Call->getDirectCallee(), Depth);
}

static bool neverReturns(const FunctionDecl *FD, int Depth) {
  if (!FD)
    return false;
  if (FD->isNoReturn())
    return true;
  const FunctionDecl *Def = FD->getDefinition();
  const auto *Body = Def ? dyn_cast_or_null<CompoundStmt>(Def->getBody()) : nullptr;
  if (!Body || Depth > 3)
    return false;
  for (const Stmt *S : Body->body())
    if (callNeverReturns(S, Depth + 1))
      return true;
  return false;
}

bool neverReturns(const FunctionDecl *FD) { return neverReturns(FD, 0); }

bool afterNoReturnCall(const Stmt *S, ASTContext &Ctx) {
  DynTypedNode N = DynTypedNode::create(*S);
  for (int Depth = 0; Depth < 64; ++Depth) {
    auto Parents = Ctx.getParents(N);
    if (Parents.empty() || Parents[0].get<Decl>())
      return false;
    if (const auto *CS = Parents[0].get<CompoundStmt>()) {
      const Stmt *Child = N.get<Stmt>();
      for (const Stmt *Earlier : CS->body()) {
        if (Earlier == Child)
          break;
        if (callNeverReturns(Earlier, 0))
          return true;
      }
    }
    N = Parents[0];
  }
  return false;
}

namespace {

const Stmt *parentOf(const Stmt *S, ASTContext &Ctx) {
  auto Parents = Ctx.getParents(*S);
  return Parents.empty() ? nullptr : Parents[0].get<Stmt>();
}

// Whether the lvalue \p L (a dereference of the parameter) is only read.
bool onlyRead(const Stmt *L, ASTContext &Ctx) {
  const Stmt *P = parentOf(L, Ctx);
  while (P && isa<ParenExpr>(P)) {
    L = P;
    P = parentOf(P, Ctx);
  }
  const auto *Cast = dyn_cast_or_null<ImplicitCastExpr>(P);
  return Cast && Cast->getCastKind() == CK_LValueToRValue;
}

void collectRefs(const Stmt *S, const ParmVarDecl *P,
                 llvm::SmallVectorImpl<const DeclRefExpr *> &Out) {
  if (!S)
    return;
  if (const auto *DRE = dyn_cast<DeclRefExpr>(S); DRE && DRE->getDecl() == P)
    Out.push_back(DRE);
  for (const Stmt *C : S->children())
    collectRefs(C, P, Out);
}

} // namespace

bool onlyReadsThrough(const FunctionDecl *FD, unsigned Index) {
  if (!FD || !FD->hasBody() || Index >= FD->getNumParams())
    return false;
  const ParmVarDecl *Param = FD->getParamDecl(Index);
  if (!Param->getType()->isPointerType())
    return false;
  ASTContext &Ctx = FD->getASTContext();
  llvm::SmallVector<const DeclRefExpr *, 4> Refs;
  collectRefs(FD->getBody(), Param, Refs);
  for (const DeclRefExpr *Ref : Refs) {
    const Stmt *U = Ref;
    const Stmt *P = parentOf(U, Ctx);
    while (P && isa<ParenExpr>(P)) {
      U = P;
      P = parentOf(P, Ctx);
    }
    // The parameter itself changes: the caller's object does not.
    if (const auto *UO = dyn_cast_or_null<UnaryOperator>(P);
        UO && UO->isIncrementDecrementOp())
      continue;
    if (const auto *BO = dyn_cast_or_null<BinaryOperator>(P);
        BO && BO->isAssignmentOp() && BO->getLHS()->IgnoreParens() == U)
      continue;
    const auto *Cast = dyn_cast_or_null<ImplicitCastExpr>(P);
    if (!Cast || Cast->getCastKind() != CK_LValueToRValue)
      return false;
    const Stmt *V = parentOf(Cast, Ctx);
    if (const auto *BO = dyn_cast_or_null<BinaryOperator>(V);
        BO && (BO->isComparisonOp() || BO->isEqualityOp()))
      continue;
    const Stmt *Lvalue = nullptr;
    if (const auto *UO = dyn_cast_or_null<UnaryOperator>(V);
        UO && UO->getOpcode() == UO_Deref)
      Lvalue = UO;
    else if (const auto *AS = dyn_cast_or_null<ArraySubscriptExpr>(V);
             AS && AS->getBase()->IgnoreParenImpCasts() == U)
      Lvalue = AS;
    else if (const auto *ME = dyn_cast_or_null<MemberExpr>(V);
             ME && ME->isArrow())
      Lvalue = ME;
    if (!Lvalue || !onlyRead(Lvalue, Ctx))
      return false;
  }
  return true;
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
          (T->getPointeeType().isConstQualified() ||
           onlyReadsThrough(FD->getDefinition(), P)))
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
