// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- DanglingRefCheck.cpp - fearless-dangling-ref ----------------------===//

#include "DanglingRefCheck.h"
#include "BodyParents.h"
#include "BoundaryScope.h"
#include "CheckRegistry.h"
#include "Crossing.h"
#include "model/UnitModel.h"

#include "clang/AST/Decl.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::fearless {

static RegisterCheck<DanglingRefCheck> Registration("fearless-dangling-ref");

namespace {

// An object that dies when its block or function ends: a local or a
// by-value parameter (not a reference, whose referent the caller owns).
bool isAutomatic(const ValueDecl *D) {
  const auto *VD = dyn_cast_or_null<VarDecl>(D);
  return VD && VD->hasLocalStorage() && !VD->getType()->isReferenceType();
}

// Whether argument \p E, bound to a reference (or, with \p View, to a view
// parameter), refers into a temporary of the full-expression: `f(T{})`,
// `f(make())`, a string_view of a temporary std::string.
bool bindsTemporary(const Expr *E, bool View, int Depth = 0) {
  if (!E || Depth > 6)
    return false;
  E = E->IgnoreParens();
  if (const auto *M = dyn_cast<MaterializeTemporaryExpr>(E))
    return !View || viewElement(M->getType()).isNull() ||
           bindsTemporary(M->getSubExpr(), View, Depth + 1);
  if (const auto *B = dyn_cast<CXXBindTemporaryExpr>(E))
    return View && viewElement(B->getType()).isNull()
               ? true
               : bindsTemporary(B->getSubExpr(), View, Depth + 1);
  if (!View)
    return false;
  if (const auto *Cast = dyn_cast<ImplicitCastExpr>(E))
    return bindsTemporary(Cast->getSubExpr(), View, Depth + 1);
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E))
    return Construct->getNumArgs() >= 1 &&
           bindsTemporary(Construct->getArg(0), View, Depth + 1);
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
    return isa<CXXConversionDecl>(MC->getMethodDecl()) &&
           bindsTemporary(MC->getImplicitObjectArgument(), View, Depth + 1);
  return false;
}

// The statement whose end destroys the local \p V: the block (or the if,
// switch or loop) it is declared in; null for a parameter.
const Stmt *scopeOf(const VarDecl *V, ASTContext &Ctx) {
  DynTypedNode N = DynTypedNode::create(*V);
  for (int Depth = 0; Depth < 64; ++Depth) {
    DynTypedNodeList Parents = parentsOf(N, Ctx);
    if (Parents.empty() || Parents[0].get<FunctionDecl>() ||
        Parents[0].get<LambdaExpr>())
      return nullptr;
    N = Parents[0];
    if (const Stmt *S = N.get<Stmt>();
        S && isa<CompoundStmt, IfStmt, ForStmt, CXXForRangeStmt, WhileStmt,
                 SwitchStmt>(S))
      return S;
  }
  return nullptr;
}

// Whether \p Inner is a statement strictly inside \p Outer.
bool nestedIn(const Stmt *Inner, const Stmt *Outer, ASTContext &Ctx) {
  DynTypedNode N = DynTypedNode::create(*Inner);
  for (int Depth = 0; Depth < 256; ++Depth) {
    DynTypedNodeList Parents = parentsOf(N, Ctx);
    if (Parents.empty() || Parents[0].get<FunctionDecl>())
      return false;
    N = Parents[0];
    if (N.get<Stmt>() == Outer)
      return true;
  }
  return false;
}

// Whether the local \p Referent dies while the local \p Keeper (which holds
// the task) lives on: Referent is declared in a block nested in Keeper's
// (a loop body's `std::string key` feeding a vector of tasks declared
// before the loop).
bool diesFirst(const VarDecl *Referent, const VarDecl *Keeper,
               ASTContext &Ctx) {
  const Stmt *Inner = scopeOf(Referent, Ctx);
  const Stmt *Outer = scopeOf(Keeper, Ctx);
  return Inner && Outer && Inner != Outer && nestedIn(Inner, Outer, Ctx);
}

void collectCalls(const Stmt *S, llvm::SmallVectorImpl<const CallExpr *> &Out) {
  if (!S)
    return;
  if (const auto *CE = dyn_cast<CallExpr>(S))
    Out.push_back(CE);
  for (const Stmt *Child : S->children())
    collectCalls(Child, Out);
}

} // namespace

void DanglingRefCheck::endOfUnit() {
  ASTContext *Ctx = unitContext();
  if (!Ctx)
    return;
  UnitModel &M = UnitModel::get(*Ctx);
  // Nothing to do (and nothing spent) in a unit without coroutines.
  if (llvm::none_of(M.functions(),
                    [](const auto &KV) { return KV.second.Coroutine; }))
    return;
  llvm::DenseMap<const Expr *, const ThreadBoundary *> Spawned;
  for (const ThreadBoundary &B : boundaries(*Ctx))
    for (const Expr *Arg : B.Crossing)
      if (coroutineStartedBy(Arg))
        Spawned[Arg->IgnoreUnlessSpelledInSource()] = &B;
  llvm::SmallPtrSet<const CallExpr *, 16> Seen;
  for (const auto &[FD, F] : M.functions()) {
    llvm::SmallVector<const CallExpr *, 16> Calls;
    collectCalls(FD->getBody(), Calls);
    for (const CallExpr *CE : Calls)
      if (const FunctionDecl *Coroutine = coroutineStartedBy(CE);
          Coroutine && Seen.insert(CE).second) {
        auto It = Spawned.find(CE);
        checkCoroutineCall(CE, Coroutine,
                           It == Spawned.end() ? nullptr : It->second, *Ctx);
      }
  }
}

void DanglingRefCheck::checkCoroutineCall(const CallExpr *Call,
                                          const FunctionDecl *Coroutine,
                                          const ThreadBoundary *Spawned,
                                          ASTContext &Ctx) {
  TaskFate Fate;
  if (Spawned) {
    Fate.K = TaskFate::Escapes;
    Fate.Where = "is handed to '" + Spawned->Spawner + "'";
  } else {
    Fate = taskFate(Call, Ctx);
  }
  if (Fate.K == TaskFate::Awaited || Fate.K == TaskFate::Consumed)
    return;
  // [x]() -> Task { ... }(): the frame refers to the closure, a temporary.
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call)) {
    const auto *L =
        dyn_cast<LambdaExpr>(Op->getArg(0)->IgnoreUnlessSpelledInSource());
    if (L && L->capture_size() > 0) {
      const LambdaCapture &First = *L->capture_begin();
      diag(First.getLocation(),
           "the captures of this coroutine lambda live in the lambda object, "
           "a temporary destroyed at the end of the statement, but its task "
           "%0 and runs later")
          << Fate.Where;
      diag(Call->getBeginLoc(),
           "pass what the coroutine needs as parameters by value, or keep "
           "the lambda object alive until the task completes",
           DiagnosticIDs::Note);
      return;
    }
    // auto work = [&]() -> Task { ... }; ex.spawn(work()): the frame
    // refers to the closure 'work', a local that dies with its scope.
    const auto *Ref =
        dyn_cast<DeclRefExpr>(Op->getArg(0)->IgnoreParenImpCasts());
    const auto *Closure = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (!Closure || !isAutomatic(Closure) || !Closure->getInit() ||
        (Fate.K == TaskFate::StoredInLocal &&
         !(Fate.Local && diesFirst(Closure, Fate.Local, Ctx))) ||
        (Spawned && scopedFor(*Spawned, Closure, Ctx).Scoped))
      return;
    L = dyn_cast<LambdaExpr>(Closure->getInit()->IgnoreUnlessSpelledInSource());
    if (!L || L->capture_size() == 0)
      return;
    // At the closure's name: where a call operator's call begins differs
    // between LLVM majors (22 puts it at the parenthesis).
    diag(Ref->getBeginLoc(),
         "the captures of this coroutine lambda live in the lambda object "
         "'%0', which is destroyed at the end of its scope, but its task %1 "
         "and runs later")
        << Closure->getName() << Fate.Where;
    diag(Closure->getLocation(), "'%0' is a local variable declared here",
         DiagnosticIDs::Note)
        << Closure->getName();
    diag(Ref->getBeginLoc(),
         "pass what the coroutine needs as parameters by value, or keep "
         "the lambda object alive until the task completes",
         DiagnosticIDs::Note);
    return;
  }
  unsigned Offset = isa<CXXOperatorCallExpr>(Call) &&
                            isa<CXXMethodDecl>(Coroutine)
                        ? 1
                        : 0;
  for (unsigned I = 0; I + Offset < Call->getNumArgs() &&
                       I < Coroutine->getNumParams();
       ++I) {
    const ParmVarDecl *P = Coroutine->getParamDecl(I);
    QualType T = P->getType();
    bool View = !T->isReferenceType() && !viewElement(T).isNull();
    if (!T->isReferenceType() && !View)
      continue;
    const Expr *Arg = Call->getArg(I + Offset);
    if (bindsTemporary(Arg, View)) {
      diag(Arg->getExprLoc(),
           "the temporary bound to %select{reference|view}0 parameter '%1' "
           "of coroutine '%2' is destroyed at the end of the statement, but "
           "the task %3 and runs later")
          << (View ? 1 : 0) << P->getName() << Coroutine->getName()
          << Fate.Where;
    } else {
      bool IsThis = false;
      const ValueDecl *Referent = traceReferent(Arg, IsThis);
      if (!isAutomatic(Referent))
        continue;
      // Kept in a local: the task dies in this scope too, unless the
      // referent's block ends first.
      if (Fate.K == TaskFate::StoredInLocal &&
          !(Fate.Local &&
            diesFirst(cast<VarDecl>(Referent), Fate.Local, Ctx)))
        continue;
      if (Spawned && scopedFor(*Spawned, Referent, Ctx).Scoped)
        continue;
      diag(Arg->getExprLoc(),
           "'%0' is passed to %select{reference|view}1 parameter '%2' of "
           "coroutine '%3', whose task %4 and may run after '%0' is "
           "destroyed")
          << Referent->getName() << (View ? 1 : 0) << P->getName()
          << Coroutine->getName() << Fate.Where;
      diag(Referent->getLocation(), "'%0' is a local %select{variable|"
                                    "parameter}1 declared here",
           DiagnosticIDs::Note)
          << Referent->getName() << (isa<ParmVarDecl>(Referent) ? 1 : 0);
    }
    diag(P->getLocation(),
         "the coroutine frame keeps the %select{reference|view}0, not a "
         "copy; take '%1' by value",
         DiagnosticIDs::Note)
        << (View ? 1 : 0) << P->getName();
  }
}

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
