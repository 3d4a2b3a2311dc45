// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- GuardEscapeCheck.cpp - fearless-guard-escape
//----------------------===//

#include "GuardEscapeCheck.h"
#include "CheckRegistry.h"
#include "ClangCompat.h"
#include "GuardTypes.h"
#include "LockScope.h"
#include "ThreadBoundary.h"
#include "model/UnitModel.h"

#include "clang/AST/Attr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/DenseSet.h"

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

static RegisterCheck<GuardEscapeCheck> Registration("fearless-guard-escape");

namespace {

/// A lock guard local to the function being walked.
struct GuardInfo {
  const VarDecl *Var = nullptr; ///< null for a temporary guard
  /// A guard that is a temporary (`*m.lock()`): it unlocks at the end of
  /// the full-expression, so any borrow that survives the statement escapes.
  const Expr *Temporary = nullptr;
  unsigned Depth = 0;
  /// The mutexes it locked (their declarations, when they are names).
  llvm::SmallVector<const ValueDecl *, 2> Locks;
  std::string MutexName; ///< printable: 'mu_'
};

// What kind of borrow a value of type \p T is; "" if \p T cannot refer to
// other storage on its own.
StringRef borrowNoun(QualType T) {
  if (T.isNull())
    return "";
  if (T->isReferenceType())
    return "reference";
  if (T->isPointerType())
    return "pointer";
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (!RD)
    return "";
  if (RD->isLambda())
    return "lambda capturing a reference";
  if (isRecordNamed(T, {"::std::function", "::std::move_only_function"}))
    return "callable capturing a reference";
  if (isRecordNamed(T, {"::std::basic_string_view", "::std::span"}))
    return "view";
  if (isRecordNamed(T, {"::std::reference_wrapper"}))
    return "reference";
  if (RD->getName().contains_insensitive("iterator"))
    return "iterator";
  // Any class iterator_traits accepts: libc++'s vector and string
  // iterators are std::__wrap_iter<T*>.
  if (RD->hasDefinition())
    for (const NamedDecl *D :
         RD->lookup(&RD->getASTContext().Idents.get("iterator_category")))
      if (isa<TypedefNameDecl>(D))
        return "iterator";
  return "";
}

// Where a value stored into an lvalue ends up.
struct Target {
  enum Kind { None, Local, Outer, Member, Global } K = None;
  const VarDecl *Var = nullptr; ///< Local, Outer, Global
  std::string Name;
};

class Walker {
public:
  Walker(GuardEscapeCheck &Check, const FunctionDecl *Fn,
         const llvm::DenseMap<const Expr *, GuardEscapeCheck::Boundary>
             &Boundaries,
         std::vector<const LambdaExpr *> &Lambdas)
      : Check(Check), Fn(Fn), Boundaries(Boundaries), Lambdas(Lambdas) {
    for (const ParmVarDecl *P : Fn->parameters())
      Depth[P] = 0;
  }

  void walk(const Stmt *S) {
    if (!S)
      return;
    if (isa<CompoundStmt>(S) || isa<ForStmt>(S) || isa<CXXForRangeStmt>(S) ||
        isa<IfStmt>(S) || isa<WhileStmt>(S) || isa<SwitchStmt>(S)) {
      ++CurDepth;
      for (const Stmt *Child : S->children())
        walk(Child);
      // Guards declared in this scope are destroyed at its end.
      while (!Alive.empty() && Guards[Alive.back()].Depth >= CurDepth)
        Alive.pop_back();
      --CurDepth;
      return;
    }
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D))
          declared(VD);
      return;
    }
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      lambda(L);
      return;
    }
    for (const Stmt *Child : S->children())
      walk(Child);
    if (const auto *R = dyn_cast<ReturnStmt>(S))
      returned(R);
    else if (const auto *BO = dyn_cast<BinaryOperator>(S);
             BO && BO->getOpcode() == BO_Assign)
      assigned(BO->getLHS(), BO->getRHS(), BO->getOperatorLoc());
    else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
             Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
      assigned(Op->getArg(0), Op->getArg(1), Op->getOperatorLoc());
    else if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
      inserted(MC);
    if (const auto *E = dyn_cast<Expr>(S))
      if (auto It = Boundaries.find(E); It != Boundaries.end())
        crossed(It->second.Spawner, It->second.Crossing);
  }

private:
  GuardEscapeCheck &Check;
  const FunctionDecl *Fn;
  const llvm::DenseMap<const Expr *, GuardEscapeCheck::Boundary> &Boundaries;
  std::vector<const LambdaExpr *> &Lambdas;

  unsigned CurDepth = 0;
  llvm::DenseMap<const VarDecl *, unsigned> Depth;
  /// Every guard declared so far, and the indices of those still alive.
  /// (mutable: temporary guards are found while evaluating expressions.)
  mutable std::vector<GuardInfo> Guards;
  mutable llvm::DenseMap<const Expr *, unsigned> TemporaryGuards;
  llvm::SmallVector<unsigned, 4> Alive;
  llvm::DenseMap<const VarDecl *, unsigned> GuardOf;
  /// Local variables (references, pointers, iterators, views, callables,
  /// containers of them) that refer into a guard's data: the guard's index.
  llvm::DenseMap<const Decl *, unsigned> Borrows;
  llvm::DenseMap<const LambdaExpr *, unsigned> LambdaBorrows;
  /// Lambdas (and variables holding them) that borrow only by capturing a
  /// guard by reference.
  llvm::DenseSet<const void *> GuardOnly;

  static constexpr unsigned NoGuard = ~0u;

  void declared(const VarDecl *VD) {
    walk(VD->getInit());
    Depth[VD] = CurDepth;
    llvm::SmallVector<const Expr *, 2> Mutexes;
    if (lockedByGuard(VD, Mutexes)) {
      GuardInfo G;
      G.Var = VD;
      G.Depth = CurDepth;
      for (const Expr *M : Mutexes) {
        const ValueDecl *Class;
        std::string Name;
        describeMutex(M, Class, Name);
        if (Class)
          G.Locks.push_back(Class);
        if (G.MutexName.empty())
          G.MutexName = Class ? Class->getNameAsString() : Name;
      }
      if (Mutexes.empty())
        return; // deferred: guards nothing yet
      GuardOf[VD] = Guards.size();
      Alive.push_back(Guards.size());
      Guards.push_back(std::move(G));
      return;
    }
    if (!VD->getInit())
      return;
    unsigned G = VD->getType()->isReferenceType() ? lvalueIn(VD->getInit())
                                                  : valueIn(VD->getInit());
    if (G == NoGuard)
      return;
    if (Guards[G].Temporary) {
      // The range of a range-for (`for (auto &x : *m.lock())`) is the same
      // bug before C++23 and fine since (P2718 extends the temporary).
      if (!VD->isImplicit())
        report(VD->getInit(), VD->getType(), G,
               "bound to '" + VD->getNameAsString() + "'", VD->getLocation());
      return;
    }
    if (VD->isStaticLocal()) {
      report(VD->getInit(), VD->getType(), G,
             "stored in static '" + VD->getNameAsString() + "'",
             VD->getLocation());
      return;
    }
    Borrows[VD] = G;
    if (refersToGuardOnly(VD->getInit()))
      GuardOnly.insert(VD);
  }

  // The capture list: a lambda that refers into a guard's data, or to the
  // guard itself, is a borrow; its body is walked as a function of its own.
  void lambda(const LambdaExpr *L) {
    for (const Expr *Init : L->capture_inits())
      walk(Init);
    Lambdas.push_back(L);
    unsigned Found = NoGuard;
    unsigned CapturedGuard = NoGuard;
    auto Init = L->capture_init_begin();
    for (const LambdaCapture &C : L->captures()) {
      const Expr *CaptureInit = Init != L->capture_init_end() ? *Init : nullptr;
      ++Init;
      if (!C.capturesVariable())
        continue;
      const auto *Var = dyn_cast<VarDecl>(C.getCapturedVar());
      if (!Var)
        continue;
      bool ByRef = C.getCaptureKind() == LCK_ByRef;
      unsigned G = NoGuard;
      if (Var->isInitCapture() && Var->getInit())
        G = Var->getType()->isReferenceType() ? lvalueIn(Var->getInit())
                                              : valueIn(Var->getInit());
      else if (auto It = Borrows.find(Var);
               It != Borrows.end() &&
               (ByRef || !Var->getType()->isReferenceType()))
        G = It->second;
      else if (CaptureInit && !ByRef)
        G = valueIn(CaptureInit);
      else if (auto It = GuardOf.find(Var); ByRef && It != GuardOf.end() &&
                                            givesAccess(Var) &&
                                            isAlive(It->second))
        CapturedGuard = It->second;
      if (G != NoGuard && isAlive(G)) {
        Found = G;
        break;
      }
    }
    if (Found != NoGuard) {
      LambdaBorrows[L] = Found;
    } else if (CapturedGuard != NoGuard) {
      // [&guard] { *guard ... }: reaches the data through the guard.
      LambdaBorrows[L] = CapturedGuard;
      GuardOnly.insert(L);
    }
  }

  // A guard that hands out its data (operator*, operator->), as fearless
  // guards do; a std guard reaches nothing through itself.
  static bool givesAccess(const VarDecl *Guard) {
    const CXXRecordDecl *RD = Guard->getType()->getAsCXXRecordDecl();
    if (!RD)
      return false;
    for (const CXXMethodDecl *M : RD->methods())
      if (M->getOverloadedOperator() == OO_Star ||
          M->getOverloadedOperator() == OO_Arrow)
        return true;
    return false;
  }

  // \p E is (a copy of) a lambda whose only borrow is the guard itself.
  bool refersToGuardOnly(const Expr *E) const {
    while (E) {
      E = E->IgnoreImplicit();
      if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
        E = Construct->getNumArgs() ? Construct->getArg(0) : nullptr;
        continue;
      }
      if (const auto *L = dyn_cast<LambdaExpr>(E))
        return GuardOnly.contains(L);
      if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
        return GuardOnly.contains(Ref->getDecl());
      return false;
    }
    return false;
  }

  bool isAlive(unsigned G) const {
    return Guards[G].Temporary || llvm::is_contained(Alive, G);
  }

  // The guard whose data the lvalue \p E designates, or NoGuard.
  unsigned lvalueIn(const Expr *E) const {
    if (!E)
      return NoGuard;
    E = E->IgnoreParens();
    if (const auto *FE = dyn_cast<FullExpr>(E))
      return lvalueIn(FE->getSubExpr());
    if (const auto *Cast = dyn_cast<ImplicitCastExpr>(E)) {
      if (Cast->getCastKind() == CK_NoOp ||
          Cast->getCastKind() == CK_DerivedToBase ||
          Cast->getCastKind() == CK_UncheckedDerivedToBase)
        return lvalueIn(Cast->getSubExpr());
      return NoGuard;
    }
    if (const auto *Mat = dyn_cast<MaterializeTemporaryExpr>(E))
      return lvalueIn(Mat->getSubExpr());
    if (const auto *UO = dyn_cast<UnaryOperator>(E))
      return UO->getOpcode() == UO_Deref ? valueIn(UO->getSubExpr()) : NoGuard;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      if (auto It = Borrows.find(Ref->getDecl());
          It != Borrows.end() && Ref->getDecl()->getType()->isReferenceType())
        return It->second;
      return guardedData(Ref->getDecl());
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (!isa<FieldDecl>(ME->getMemberDecl()))
        return NoGuard;
      if (unsigned G = guardedData(ME->getMemberDecl()); G != NoGuard)
        return G;
      return ME->isArrow() ? valueIn(ME->getBase()) : lvalueIn(ME->getBase());
    }
    if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E))
      return AS->getBase()->IgnoreParenImpCasts()->getType()->isArrayType()
                 ? lvalueIn(AS->getBase()->IgnoreParenImpCasts())
                 : valueIn(AS->getBase());
    if (const auto *CO = dyn_cast<ConditionalOperator>(E)) {
      unsigned G = lvalueIn(CO->getTrueExpr());
      return G != NoGuard ? G : lvalueIn(CO->getFalseExpr());
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      // *guard, *it, g->items[0], g->map.at(k), v.front(): a reference
      // into the object it is called on.
      if (!Call->getType().isNull() && !E->isLValue())
        return NoGuard;
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
          Op && Op->getOperator() == OO_Star && Op->getNumArgs() == 1) {
        if (unsigned G = guardVar(Op->getArg(0)); G != NoGuard)
          return G;
        return valueIn(Op->getArg(0));
      }
      return objectOf(Call);
    }
    return NoGuard;
  }

  // The guard whose data the value \p E (a pointer, iterator, view,
  // callable, or container of them) refers into, or NoGuard.
  unsigned valueIn(const Expr *E) const {
    if (!E)
      return NoGuard;
    E = E->IgnoreParens();
    if (const auto *FE = dyn_cast<FullExpr>(E))
      return valueIn(FE->getSubExpr());
    if (const auto *Mat = dyn_cast<MaterializeTemporaryExpr>(E))
      return valueIn(Mat->getSubExpr());
    if (const auto *Bind = dyn_cast<CXXBindTemporaryExpr>(E))
      return valueIn(Bind->getSubExpr());
    if (const auto *Cast = dyn_cast<CastExpr>(E)) {
      switch (Cast->getCastKind()) {
      case CK_ArrayToPointerDecay:
        return lvalueIn(Cast->getSubExpr());
      case CK_LValueToRValue:
        // A copy of a borrowing variable; a pointer stored in the guarded
        // data is a value of its own, not a borrow.
        return borrowingLocal(Cast->getSubExpr());
      case CK_ConstructorConversion:
      case CK_UserDefinedConversion:
      case CK_NoOp:
      case CK_BitCast:
      case CK_DerivedToBase:
      case CK_UncheckedDerivedToBase:
        return valueIn(Cast->getSubExpr());
      default:
        return NoGuard;
      }
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(E))
      return UO->getOpcode() == UO_AddrOf ? lvalueIn(UO->getSubExpr())
                                          : NoGuard;
    if (const auto *BO = dyn_cast<BinaryOperator>(E))
      return BO->isAdditiveOp() && BO->getType()->isPointerType()
                 ? valueIn(BO->getLHS()->getType()->isPointerType()
                               ? BO->getLHS()
                               : BO->getRHS())
                 : NoGuard;
    if (isa<DeclRefExpr>(E))
      return borrowingLocal(E);
    if (const auto *L = dyn_cast<LambdaExpr>(E)) {
      auto It = LambdaBorrows.find(L);
      return It == LambdaBorrows.end() ? NoGuard : It->second;
    }
    if (const auto *CO = dyn_cast<ConditionalOperator>(E)) {
      unsigned G = valueIn(CO->getTrueExpr());
      return G != NoGuard ? G : valueIn(CO->getFalseExpr());
    }
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(E)) {
      // std::string_view(s), std::span(v), a copy of an iterator, a
      // std::function made from a borrowing lambda.
      if (Construct->getNumArgs() == 0)
        return NoGuard;
      // A copy or move of a borrowing local (a container of pointers).
      if (Construct->getConstructor()->isCopyOrMoveConstructor())
        if (unsigned G = borrowingLocal(Construct->getArg(0)->IgnoreImplicit());
            G != NoGuard)
          return G;
      if (borrowNoun(E->getType()).empty())
        return NoGuard;
      const Expr *Arg = Construct->getArg(0);
      unsigned G = valueIn(Arg);
      return G != NoGuard ? G : lvalueIn(Arg);
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      // guard.operator->()
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
          Op && Op->getOperator() == OO_Arrow && Op->getNumArgs() == 1)
        if (unsigned G = guardVar(Op->getArg(0)); G != NoGuard)
          return G;
      // items.begin(), s.data(), s.c_str(), m.find(k), a conversion to a
      // view: something that points into the object it is called on.
      if (borrowNoun(E->getType()).empty())
        return NoGuard;
      // A std::function taken out of the guarded data (`task =
      // queue_.front()`) is a copy of a callable: it refers to what the
      // callable captured, not into the container.
      if (isRecordNamed(E->getType().getNonReferenceType(),
                        {"::std::function", "::std::move_only_function"}))
        return NoGuard;
      // A raw pointer from anything but a standard container or string is
      // as likely a pointer the object stores (leveldb's table_.Lookup(k)
      // returning a refcounted handle) as one into it; smart pointers hand
      // out their pointee, which the guard does not protect.
      // (libstdc++'s shared_ptr::get() is a member of a base class: the
      // object's own type says it is a smart pointer.)
      if (E->getType()->isPointerType() && isa<CXXMemberCallExpr>(Call)) {
        const auto *MC = cast<CXXMemberCallExpr>(Call);
        const auto *MD = MC->getMethodDecl();
        auto Smart = [](QualType T) {
          return isRecordNamed(T, {"::std::unique_ptr", "::std::shared_ptr",
                                   "::std::weak_ptr"});
        };
        if (!MD || !MD->getParent()->isInStdNamespace() ||
            Smart(recordTypeOf(MD->getParent())) ||
            (MC->getImplicitObjectArgument() &&
             Smart(MC->getImplicitObjectArgument()
                       ->IgnoreParenBaseCasts()
                       ->getType()
                       .getNonReferenceType())))
          return NoGuard;
      }
      return objectOf(Call);
    }
    return NoGuard;
  }

  // \p E names a local that holds a borrow by value (a pointer, iterator,
  // view, callable, container of them). A reference variable names the
  // borrowed data itself: its value is a copy of it.
  unsigned borrowingLocal(const Expr *E) const {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParens());
    if (!Ref || Ref->getDecl()->getType()->isReferenceType())
      return NoGuard;
    auto It = Borrows.find(Ref->getDecl());
    return It == Borrows.end() ? NoGuard : It->second;
  }

  // The guard whose data the object of a member call (or the first operand
  // of a member operator) lies in.
  unsigned objectOf(const CallExpr *Call) const {
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
      const auto *Callee =
          dyn_cast<MemberExpr>(MC->getCallee()->IgnoreParens());
      if (!Callee)
        return NoGuard;
      return Callee->isArrow() ? valueIn(Callee->getBase())
                               : lvalueIn(Callee->getBase());
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
        Op && Op->getNumArgs() > 0 &&
        isa_and_nonnull<CXXMethodDecl>(Op->getDirectCallee())) {
      if (Op->getOperator() == OO_Arrow)
        return valueIn(Op->getArg(0));
      return lvalueIn(Op->getArg(0));
    }
    return NoGuard;
  }

  // \p E names a live guard of this function, or is a temporary guard.
  unsigned guardVar(const Expr *E) const {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
    if (!Ref)
      return temporaryGuard(E);
    const auto *VD = dyn_cast<VarDecl>(Ref->getDecl());
    auto It = VD ? GuardOf.find(VD) : GuardOf.end();
    return It != GuardOf.end() && isAlive(It->second) ? It->second : NoGuard;
  }

  // `m.lock()` used without a variable: a fearless guard that lives until
  // the end of the full-expression (Rust's E0716, "temporary value dropped
  // while borrowed", for `let r = &*m.lock().unwrap();`).
  unsigned temporaryGuard(const Expr *E) const {
    const Expr *Bare = E->IgnoreImplicit();
    const auto *Call = dyn_cast<CXXMemberCallExpr>(Bare);
    if (!Call || !Bare->isPRValue() || !isGuardType(Bare->getType()))
      return NoGuard;
    if (auto It = TemporaryGuards.find(Bare); It != TemporaryGuards.end())
      return It->second;
    GuardInfo G;
    G.Temporary = Bare;
    if (const Expr *Mutex = Call->getImplicitObjectArgument()) {
      const ValueDecl *Class;
      std::string Name;
      describeMutex(Mutex, Class, Name);
      if (Class)
        G.Locks.push_back(Class);
      G.MutexName = Class ? Class->getNameAsString() : Name;
    }
    TemporaryGuards[Bare] = Guards.size();
    Guards.push_back(std::move(G));
    return Guards.size() - 1;
  }

  // A GUARDED_BY field or global whose mutex a live guard holds.
  unsigned guardedData(const ValueDecl *D) const {
    const auto *Attr = D->getAttr<GuardedByAttr>();
    if (!Attr || !Attr->getArg())
      return NoGuard;
    const ValueDecl *Mutex;
    std::string Name;
    describeMutex(Attr->getArg(), Mutex, Name);
    for (auto It = Alive.rbegin(); It != Alive.rend(); ++It)
      if (Mutex && llvm::is_contained(Guards[*It].Locks, Mutex))
        return *It;
    return NoGuard;
  }

  // Where an assignment to (or an insertion into) \p E stores.
  Target targetOf(const Expr *E) const {
    Target T;
    while (E) {
      E = E->IgnoreParenImpCasts();
      if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
        const auto *VD = dyn_cast<VarDecl>(Ref->getDecl());
        if (!VD)
          return T;
        T.Var = VD;
        T.Name = VD->getNameAsString();
        if (VD->hasGlobalStorage())
          T.K = Target::Global;
        else if (auto It = Depth.find(VD); It == Depth.end())
          T.K = Target::Outer; // captured by the lambda being walked
        else
          T.K = VD->getType()->isReferenceType() && It->second == 0
                    ? Target::Outer
                    : Target::Local;
        return T;
      }
      if (const auto *ME = dyn_cast<MemberExpr>(E)) {
        if (isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts())) {
          T.K = Target::Member;
          T.Name = ME->getMemberDecl()->getNameAsString();
          return T;
        }
        E = ME->getBase();
        if (ME->isArrow()) {
          // Through a pointer: whatever it points to lives elsewhere.
          Target Inner = targetOf(E);
          if (Inner.K == Target::None)
            return Inner;
          Inner.K = Inner.K == Target::Local ? Target::Outer : Inner.K;
          return Inner;
        }
        continue;
      }
      if (const auto *UO = dyn_cast<UnaryOperator>(E);
          UO && UO->getOpcode() == UO_Deref) {
        Target Inner = targetOf(UO->getSubExpr());
        if (Inner.K == Target::Local)
          Inner.K = Target::Outer; // *out = ...: stored where out points
        return Inner;
      }
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
          Op && Op->getOperator() == OO_Subscript && Op->getNumArgs() > 0) {
        E = Op->getArg(0);
        continue;
      }
      if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E)) {
        E = AS->getBase();
        continue;
      }
      return T;
    }
    return T;
  }

  // A value referring into guard \p G's data is stored into \p T: an escape
  // if \p T outlives the guard, else \p T now borrows too.
  void stored(const Expr *Value, QualType Type, unsigned G, Target T,
              SourceLocation Loc, bool IntoContainer) {
    if (G == NoGuard || !isAlive(G) || T.K == Target::None)
      return;
    if (T.K == Target::Local && !Guards[G].Temporary) {
      auto It = Depth.find(T.Var);
      if (It != Depth.end() && It->second >= Guards[G].Depth) {
        Borrows[T.Var] = G; // dies with (or before) the guard
        return;
      }
      T.K = Target::Outer;
    }
    std::string Kind = T.K == Target::Member   ? "member "
                       : T.K == Target::Global ? "global "
                                               : "";
    std::string Where = "stored in " + Kind +
                        (IntoContainer ? "container '" : "'") + T.Name + "'";
    if (T.K == Target::Outer)
      Where += ", which outlives it";
    report(Value, Type, G, Where, Loc);
  }

  void assigned(const Expr *LHS, const Expr *RHS, SourceLocation Loc) {
    QualType Type = LHS->getType();
    if (borrowNoun(Type).empty() && !Type->isRecordType())
      return;
    stored(RHS, Type, valueIn(RHS), targetOf(LHS), Loc, false);
  }

  void inserted(const CXXMemberCallExpr *MC) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (!MD || !MD->getDeclName().isIdentifier() ||
        !llvm::is_contained({"push_back", "emplace_back", "push_front",
                             "emplace_front", "insert", "emplace", "push",
                             "insert_or_assign", "try_emplace", "emplace_hint",
                             "push_range", "append_range"},
                            MD->getName()))
      return;
    for (const Expr *Arg : MC->arguments()) {
      unsigned G = valueIn(Arg);
      if (G == NoGuard)
        continue;
      const auto *Callee =
          dyn_cast<MemberExpr>(MC->getCallee()->IgnoreParens());
      Target T = targetOf(MC->getImplicitObjectArgument());
      if (Callee && Callee->isArrow() && T.K == Target::Local)
        T.K = Target::Outer;
      stored(Arg, Arg->IgnoreImplicit()->getType(), G, T, MC->getExprLoc(),
             true);
      return;
    }
  }

  void returned(const ReturnStmt *R) {
    const Expr *Value = R->getRetValue();
    if (!Value)
      return;
    QualType Type = Fn->getReturnType();
    unsigned G = Type->isReferenceType() ? lvalueIn(Value) : valueIn(Value);
    if (G == NoGuard || !isAlive(G))
      return;
    report(Value, Type, G, "returned from '" + functionName() + "'",
           Value->getBeginLoc());
  }

  void crossed(const std::string &Spawner,
               const std::vector<const Expr *> &Crossing) {
    for (const Expr *Arg : Crossing) {
      unsigned G = valueIn(Arg);
      // A guard itself crossing is fearless-guard-not-send's finding.
      if (G == NoGuard || !isAlive(G) || refersToGuardOnly(Arg))
        continue;
      report(Arg, Arg->IgnoreImplicit()->getType(), G,
             "passed to a thread started by '" + Spawner + "'",
             Arg->getBeginLoc());
    }
  }

  std::string functionName() const {
    if (const auto *MD = dyn_cast<CXXMethodDecl>(Fn);
        MD && MD->getParent()->isLambda())
      return "lambda";
    return plainQualifiedName(Fn);
  }

  void report(const Expr *Value, QualType Type, unsigned G,
              const std::string &Where, SourceLocation Loc) {
    StringRef Noun = borrowNoun(Type);
    if (Noun.empty())
      Noun = "value holding a reference";
    const GuardInfo &Guard = Guards[G];
    if (Guard.Temporary) {
      Check.diag(Loc, "%0 to data guarded by '%1' outlives the temporary "
                      "guard that locks it (%2); the lock is released at the "
                      "end of the statement")
          << Noun << Guard.MutexName << Where << Value->getSourceRange();
      Check.diag(Guard.Temporary->getExprLoc(),
                 "the guard is a temporary: bind it to a variable to keep "
                 "'%0' locked while the %1 is in use",
                 DiagnosticIDs::Note)
          << Guard.MutexName << Noun;
      return;
    }
    Check.diag(Loc, "%0 to data guarded by '%1' escapes the scope of '%2' (%3)")
        << Noun << Guard.MutexName << Guard.Var->getName() << Where
        << Value->getSourceRange();
    Check.diag(Guard.Var->getLocation(),
               "'%0' locks '%1' here and unlocks it at the end of its scope",
               DiagnosticIDs::Note)
        << Guard.Var->getName() << Guard.MutexName;
  }
};

} // namespace

GuardEscapeCheck::GuardEscapeCheck(StringRef Name, ClangTidyContext *Context)
    : FearlessCheck(Name, Context, {"SpawnFunctions"}) {}

void GuardEscapeCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(translationUnitDecl().bind("tu"), this);
  Finder->addMatcher(
      functionDecl(isDefinition(), hasBody(stmt()), unless(isImplicit()))
          .bind("fn"),
      this);
}

void GuardEscapeCheck::check(const MatchFinder::MatchResult &Result) {
  if (Result.Nodes.getNodeAs<TranslationUnitDecl>("tu")) {
    Ctx = Result.Context;
    return;
  }
  if (const auto *FD = Result.Nodes.getNodeAs<FunctionDecl>("fn")) {
    if (!UnitModel::isAnalysable(FD))
      return;
    // Lambda bodies are walked from the function that writes them.
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD);
        MD && MD->getParent()->isLambda())
      return;
    Functions.push_back(FD);
  }
}

void GuardEscapeCheck::onEndOfTranslationUnit() {
  if (Ctx)
    for (const ThreadBoundary &B : boundaries(*Ctx)) {
      // A scoped thread is joined before its scope ends: a borrow it takes
      // does not outlive the guard when the scope sits inside the guard's.
      if (B.JoinedByScope)
        continue;
      Boundary &Entry = Boundaries[B.Site];
      Entry.Spawner = B.Spawner;
      Entry.Crossing.assign(B.Crossing.begin(), B.Crossing.end());
    }
  std::vector<const LambdaExpr *> Lambdas;
  auto Run = [&](const FunctionDecl *Fn) {
    Walker W(*this, Fn, Boundaries, Lambdas);
    W.walk(Fn->getBody());
  };
  for (const FunctionDecl *FD : Functions)
    Run(FD);
  // Each lambda body is a function of its own: a guard it declares dies
  // when it returns.
  for (size_t I = 0; I < Lambdas.size(); ++I)
    Run(Lambdas[I]->getCallOperator());
  Functions.clear();
  Boundaries.clear();
  Ctx = nullptr;
}

} // namespace clang::tidy::fearless
