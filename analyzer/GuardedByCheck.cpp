// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- GuardedByCheck.cpp - fearless-guarded-by --------------------------===//

#include "GuardedByCheck.h"
#include "CheckRegistry.h"
#include "ClangCompat.h"
#include "GuardTypes.h"
#include "LambdaLocks.h"
#include "LockScope.h"
#include "StdMutexAttributes.h"
#include "ThreadBoundary.h"

#include "clang/AST/ASTLambda.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "model/UnitModel.h"
#include <set>

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

static RegisterCheck<GuardedByCheck> Registration("fearless-guarded-by");

namespace {

// A standard mutex that is a member of a class the user annotated as a
// capability is that capability's implementation (leveldb's port::Mutex
// wraps a std::mutex mu_): code that reaches it directly -- the wrapper's
// own CondVar adopting it into a std::unique_lock -- holds the wrapper, not
// a capability of its own, so fearless's std annotations must not judge it.
bool isWrappedStdMutex(const Expr *E) {
  const auto *ME = E ? dyn_cast<MemberExpr>(E->IgnoreParenImpCasts()) : nullptr;
  const auto *FD = ME ? dyn_cast<FieldDecl>(ME->getMemberDecl()) : nullptr;
  if (!FD || !isMutexType(FD->getType()))
    return false;
  const auto *Cap = FD->getParent()->getAttr<CapabilityAttr>();
  return Cap && !Cap->isImplicit();
}

// A mutex its owner may lock again, whose reentrancy the engine does not
// know: the standard recursive mutexes, and FEARLESS_REENTRANT_CAPABILITY
// classes under LLVM 19 (their reentrant_capability attribute is Clang 21's;
// with it, the engine counts the depth itself).
bool isReentrantUnknownToEngine(QualType T) {
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  return isRecursiveMutexType(T) && !(RD && hasReentrantCapabilityAttr(RD));
}

bool isStdLocker(const CXXRecordDecl *RD) {
  return stdLockerKind(RD) != StdLocker::None;
}

bool isMethodNamed(const CXXMethodDecl *MD, StringRef Name) {
  return MD && MD->getDeclName().isIdentifier() && MD->getName() == Name;
}

// `lk.owns_lock()` or `lk` as a condition, on a standard locker: annotated
// as a try-acquisition of the locker (StdMutexAttributes.cpp), so that the
// branch where it is true holds the mutex. On a locker that already holds
// it, the engine reports the relock as "already held": it is a question,
// not an acquisition, and that finding is dropped.
bool isOwnershipQuery(const CXXMemberCallExpr *MC) {
  const CXXMethodDecl *MD = MC->getMethodDecl();
  return MD && (isa<CXXConversionDecl>(MD) || isMethodNamed(MD, "owns_lock")) &&
         isStdLocker(MD->getParent());
}

// `lk.release()`: the mutex stays locked and lk no longer manages it. The
// engine cannot express that (a locker's capability is the mutex it was
// built with), so it still has lk release the mutex at the end of lk's scope.
const CXXMemberCallExpr *asLockerRelease(const Expr *E) {
  const auto *MC =
      E ? dyn_cast<CXXMemberCallExpr>(E->IgnoreParenImpCasts()) : nullptr;
  return MC && isMethodNamed(MC->getMethodDecl(), "release") &&
                 isStdLocker(MC->getMethodDecl()->getParent())
             ? MC
             : nullptr;
}

// One walk over the translation unit, template instantiations included:
// every function definition and lambda, and where calls take a wrapped
// standard mutex (isWrappedStdMutex) as an argument or as their object.
struct FunctionCollector : RecursiveASTVisitor<FunctionCollector> {
  std::vector<const FunctionDecl *> Functions;
  std::vector<const LambdaExpr *> Lambdas;
  GuardedByCheck::EngineArtefacts &Found;
  /// Local lockers initialised by a call (`auto lk = obj.lock();`).
  std::vector<std::pair<const VarDecl *, const CallExpr *>> LockersFromCalls;

  FunctionCollector(ASTContext &Ctx, GuardedByCheck::EngineArtefacts &Found)
      : Found(Found), Ctx(Ctx) {}

  bool shouldVisitTemplateInstantiations() const { return true; }
  // Declarations in system headers hold nothing this looks for; they are
  // most of a unit, so they are not searched.
  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && UnitModel::isSystem(D))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }

  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (!isLambdaCallOperator(FD))
      Functions.push_back(FD);
    if (inferReturnedLocker(Ctx, FD))
      Found.InferredAcquirers.insert(FD->getLocation());
    for (SourceLocation Site : returnedLockerSites(FD))
      Found.ReturnedLockerSites.insert(Site);
    return true;
  }
  bool VisitLambdaExpr(LambdaExpr *L) {
    Lambdas.push_back(L);
    return true;
  }
  bool TraverseCompoundStmt(CompoundStmt *S) {
    Scopes.push_back(S);
    bool Result = RecursiveASTVisitor::TraverseCompoundStmt(S);
    Scopes.pop_back();
    return Result;
  }
  bool VisitVarDecl(VarDecl *V) {
    llvm::SmallVector<const Expr *, 2> Mutexes, Deferred, Adopted;
    bool Guard =
        V->isLocalVarDecl() && lockedByGuard(V, Mutexes, &Deferred, &Adopted);
    if (Guard && llvm::any_of(Mutexes, [](const Expr *M) {
          return isReentrantUnknownToEngine(M->getType());
        }))
      Found.RecursiveSites.insert(V->getLocation());
    if (Guard && !Scopes.empty())
      for (const Expr *M : Adopted)
        Adopting.push_back(
            {V, {V->getLocation(), Scopes.back()->getRBracLoc()}, M});
    const auto *RD = V->getType()->getAsCXXRecordDecl();
    if (V->isLocalVarDecl() && V->getInit() && RD && isStdLocker(RD))
      if (const auto *Call = dyn_cast<CallExpr>(V->getInit()->IgnoreImplicit()))
        LockersFromCalls.push_back({V, Call});
    return true;
  }
  bool VisitCXXConstructExpr(CXXConstructExpr *E) {
    if (llvm::any_of(E->arguments(), isWrappedStdMutex)) {
      addWrappedUse(E);
      Found.WrappedUses.insert(E->getLocation());
    }
    return true;
  }
  bool VisitCallExpr(CallExpr *E) {
    bool Uses = llvm::any_of(E->arguments(), isWrappedStdMutex);
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
      Uses |= isWrappedStdMutex(MC->getImplicitObjectArgument());
      if (MC->getImplicitObjectArgument() &&
          isReentrantUnknownToEngine(
              MC->getImplicitObjectArgument()->getType()))
        Found.RecursiveSites.insert(MC->getExprLoc());
      if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(
              MC->getImplicitObjectArgument()
                  ? MC->getImplicitObjectArgument()->IgnoreParenImpCasts()
                  : nullptr)) {
        if (const auto *P = dyn_cast<ParmVarDecl>(Ref->getDecl());
            P && P->getType()->isReferenceType() &&
            isGuardType(P->getType().getNonReferenceType()))
          Found.ParamLockerSites.insert(MC->getExprLoc());
        // A locker a lambda took over (`[l = std::move(lk)]`): it was
        // built outside the lambda's body, which the engine analyses alone.
        else if (const auto *V = dyn_cast<VarDecl>(Ref->getDecl());
                 V && V->isInitCapture() && isGuardType(V->getType()))
          Found.ParamLockerSites.insert(MC->getExprLoc());
      }
      if (isOwnershipQuery(MC)) {
        Found.OwnershipQueries.insert(MC->getExprLoc());
        // `unique_lock(m, try_to_lock).owns_lock()` on a temporary: the
        // engine cannot name the temporary ("cannot resolve lock
        // expression", at the member name).
        if (const auto *ME = dyn_cast<MemberExpr>(MC->getCallee()->IgnoreParens());
            ME && isa<MaterializeTemporaryExpr, CXXTemporaryObjectExpr,
                      CXXBindTemporaryExpr, CXXFunctionalCastExpr>(
                      ME->getBase()->IgnoreImpCasts()))
          Found.TemporaryQueries.insert(MC->getExprLoc());
      }
      if (isMethodNamed(MC->getMethodDecl(), "unlock") &&
          releasedMutex(MC->getImplicitObjectArgument()))
        Found.ReleasedUnlocks.insert(MC->getExprLoc());
      if (isMethodNamed(MC->getMethodDecl(), "unlock") &&
          isStdLocker(MC->getMethodDecl()->getParent()))
        if (const auto *Ref = dyn_cast<DeclRefExpr>(
                MC->getImplicitObjectArgument()->IgnoreParenImpCasts()))
          UnlockedLockers.insert(Ref->getDecl());
      if (asLockerRelease(MC))
        addReleasedLocker(MC->getImplicitObjectArgument());
    }
    if (Uses)
      addWrappedUse(E);
    return true;
  }

  /// After the walk: the adopting lockers unlocked through themselves.
  void finish() {
    for (const AdoptingLocker &A : Adopting)
      if (UnlockedLockers.contains(A.Locker))
        Found.AdoptingLockers.push_back({A.Scope, mutexName(A.Mutex)});
  }

private:
  ASTContext &Ctx;
  /// The compound statements around the node being visited.
  std::vector<const CompoundStmt *> Scopes;
  struct AdoptingLocker {
    const VarDecl *Locker;
    SourceRange Scope;
    const Expr *Mutex;
  };
  std::vector<AdoptingLocker> Adopting;
  llvm::SmallPtrSet<const Decl *, 8> UnlockedLockers;

  // The mutex pointer that a locker's release() returned: the call itself,
  // or a local variable initialised with it.
  static bool releasedMutex(const Expr *E) {
    if (!E)
      return false;
    if (asLockerRelease(E))
      return true;
    const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
    const auto *V = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    return V && V->isLocalVarDecl() && asLockerRelease(V->getInit());
  }

  // A function that releases a locker of mutex M ends with M still locked
  // on that path: its "expecting M to be held at the end" finding, which
  // assumes the locker unlocked it, is dropped.
  void addReleasedLocker(const Expr *Locker) {
    const auto *DRE = dyn_cast<DeclRefExpr>(Locker->IgnoreParenImpCasts());
    const auto *V = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    const auto *Construct =
        V && V->getInit()
            ? dyn_cast<CXXConstructExpr>(V->getInit()->IgnoreImplicit())
            : nullptr;
    const auto *Fn =
        V ? dyn_cast_or_null<FunctionDecl>(V->getParentFunctionOrMethod())
          : nullptr;
    if (!Construct || Construct->getNumArgs() == 0 || !Fn)
      return;
    Found.ReleasedAtEnd.insert(
        {Fn->getEndLoc(), mutexName(Construct->getArg(0))});
  }

  // A mutex as the engine names it in findings, for a member of `this` or a
  // variable: its spelling without `this->`.
  std::string mutexName(const Expr *E) const {
    StringRef Text = Lexer::getSourceText(
        CharSourceRange::getTokenRange(E->getSourceRange()),
        Ctx.getSourceManager(), Ctx.getLangOpts());
    Text.consume_front("this->");
    return Text.str();
  }

  void addWrappedUse(const Expr *Call) {
    Found.WrappedUses.insert(Call->getBeginLoc());
    Found.WrappedUses.insert(Call->getExprLoc());
  }
};

// Where a recursive mutex (one the engine counts no depth for) is still
// held in \p FD by the count of its acquisitions and releases: every
// access and call there, with the mutex's name.
struct RecursiveHolds : LockScopeCallbacks {
  std::set<std::pair<SourceLocation, std::string>> &Out;
  explicit RecursiveHolds(std::set<std::pair<SourceLocation, std::string>> &Out)
      : Out(Out) {}
  bool wantsAccesses() const override { return true; }
  void note(SourceLocation Loc, llvm::ArrayRef<HeldLock> Held) {
    for (const HeldLock &L : Held)
      if (L.Class && isReentrantUnknownToEngine(L.Class->getType()))
        Out.insert({Loc, L.Class->getName().str()});
  }
  void access(const MemberExpr *E, llvm::ArrayRef<HeldLock> Held) override {
    note(E->getExprLoc(), Held);
  }
  void accessStatic(const DeclRefExpr *E,
                    llvm::ArrayRef<HeldLock> Held) override {
    note(E->getExprLoc(), Held);
  }
  void call(const Expr *Call, llvm::ArrayRef<HeldLock> Held) override {
    note(Call->getExprLoc(), Held);
  }
};

// The engine's name for a mutex ends with the member's own name
// ("rm", "this->s.rm", "s.rm").
bool namesMember(StringRef LockName, StringRef Member) {
  return LockName == Member || LockName.ends_with(("." + Member).str()) ||
         LockName.ends_with(("->" + Member).str());
}

} // namespace

GuardedByCheck::GuardedByCheck(StringRef Name, ClangTidyContext *Context)
    : FearlessCheck(Name, Context,
                    {"Beta", "Negative", "Pointer", "Reference", "Verbose",
                     "InheritLocksInLambdas", "SpawnFunctions"}),
      Beta(boolOption("Beta", false)), Negative(boolOption("Negative", false)),
      Pointer(boolOption("Pointer", false)),
      Reference(boolOption("Reference", true)),
      Verbose(boolOption("Verbose", false)),
      InheritLocksInLambdas(boolOption("InheritLocksInLambdas", true)) {}

void GuardedByCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  auto Store = [&](StringRef Name, bool Value) {
    Options.store(Opts, Name, Value ? "true" : "false");
  };
  Store("Beta", Beta);
  Store("Negative", Negative);
  Store("Pointer", Pointer);
  Store("Reference", Reference);
  Store("Verbose", Verbose);
  Store("InheritLocksInLambdas", InheritLocksInLambdas);
  FearlessCheck::storeOptions(Opts);
}

void GuardedByCheck::registerMatchers(MatchFinder *Finder) {
  // Fires before any other match: the standard mutexes are annotated before
  // anything looks at them.
  Finder->addMatcher(translationUnitDecl().bind("tu"), this);
}

void GuardedByCheck::check(const MatchFinder::MatchResult &Result) {
  if (Result.Nodes.getNodeAs<TranslationUnitDecl>("tu")) {
    Ctx = Result.Context;
    annotateStdMutexes(*Ctx);
  }
}

bool GuardedByCheck::enabled(TSGroup G) const {
  switch (G) {
  case TSGroup::Analysis:
  case TSGroup::Precise:
    return true;
  case TSGroup::Reference:
  case TSGroup::ReferenceReturn:
    return Reference;
  case TSGroup::Negative:
    return Negative;
  case TSGroup::Pointer:
    return Pointer;
  }
  return true;
}

bool GuardedByCheck::isUnknownLocker(const TSFinding &F) const {
  const SourceManager &SM = Ctx->getSourceManager();
  const auto *Name = F.Args.size() > 1 ? std::get_if<std::string>(&F.Args[1])
                                       : nullptr;
  return Name && llvm::any_of(Artefacts.UnknownLockers, [&](const auto &U) {
           return U.second == *Name &&
                  SM.isPointWithin(F.Loc, U.first.getBegin(),
                                   U.first.getEnd());
         });
}

bool GuardedByCheck::isAdoptedJoin(const TSFinding &F) const {
  const SourceManager &SM = Ctx->getSourceManager();
  return llvm::any_of(Artefacts.AdoptingLockers, [&](const auto &A) {
    return A.second == F.LockName &&
           SM.isPointWithin(F.Loc, A.first.getBegin(), A.first.getEnd());
  });
}

bool GuardedByCheck::isRecursiveHeld(const TSFinding &F) const {
  const auto &Held = Artefacts.RecursiveHeld;
  for (auto It = Held.lower_bound({F.Loc, std::string()});
       It != Held.end() && It->first == F.Loc; ++It)
    if (namesMember(F.LockName, It->second))
      return true;
  return false;
}

void GuardedByCheck::emit(const TSFinding &F) {
  const EngineArtefacts &A = Artefacts;
  if (!enabled(F.Group) || A.WrappedUses.contains(F.Loc) ||
      (F.Kind == TSKind::DoubleLock && A.OwnershipQueries.contains(F.Loc)) ||
      (F.Kind == TSKind::InvalidLockExp && A.TemporaryQueries.contains(F.Loc)) ||
      ((F.Kind == TSKind::DoubleLock || F.Kind == TSKind::UnmatchedUnlock) &&
       A.RecursiveSites.contains(F.Loc)) ||
      (F.Kind == TSKind::UnmatchedUnlock &&
       A.ReleasedUnlocks.contains(F.Loc)) ||
      (F.Kind == TSKind::NotHeldAtEnd &&
       A.ReleasedAtEnd.count({F.Loc, F.LockName})) ||
      ((F.Kind == TSKind::HeldAtEnd || F.Kind == TSKind::HeldOnSomePaths) &&
       !F.Notes.empty() && A.ReturnedLockerSites.contains(F.Notes[0].Loc)) ||
      (F.Kind == TSKind::NotHeldAtEnd && !F.Notes.empty() &&
       A.InferredAcquirers.contains(F.Notes[0].Loc)) ||
      (F.Kind == TSKind::UnmatchedUnlock && isUnknownLocker(F)) ||
      (F.Kind == TSKind::HeldOnSomePaths && isAdoptedJoin(F)) ||
      (F.IsMutexNotHeld && isRecursiveHeld(F)) ||
      (F.Kind == TSKind::UnmatchedUnlock && A.ParamLockerSites.contains(F.Loc)) ||
      (F.Kind == TSKind::HeldAtEnd && !F.Notes.empty() &&
       A.ParamLockerSites.contains(F.Notes[0].Loc)) ||
      llvm::any_of(F.Notes, [&](const TSNote &N) {
        return A.WrappedUses.contains(N.Loc);
      }))
    return;
  auto AddArgs = [](DiagnosticBuilder &DB, llvm::ArrayRef<TSArg> Args) {
    for (const TSArg &A : Args) {
      if (const auto *S = std::get_if<std::string>(&A))
        DB << *S;
      else if (const auto *I = std::get_if<int>(&A))
        DB << *I;
      else
        DB << std::get<const NamedDecl *>(A);
    }
  };
  {
    DiagnosticBuilder DB = diag(F.Loc, F.Format);
    AddArgs(DB, F.Args);
  }
  for (const TSNote &N : F.Notes) {
    DiagnosticBuilder DB = diag(N.Loc, N.Format, DiagnosticIDs::Note);
    AddArgs(DB, N.Args);
  }
}

void GuardedByCheck::onEndOfTranslationUnit() {
  if (!Ctx)
    return;
  for (const ThreadBoundary &B : boundaries(*Ctx)) {
    BoundarySites.insert(B.Site);
    for (const Expr *Arg : B.Crossing)
      BoundaryArgs.insert(Arg->IgnoreUnlessSpelledInSource());
  }
  const SourceManager &SM = Ctx->getSourceManager();
  FunctionCollector Collector(*Ctx, Artefacts);
  Collector.TraverseAST(*Ctx);
  Collector.finish();
  if (!Artefacts.RecursiveSites.empty())
    for (const FunctionDecl *FD : Collector.Functions)
      if (FD->hasBody() &&
          llvm::any_of(Artefacts.RecursiveSites, [&](SourceLocation L) {
            return SM.isPointWithin(L, FD->getBeginLoc(), FD->getEndLoc());
          })) {
        RecursiveHolds Holds(Artefacts.RecursiveHeld);
        walkLockScopes(FD->getBody(), Holds);
      }
  // A locker returned by a function that says (or was found to say) what it
  // acquires is a scoped capability in the engine's view; one returned by
  // any other function is unknown to it, and its destructor is reported as
  // "releasing 'lk' that was not held". Its mutex is unknown to fearless
  // too: accesses under it are still checked (and reported), only the
  // release is not.
  for (const auto &[V, Call] : Collector.LockersFromCalls) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    const auto *Fn =
        dyn_cast_or_null<FunctionDecl>(V->getParentFunctionOrMethod());
    if (Fn && !(Callee && (Callee->hasAttr<AcquireCapabilityAttr>() ||
                           Callee->hasAttr<TryAcquireCapabilityAttr>())))
      Artefacts.UnknownLockers.push_back(
          {Fn->getSourceRange(), V->getName().str()});
  }

  ThreadSafetyEngine Engine(TSOptions{Beta, Verbose});
  LambdaLocks Lambdas(*Ctx, Engine, BoundaryArgs, BoundarySites,
                      InheritLocksInLambdas);
  auto Emit = [this](const TSFinding &F) { emit(F); };
  for (const FunctionDecl *FD : Collector.Functions)
    if (ThreadSafetyEngine::isAnalysable(FD, SM))
      Lambdas.run(FD, Emit);
  // Lambdas outside any analysed function (initialisers of globals and
  // members): analysed as Clang does.
  for (const LambdaExpr *L : Collector.Lambdas) {
    const FunctionDecl *Op = L->getCallOperator();
    if (!Lambdas.done(Op) && ThreadSafetyEngine::isAnalysable(Op, SM))
      Lambdas.run(Op, Emit);
  }

  Ctx = nullptr;
  BoundaryArgs.clear();
  BoundarySites.clear();
  Artefacts = {};
}

} // namespace clang::tidy::fearless
