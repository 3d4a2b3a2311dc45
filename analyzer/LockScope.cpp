// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- LockScope.cpp - which locks a statement runs under ---------------===//

#include "LockScope.h"
#include "GuardTypes.h"

#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/PrettyPrinter.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

namespace clang::tidy::fearless {

std::string plainQualifiedName(const NamedDecl *D) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  PrintingPolicy Policy(D->getASTContext().getLangOpts());
  Policy.SuppressInlineNamespace = true;
  Policy.SuppressTemplateArgsInCXXConstructors = true;
  // Contexts print without their template arguments: walk them by hand.
  llvm::SmallVector<const NamedDecl *, 4> Chain;
  for (const DeclContext *C = D->getDeclContext(); C; C = C->getParent())
    if (const auto *ND = dyn_cast<NamedDecl>(C)) {
      if (const auto *NS = dyn_cast<NamespaceDecl>(ND);
          NS && (NS->isInline() || NS->isAnonymousNamespace()))
        continue;
      Chain.push_back(ND);
    }
  for (auto It = Chain.rbegin(); It != Chain.rend(); ++It)
    OS << (*It)->getName() << "::";
  OS << D->getDeclName();
  return Out;
}

static const CXXRecordDecl *recordOf(QualType T) {
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  return T->getAsCXXRecordDecl();
}

static llvm::StringRef recordName(const CXXRecordDecl *RD,
                                  std::string &Storage) {
  Storage = RD ? plainQualifiedName(RD) : "";
  return Storage;
}

std::string calleeName(const Expr *Call, std::string *DeclaringName) {
  const FunctionDecl *FD = nullptr;
  const Expr *Object = nullptr;
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
    FD = MC->getMethodDecl();
    Object = MC->getImplicitObjectArgument();
  } else if (const auto *CE = dyn_cast<CallExpr>(Call)) {
    FD = CE->getDirectCallee();
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(CE);
        Op && isa_and_nonnull<CXXMethodDecl>(FD) && Op->getNumArgs() > 0)
      Object = Op->getArg(0);
  }
  if (!FD || !FD->getDeclName().isIdentifier())
    return FD ? plainQualifiedName(FD) : "";
  std::string Declared = plainQualifiedName(FD);
  if (DeclaringName)
    *DeclaringName = Declared;
  if (Object && isa<CXXMethodDecl>(FD)) {
    std::string S;
    // Before the derived-to-base cast: the type the user wrote.
    if (!recordName(recordOf(Object->IgnoreParenImpCasts()->getType()), S)
             .empty())
      return S + "::" + FD->getName().str();
  }
  return Declared;
}

void describeMutex(const Expr *E, const ValueDecl *&Class, std::string &Name) {
  E = E->IgnoreParenImpCasts();
  if (const auto *Op = dyn_cast<UnaryOperator>(E);
      Op && (Op->getOpcode() == UO_Deref || Op->getOpcode() == UO_AddrOf))
    E = Op->getSubExpr()->IgnoreParenImpCasts();
  // Through a smart pointer (`p->lock()`, `*p`), as through a raw one: the
  // pointer variable names the mutex.
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
      Op && Op->getNumArgs() == 1 &&
      (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star))
    E = Op->getArg(0)->IgnoreParenImpCasts();
  Class = nullptr;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    Class = Ref->getDecl();
  else if (const auto *Member = dyn_cast<MemberExpr>(E))
    Class = Member->getMemberDecl();
  if (!Class) {
    Name = "lock";
    return;
  }
  // Fields and globals are lock classes shared by every function and unit:
  // name them fully; locals and parameters by their own name.
  const auto *VD = dyn_cast<VarDecl>(Class);
  if (isa<FieldDecl>(Class) || (VD && VD->hasGlobalStorage()))
    Name = plainQualifiedName(Class);
  else
    Name = Class->getNameAsString();
}

HeldLock makeHeldLock(const Expr *E, SourceLocation Loc, const VarDecl *Guard) {
  HeldLock L;
  describeMutex(E, L.Class, L.Name);
  L.Guard = Guard;
  L.Loc = Loc;
  if (const auto *VD = dyn_cast_or_null<VarDecl>(L.Class)) {
    L.Global = VD->hasGlobalStorage();
    L.Object = L.Global ? VD : nullptr;
  }
  const Expr *Bare = E->IgnoreParenImpCasts();
  if (const auto *Op = dyn_cast<UnaryOperator>(Bare))
    Bare = Op->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *Member = dyn_cast<MemberExpr>(Bare)) {
    L.ViaThis = isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts());
    // A member of a global or static object (`g_state.mu`, `g.inner.mu`):
    // one instance everywhere, like a global mutex.
    const Expr *Base = Member->getBase()->IgnoreParenImpCasts();
    while (const auto *Inner = dyn_cast_if_present<MemberExpr>(Base))
      Base = Inner->isArrow() ? nullptr : Inner->getBase()->IgnoreParenImpCasts();
    if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Base))
      if (const auto *VD = dyn_cast<VarDecl>(Ref->getDecl());
          VD && VD->hasGlobalStorage() && !Member->isArrow() &&
          !VD->getType()->isReferenceType()) {
        L.Global = true;
        L.Object = VD;
      }
  }
  return L;
}

static bool isTag(const Expr *E, llvm::StringRef Tag) {
  const CXXRecordDecl *RD = recordOf(E->getType());
  return RD && plainQualifiedName(RD) == Tag;
}

// Whether \p T is a lock guard: the standard and fearless guards, and any
// class annotated as a scoped capability (Abseil's MutexLock and the like).
static bool isGuardOrScopedCapability(QualType T) {
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  return isGuardType(T) || (RD && RD->hasDefinition() &&
                            RD->getDefinition()->hasAttr<ScopedLockableAttr>());
}

// The mutexes the guard built by \p Init locks (or, deferred, may lock).
static bool guardInitLocks(const Expr *Init,
                           llvm::SmallVectorImpl<const Expr *> &Mutexes,
                           llvm::SmallVectorImpl<const Expr *> *Deferred,
                           llvm::SmallVectorImpl<const Expr *> *Adopted) {
  Init = Init->IgnoreUnlessSpelledInSource();
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(Init)) {
    // std guards: the mutex arguments; defer_lock and try_to_lock leave
    // it unlocked (try_to_lock: maybe, and fearless assumes not);
    // adopt_lock takes over a lock already held.
    llvm::SmallVector<const Expr *, 2> Found;
    bool Later = false, Adopt = false;
    for (const Expr *Arg : Construct->arguments()) {
      if (isTag(Arg, "std::defer_lock_t") || isTag(Arg, "std::try_to_lock_t"))
        Later = true;
      else if (isTag(Arg, "std::adopt_lock_t"))
        Adopt = true;
      else if (isMutexType(Arg->getType()))
        Found.push_back(Arg);
    }
    if (Later) {
      if (Deferred)
        Deferred->append(Found.begin(), Found.end());
    } else if (Adopt) {
      if (Adopted)
        Adopted->append(Found.begin(), Found.end());
    } else {
      Mutexes.append(Found.begin(), Found.end());
    }
    return true;
  }
  // fearless: auto g = m.lock(); / m.read(); / m.write();
  if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Init)) {
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (Obj && isMutexType(Obj->getType()))
      Mutexes.push_back(Obj);
    return true;
  }
  return false;
}

bool lockedByGuard(const VarDecl *VD,
                   llvm::SmallVectorImpl<const Expr *> &Mutexes,
                   llvm::SmallVectorImpl<const Expr *> *Deferred,
                   llvm::SmallVectorImpl<const Expr *> *Adopted) {
  if (VD->getType()->isReferenceType() || !VD->getInit() ||
      !isGuardOrScopedCapability(VD->getType()))
    return false;
  return guardInitLocks(VD->getInit(), Mutexes, Deferred, Adopted);
}

// Guards that are temporaries of the full-expression \p S (`*m.lock() +=
// f.get();`, `locked(q)->push(x)`): they hold their locks until the end of
// it. Lambda bodies are not part of it.
static void temporaryGuards(const Stmt *S,
                            llvm::SmallVectorImpl<const Expr *> &Mutexes) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *Bind = dyn_cast<CXXBindTemporaryExpr>(S);
      Bind && isGuardOrScopedCapability(Bind->getType()))
    guardInitLocks(Bind->getSubExpr(), Mutexes, nullptr, nullptr);
  for (const Stmt *Child : S->children())
    temporaryGuards(Child, Mutexes);
}

namespace {

class Walker {
public:
  Walker(LockScopeCallbacks &CB) : CB(CB) {}

  std::vector<HeldLock> Held;

  void walk(const Stmt *S) {
    if (!S)
      return;
    if (WantsStatements)
      CB.statement(S, llvm::any_of(Held, [](const HeldLock &L) {
                     return L.Active;
                   }));
    if (const auto *CS = dyn_cast<CompoundStmt>(S)) {
      size_t Mark = Held.size();
      for (const Stmt *Child : CS->body())
        walk(Child);
      endScope(Mark);
      return;
    }
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D)) {
          scopeGuardCallables(VD);
          // `auto kept = std::move(lk);`: what lk held before the move.
          const VarDecl *From = guardMovedFrom(VD);
          std::vector<HeldLock> Taken;
          for (const HeldLock &L : Held)
            if (From && L.Guard == From)
              Taken.push_back(L);
          walk(VD->getInit());
          guardDeclared(VD);
          takeOver(VD, std::move(Taken));
        }
      return;
    }
    // The init-statements and condition variables of if, switch and the
    // loops are scoped to the statement: a guard declared there
    // (`if (std::lock_guard lk(mu); ready) ...`) is destroyed at its end.
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      size_t Mark = Held.size();
      walk(If->getInit());
      walk(If->getConditionVariableDeclStmt());
      walk(If->getCond());
      // `if (m.try_lock())`, `try_lock_for`, `try_lock_until`: the branch
      // where it succeeded holds m. A try-lock never waits, so it is no
      // acquisition for the lock order (as lockdep's trylock): what is taken
      // while it is held is.
      if (HeldLock Tried; triedMutex(If->getCond(), Tried)) {
        size_t TriedAt = Held.size();
        Held.push_back(std::move(Tried));
        branches({If->getThen()});
        Held.erase(Held.begin() + TriedAt);
        branches({If->getElse()});
      } else {
        branches({If->getThen(), If->getElse()});
      }
      endScope(Mark);
      return;
    }
    if (const auto *For = dyn_cast<ForStmt>(S)) {
      size_t Mark = Held.size();
      walk(For->getInit());
      walk(For->getConditionVariableDeclStmt());
      walk(For->getCond());
      branches({For->getBody(), For->getInc()}, /*Sequence=*/true);
      endScope(Mark);
      return;
    }
    if (const auto *RF = dyn_cast<CXXForRangeStmt>(S)) {
      size_t Mark = Held.size();
      walk(RF->getInit());
      walk(RF->getRangeInit());
      branches({RF->getBody()}, true);
      endScope(Mark);
      return;
    }
    if (const auto *W = dyn_cast<WhileStmt>(S)) {
      size_t Mark = Held.size();
      walk(W->getConditionVariableDeclStmt());
      walk(W->getCond());
      branches({W->getBody()}, true);
      endScope(Mark);
      return;
    }
    if (const auto *Do = dyn_cast<DoStmt>(S)) {
      branches({Do->getBody(), Do->getCond()}, true);
      return;
    }
    if (const auto *Sw = dyn_cast<SwitchStmt>(S)) {
      size_t Mark = Held.size();
      walk(Sw->getInit());
      walk(Sw->getConditionVariableDeclStmt());
      walk(Sw->getCond());
      branches({Sw->getBody()}, true);
      endScope(Mark);
      return;
    }
    // A coroutine's body as written: the promise, the initial and final
    // suspends and the parameter copies are the compiler's.
    if (const auto *Coro = dyn_cast<CoroutineBodyStmt>(S)) {
      walk(Coro->getBody());
      return;
    }
    // co_await x / co_yield x: x as written, then the suspension (the
    // awaiter's await_ready/suspend/resume calls are the library's).
    if (const auto *Suspend = dyn_cast<CoroutineSuspendExpr>(S)) {
      walk(Suspend->getOperand());
      CB.suspended(Suspend, active());
      return;
    }
    if (const auto *Full = dyn_cast<ExprWithCleanups>(S)) {
      // A guard that is a temporary of this full-expression holds its lock
      // until the end of it: what the expression calls runs under it.
      llvm::SmallVector<const Expr *, 1> Mutexes;
      temporaryGuards(Full->getSubExpr(), Mutexes);
      size_t Mark = Held.size();
      std::vector<HeldLock> Before = active();
      for (const Expr *M : Mutexes) {
        HeldLock L = makeLock(M, nullptr, M->getExprLoc());
        CB.acquired(L, Before);
        Held.push_back(std::move(L));
      }
      walk(Full->getSubExpr());
      // Invariant: the walk of an expression only appends to Held, so the
      // temporaries' holds are still at Mark.
      Held.erase(Held.begin() + std::min(Held.size(), Mark),
                 Held.begin() + std::min(Held.size(), Mark + Mutexes.size()));
      return;
    }
    if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
      // The body runs later or elsewhere, with no lock of ours held, unless
      // the callbacks say it runs right here.
      for (const Expr *Init : Lambda->capture_inits())
        walk(Init);
      std::vector<HeldLock> Saved = Held;
      // A coroutine lambda called at once runs only until it first
      // suspends; the rest runs later, without the caller's locks.
      bool Here = InPlace.contains(Lambda) &&
                  !isa<CoroutineBodyStmt>(Lambda->getBody());
      if (!Here)
        Held.clear();
      // m.with_lock([&](T &v) { ... }): the body runs with m locked.
      if (auto It = WithLock.find(Lambda); It != WithLock.end())
        acquire(makeLock(It->second, nullptr, Lambda->getBeginLoc()));
      CB.enterLambda(Lambda, Here);
      walk(Lambda->getBody());
      CB.exitLambda(Lambda, Here);
      Held.swap(Saved);
      return;
    }
    if (const auto *CE = dyn_cast<CallExpr>(S)) {
      const Expr *Locked = withLockObject(CE);
      for (const Stmt *Arg : CE->children())
        if (const auto *L = dyn_cast_or_null<LambdaExpr>(
                Arg ? cast<Expr>(Arg)->IgnoreImplicit() : nullptr)) {
          if (Locked) {
            InPlace.insert(L);
            WithLock[L] = Locked;
          } else if (CB.lambdaRunsInPlace(L, CE)) {
            InPlace.insert(L);
          }
        }
    }
    for (const Stmt *Child : S->children())
      walk(Child);
    if (const auto *ME = dyn_cast<MemberExpr>(S); ME && CB.wantsAccesses())
      CB.access(ME, active());
    if (const auto *DRE = dyn_cast<DeclRefExpr>(S); DRE && CB.wantsAccesses())
      if (const auto *V = dyn_cast<VarDecl>(DRE->getDecl());
          V && V->hasGlobalStorage())
        CB.accessStatic(DRE, active());
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S))
      memberCall(MC);
    else if (const auto *CE = dyn_cast<CallExpr>(S)) {
      movedGuard(CE);
      stdLock(CE);
    }
    if (isa<CallExpr>(S) || isa<CXXConstructExpr>(S))
      CB.call(cast<Expr>(S), active());
  }

  /// `auto pred = [&] {...};` used only by calling it (`pred()`) or by
  /// handing it to a callee that runs it in place (`cv.wait(lk, pred)`):
  /// its body runs where the function uses it, and is walked with the locks
  /// held where it is written.
  void findLocalLambdasRunInPlace(const Stmt *Body) {
    llvm::DenseMap<const VarDecl *, const LambdaExpr *> Vars;
    llvm::SmallPtrSet<const VarDecl *, 4> Escapes;
    llvm::SmallVector<const Stmt *, 32> Ancestors;
    scanLocalLambdas(Body, Ancestors, Vars, Escapes);
    for (const auto &[VD, L] : Vars)
      if (!Escapes.contains(VD))
        InPlace.insert(L);
  }

private:
  void scanLocalLambdas(
      const Stmt *S, llvm::SmallVectorImpl<const Stmt *> &Ancestors,
      llvm::DenseMap<const VarDecl *, const LambdaExpr *> &Vars,
      llvm::SmallPtrSetImpl<const VarDecl *> &Escapes) {
    if (!S)
      return;
    if (const auto *DS = dyn_cast<DeclStmt>(S))
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D);
            VD && VD->isLocalVarDecl() && VD->getInit())
          if (const LambdaExpr *L = initLambda(VD))
            Vars[VD] = L;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
      if (const auto *VD = dyn_cast<VarDecl>(Ref->getDecl());
          VD && !runsInPlace(Ref, Ancestors))
        Escapes.insert(VD);
    Ancestors.push_back(S);
    for (const Stmt *Child : S->children())
      scanLocalLambdas(Child, Ancestors, Vars, Escapes);
    Ancestors.pop_back();
  }

  // The lambda a local is initialised with: `auto f = [&] {...};`, or a
  // `std::function<void()> f = [&] {...};` built from one.
  static const LambdaExpr *initLambda(const VarDecl *VD) {
    const Expr *E = VD->getInit() ? VD->getInit()->IgnoreImplicit() : nullptr;
    if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(E);
        Construct && Construct->getNumArgs() == 1 &&
        isa<LambdaExpr>(Construct->getArg(0)->IgnoreImplicit()))
      E = Construct->getArg(0)->IgnoreImplicit();
    return dyn_cast_or_null<LambdaExpr>(E);
  }

  // A use of a lambda variable that runs it here: `v()`, or `v` (copied)
  // as an argument of a call the callbacks say runs its callable in place.
  bool runsInPlace(const DeclRefExpr *Ref,
                   llvm::ArrayRef<const Stmt *> Ancestors) {
    const Stmt *Child = Ref;
    for (auto It = Ancestors.rbegin(); It != Ancestors.rend(); ++It) {
      const Stmt *P = *It;
      if (isa<ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
              ParenExpr>(P) ||
          (isa<CXXConstructExpr>(P) &&
           cast<CXXConstructExpr>(P)->getConstructor()->isCopyOrMoveConstructor())) {
        Child = P;
        continue;
      }
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P);
          Op && Op->getOperator() == OO_Call)
        return Op->getArg(0) == Child;
      const auto *CE = dyn_cast<CallExpr>(P);
      if (!CE)
        return false;
      const LambdaExpr *L = initLambda(cast<VarDecl>(Ref->getDecl()));
      return L && llvm::is_contained(CE->arguments(), Child) &&
             CB.lambdaRunsInPlace(L, CE);
    }
    return false;
  }

  // The mutex of `m.with_lock(f)` (fearless::Mutex, RwLock's read/write
  // variants), which runs f before it returns, with m locked.
  static const Expr *withLockObject(const CallExpr *CE) {
    const auto *MC = dyn_cast<CXXMemberCallExpr>(CE);
    const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
    const Expr *Obj = MC ? MC->getImplicitObjectArgument() : nullptr;
    if (!MD || !Obj || !MD->getDeclName().isIdentifier() ||
        !MD->getName().starts_with("with_") || !isMutexType(Obj->getType()))
      return nullptr;
    return Obj;
  }

  // Whether \p S calls a callable held in a member of `*this` (`f_()`,
  // `(*fn_)()`): what a scope guard's destructor does, and what a thread
  // wrapper's does not.
  static bool callsMemberCallable(const Stmt *S) {
    if (!S)
      return false;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
        Op && Op->getOperator() == OO_Call && Op->getNumArgs() > 0)
      if (const auto *ME = dyn_cast<MemberExpr>(Op->getArg(0)->IgnoreParenImpCasts());
          ME && isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
        return true;
    if (const auto *CE = dyn_cast<CallExpr>(S); CE && !CE->getDirectCallee())
      if (const auto *ME = dyn_cast<MemberExpr>(CE->getCallee()->IgnoreParenImpCasts());
          ME && isa<CXXThisExpr>(ME->getBase()->IgnoreParenImpCasts()))
        return true;
    for (const Stmt *Child : S->children())
      if (callsMemberCallable(Child))
        return true;
    return false;
  }

  // A local scope guard (`Cleanup c([&] { ... });`, `auto g =
  // makeGuard([&] { ... });`): an object built from lambdas whose destructor
  // calls the callable it keeps runs them at the latest when it dies at the
  // end of its block -- before the guards declared ahead of it release
  // their locks. Its lambdas run with the locks held where it is declared.
  void scopeGuardCallables(const VarDecl *VD) {
    if (!VD->isLocalVarDecl() || VD->isStaticLocal() || !VD->getInit() ||
        VD->getType()->isReferenceType())
      return;
    const CXXRecordDecl *RD = VD->getType()->getAsCXXRecordDecl();
    const CXXDestructorDecl *Dtor =
        RD && RD->hasDefinition() ? RD->getDestructor() : nullptr;
    const FunctionDecl *DtorDef = nullptr;
    // Library types (std::function, std::thread, futures) are never scope
    // guards.
    if (!Dtor || RD->isInStdNamespace() || !Dtor->hasBody(DtorDef) ||
        !callsMemberCallable(DtorDef->getBody()))
      return;
    const Expr *Init = VD->getInit()->IgnoreUnlessSpelledInSource();
    llvm::ArrayRef<const Expr *> Args;
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(Init))
      Args = llvm::ArrayRef(Construct->getArgs(), Construct->getNumArgs());
    else if (const auto *Call = dyn_cast<CallExpr>(Init))
      Args = llvm::ArrayRef(Call->getArgs(), Call->getNumArgs());
    for (const Expr *Arg : Args) {
      const Expr *E = Arg->IgnoreUnlessSpelledInSource();
      // std::function<void()> f parameter: the lambda converted to it.
      if (const auto *Conv = dyn_cast<CXXConstructExpr>(E);
          Conv && Conv->getNumArgs() == 1)
        E = Conv->getArg(0)->IgnoreUnlessSpelledInSource();
      if (const auto *L = dyn_cast<LambdaExpr>(E))
        InPlace.insert(L);
    }
  }

  LockScopeCallbacks &CB;
  const bool WantsStatements = CB.wantsStatements();
  /// Lambdas whose body runs where they are written (lambdaRunsInPlace).
  llvm::SmallPtrSet<const LambdaExpr *, 4> InPlace;
  llvm::DenseMap<const LambdaExpr *, const Expr *> WithLock;

  std::vector<HeldLock> active() const {
    std::vector<HeldLock> A;
    for (const HeldLock &L : Held)
      if (L.Active)
        A.push_back(L);
    return A;
  }

  // The mutex a condition try-locks (`m.try_lock*()` on a mutex, result
  // tested as it is), as a hold.
  bool triedMutex(const Expr *Cond, HeldLock &Tried) {
    const auto *MC = Cond ? dyn_cast<CXXMemberCallExpr>(
                                Cond->IgnoreParenImpCasts())
                          : nullptr;
    const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
    const Expr *Obj = MC ? MC->getImplicitObjectArgument() : nullptr;
    if (!MD || !Obj || !MD->getDeclName().isIdentifier() ||
        !MD->getName().starts_with("try_lock") ||
        MD->getName().contains("shared") ||
        !MD->getReturnType()->isBooleanType() || !isMutexType(Obj->getType()))
      return false;
    Tried = makeLock(Obj, nullptr, MC->getExprLoc());
    return true;
  }

  void acquire(HeldLock L) {
    CB.acquired(L, active());
    Held.push_back(std::move(L));
  }

  // Each of \p Parts may run or not (or, with Sequence, run in order any
  // number of times): a lock stays held after them only if it is held on
  // every way through; locks first taken inside are not held after.
  void branches(std::initializer_list<const Stmt *> Parts,
                bool Sequence = false) {
    std::vector<HeldLock> Before = Held;
    std::vector<bool> Active(Before.size());
    for (size_t I = 0; I < Before.size(); ++I)
      Active[I] = Before[I].Active;
    for (const Stmt *P : Parts) {
      if (!Sequence)
        Held = Before;
      walk(P);
      for (size_t I = 0; I < Before.size() && I < Held.size(); ++I)
        Active[I] = Active[I] && Held[I].Active;
    }
    Held = Before;
    for (size_t I = 0; I < Held.size(); ++I)
      Held[I].Active = Active[I];
  }

  // The end of a scope at which the guards declared since \p Mark are
  // destroyed; explicit lock() calls outlive it.
  void endScope(size_t Mark) {
    if (Mark >= Held.size())
      return;
    llvm::SmallVector<HeldLock, 4> Kept;
    for (size_t I = Mark; I < Held.size(); ++I)
      if (!Held[I].Guard)
        Kept.push_back(Held[I]);
    Held.resize(Mark);
    Held.insert(Held.end(), Kept.begin(), Kept.end());
  }

  // The guard variable a guard declaration is move-constructed from:
  // `std::unique_lock kept = std::move(lk);`, `kept(std::move(lk))`.
  static const VarDecl *guardMovedFrom(const VarDecl *VD) {
    if (!VD->getInit() || VD->getType()->isReferenceType() ||
        !isGuardOrScopedCapability(VD->getType()))
      return nullptr;
    const Expr *Init = VD->getInit()->IgnoreImplicit();
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(Init);
        Construct && Construct->getNumArgs() == 1 &&
        Construct->getConstructor()->isMoveConstructor())
      Init = Construct->getArg(0)->IgnoreImplicit();
    const auto *CE = dyn_cast<CallExpr>(Init);
    const Expr *Moved = CE ? movedOperand(CE) : nullptr;
    const auto *Ref =
        Moved ? dyn_cast<DeclRefExpr>(Moved->IgnoreParenImpCasts()) : nullptr;
    const auto *From = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    return From && isGuardOrScopedCapability(From->getType()) ? From
                                                              : nullptr;
  }

  // \p VD, move-constructed from another guard, holds what that guard held
  // (\p Taken, before the move): the same holds, not new acquisitions, and
  // they end with VD's scope.
  void takeOver(const VarDecl *VD, std::vector<HeldLock> Taken) {
    for (HeldLock &L : Taken) {
      L.Guard = VD;
      Held.push_back(std::move(L));
    }
  }

  void guardDeclared(const VarDecl *VD) {
    llvm::SmallVector<const Expr *, 2> Mutexes, Deferred, Adopted;
    if (!lockedByGuard(VD, Mutexes, &Deferred, &Adopted))
      return;
    // lock_guard(m, std::adopt_lock) after std::lock(m, n) or m.lock(): the
    // guard now owns that hold (released at its scope's end); a mutex the
    // caller holds is held here without being acquired.
    for (const Expr *M : Adopted) {
      HeldLock L = makeLock(M, VD, VD->getLocation());
      auto It = llvm::find_if(llvm::reverse(Held), [&](const HeldLock &H) {
        return H.Active && !H.Guard && L.Class && H.Class == L.Class;
      });
      if (It != llvm::reverse(Held).end())
        It->Guard = VD;
      else
        Held.push_back(std::move(L));
    }
    // unique_lock(m, std::defer_lock): not held until its lock().
    for (const Expr *M : Deferred) {
      HeldLock L = makeLock(M, VD, VD->getLocation());
      L.Active = false;
      Held.push_back(std::move(L));
    }
    // std::scoped_lock(a, b) locks all of them without an order (it avoids
    // deadlock itself): each is ordered after what was held before, not
    // after the others.
    std::vector<HeldLock> Before = active();
    for (const Expr *M : Mutexes) {
      HeldLock L = makeLock(M, VD, VD->getLocation());
      CB.acquired(L, Before);
      Held.push_back(std::move(L));
    }
  }

  HeldLock makeLock(const Expr *Mutex, const VarDecl *Guard,
                    SourceLocation Loc) {
    return makeHeldLock(Mutex, Loc, Guard);
  }

  // std::lock(a, b, ...) locks every argument, in an order of its own that
  // avoids deadlock: each is ordered after what was held before, not after
  // the others (as for std::scoped_lock). A deferred unique_lock argument
  // holds its mutex from then on.
  void stdLock(const CallExpr *CE) {
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD || !FD->isInStdNamespace() || !FD->getDeclName().isIdentifier() ||
        FD->getName() != "lock" || CE->getNumArgs() < 2)
      return;
    std::vector<HeldLock> Before = active();
    for (const Expr *Arg : CE->arguments()) {
      const Expr *Bare = Arg->IgnoreParenImpCasts();
      if (const auto *Ref = dyn_cast<DeclRefExpr>(Bare);
          Ref && isGuardType(Ref->getType())) {
        for (HeldLock &L : Held)
          if (L.Guard == Ref->getDecl() && !L.Active) {
            L.Active = true;
            L.Loc = CE->getExprLoc();
            CB.acquired(L, Before);
          }
        continue;
      }
      if (!isMutexType(Arg->getType()))
        continue;
      HeldLock L = makeLock(Arg, nullptr, CE->getExprLoc());
      CB.acquired(L, Before);
      Held.push_back(std::move(L));
    }
  }

  // std::move(guard): the lock now belongs to whatever the guard moved
  // into (another guard, another thread); this scope no longer holds it.
  void movedGuard(const CallExpr *CE) {
    const Expr *Moved = movedOperand(CE);
    if (const auto *Ref = Moved ? dyn_cast<DeclRefExpr>(
                                      Moved->IgnoreParenImpCasts())
                                : nullptr)
      for (HeldLock &L : Held)
        if (L.Guard == Ref->getDecl())
          L.Active = false;
  }

  void memberCall(const CXXMemberCallExpr *MC) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    const Expr *Obj = MC->getImplicitObjectArgument();
    if (!MD || !Obj || !MD->getDeclName().isIdentifier())
      return;
    llvm::StringRef Name = MD->getName();
    // Annotated capabilities name their own: leveldb's port::Mutex::Lock()
    // is EXCLUSIVE_LOCK_FUNCTION() (an acquire of the object itself).
    auto OfThis = [](const auto *A) { return A && A->args_size() == 0; };
    bool Lock = Name == "lock" || Name == "lock_shared" ||
                OfThis(MD->getAttr<AcquireCapabilityAttr>());
    bool Unlock = Name == "unlock" || Name == "unlock_shared" ||
                  Name == "release" || // unique_lock::release: no longer ours
                  OfThis(MD->getAttr<ReleaseCapabilityAttr>());
    if (!Lock && !Unlock)
      return;
    const Expr *Bare = Obj->IgnoreParenImpCasts();
    // On a guard variable (a std or fearless guard, or a class annotated as
    // a scoped capability: `MutexLock l(&mu_); ... l.Release();`): relock or
    // unlock what it guards.
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Bare);
        Ref && isGuardOrScopedCapability(Ref->getType())) {
      for (HeldLock &L : Held)
        if (L.Guard == Ref->getDecl()) {
          if (Lock && !L.Active) {
            HeldLock Again = L;
            Again.Loc = MC->getExprLoc();
            CB.acquired(Again, active());
            L.Active = true;
            L.Loc = Again.Loc;
          } else if (Unlock) {
            L.Active = false;
          }
        }
      return;
    }
    if (!isMutexType(Obj->getType()))
      return;
    // A fearless::Mutex's lock() returns a guard: handled where it is
    // declared (a discarded guard unlocks at once).
    if (!MD->getReturnType()->isVoidType())
      return;
    const ValueDecl *Class;
    std::string LockName;
    describeMutex(Obj, Class, LockName);
    if (Lock) {
      // Taking back a lock released earlier in this function (a guard's
      // mutex unlocked by hand, `mu_.unlock(); wait; mu_.lock();` in a
      // loop): the same hold again, so that it stays held after the loop.
      for (auto It = Held.rbegin(); Class && It != Held.rend(); ++It)
        if (!It->Active && It->Class == Class) {
          HeldLock Again = *It;
          Again.Loc = MC->getExprLoc();
          CB.acquired(Again, active());
          It->Active = true;
          It->Loc = Again.Loc;
          return;
        }
      acquire(makeLock(Obj, nullptr, MC->getExprLoc()));
      return;
    }
    // A mutex locked by hand first; else one a guard holds, unlocked by hand
    // under it (leveldb's DBImpl::Get: MutexLock l(&mutex_); ...
    // mutex_.Unlock(); read files; mutex_.Lock();).
    for (bool Guarded : {false, true})
      for (auto It = Held.rbegin(); It != Held.rend(); ++It)
        if (bool(It->Guard) == Guarded && It->Active && It->Class == Class) {
          It->Active = false;
          return;
        }
  }
};

} // namespace

void walkLockScopes(const Stmt *Body, LockScopeCallbacks &CB,
                    llvm::ArrayRef<HeldLock> Initial) {
  Walker W(CB);
  W.Held.assign(Initial.begin(), Initial.end());
  W.findLocalLambdasRunInPlace(Body);
  W.walk(Body);
}

} // namespace clang::tidy::fearless
