// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- UnitModel.cpp - one translation unit's functions, locks and calls ===//

#include "model/UnitModel.h"
#include "model/Callables.h"
#include "model/Vocabulary.h"

#include "clang/AST/Attr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <map>
#include <memory>

namespace clang::tidy::fearless {

namespace {

// The model of the unit being checked. Invariant: built for the ASTContext
// it names, and dropped by reset() before the next unit is matched.
struct Current {
  const ASTContext *Ctx = nullptr;
  ClangTidyContext *Tidy = nullptr;
  std::unique_ptr<UnitModel> Model;
  const ASTContext *TypesCtx = nullptr;
  std::unique_ptr<TypeProperties> Types;
  const ASTContext *BoundariesCtx = nullptr;
  std::map<std::string, std::vector<ThreadBoundary>> Boundaries;
  /// Per SpawnFunctions setting, like Boundaries.
  std::map<std::string, std::unique_ptr<Publication>> Publications;
};

// Collects what the boundary matchers find.
class BoundaryCollector : public ast_matchers::MatchFinder::MatchCallback {
public:
  BoundaryCollector(llvm::ArrayRef<SpawnFunction> Spawn,
                    std::vector<ThreadBoundary> &Out)
      : Spawn(Spawn), Out(Out) {}
  void run(const ast_matchers::MatchFinder::MatchResult &Result) override {
    if (std::optional<ThreadBoundary> B = getBoundary(Result, Spawn))
      Out.push_back(std::move(*B));
  }

private:
  llvm::ArrayRef<SpawnFunction> Spawn;
  std::vector<ThreadBoundary> &Out;
};
Current &current() {
  static Current C;
  return C;
}

// An unlock by hand: `m.unlock()`, `m.Unlock()` or a method annotated as
// releasing its own object.
const Expr *releasedObject(const Stmt *S) {
  const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
  const CXXMethodDecl *MD = Call ? Call->getMethodDecl() : nullptr;
  if (!MD)
    return nullptr;
  bool Release = false;
  if (MD->getDeclName().isIdentifier())
    Release = llvm::is_contained({"unlock", "Unlock", "unlock_shared"},
                                 MD->getName());
  for (const auto *A : MD->specific_attrs<ReleaseCapabilityAttr>())
    Release |= A->args_size() == 0;
  return Release ? Call->getImplicitObjectArgument() : nullptr;
}

// Where each lock class is released by hand in S.
void collectReleases(
    const Stmt *S,
    llvm::DenseMap<const ValueDecl *, llvm::SmallVector<SourceLocation, 2>>
        &Out) {
  if (!S)
    return;
  if (const Expr *Obj = releasedObject(S)) {
    HeldLock L = makeHeldLock(Obj, S->getBeginLoc());
    if (L.Class)
      Out[L.Class].push_back(S->getBeginLoc());
  }
  for (const Stmt *Child : S->children())
    collectReleases(Child, Out);
}

// The variable a condition wait's lock argument names: the guard, or the
// guard reached through a wrapper (`lock.native()`, `lock.inner_`).
const ValueDecl *waitedLock(const Expr *E) {
  while (E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      return Ref->getDecl();
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
      E = MC->getImplicitObjectArgument();
    else if (const auto *ME = dyn_cast<MemberExpr>(E))
      E = ME->getBase();
    else
      return nullptr;
  }
  return nullptr;
}

} // namespace

// Walks every function body once and fills the model's direct facts.
class ModelBuilder : public LockScopeCallbacks {
public:
  ModelBuilder(UnitModel &M) : M(M), SM(M.Ctx.getSourceManager()) {}

  void function(const FunctionDecl *FD) {
    const FunctionDecl *Key = FD->getCanonicalDecl();
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD)) {
      // Overrides visible in this unit are what a virtual call may reach.
      llvm::SmallVector<const CXXMethodDecl *, 4> Work(
          MD->overridden_methods().begin(), MD->overridden_methods().end());
      while (!Work.empty()) {
        const CXXMethodDecl *Base = Work.pop_back_val();
        auto &V = M.Overriders[Base->getCanonicalDecl()];
        if (!llvm::is_contained(V, Key))
          V.push_back(Key);
        Work.append(Base->overridden_methods().begin(),
                    Base->overridden_methods().end());
      }
    }
    // FEARLESS_REQUIRES(mu): held on entry.
    llvm::SmallVector<HeldLock, 2> Initial;
    for (const auto *A : FD->specific_attrs<RequiresCapabilityAttr>())
      for (const Expr *Arg : A->args())
        Initial.push_back(makeHeldLock(Arg, A->getLocation()));
    enter(Key, Key, FD->getBody(), Initial, FD->parameters());
    // `cb_(std::move(cb))` in a constructor's member initializers.
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(FD))
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (const FieldDecl *Field = Init->getMember();
            Field && Init->getInit() && isCallableSlotType(Field->getType()))
          store(Field, Init->getInit(), /*ViaThis=*/true, Init->getSourceLocation());
    walkLockScopes(FD->getBody(), *this, Initial);
    Frames.pop_back();
  }

  void acquired(const HeldLock &New, llvm::ArrayRef<HeldLock> Held) override {
    Frame &F = Frames.back();
    LockAcquisition A;
    A.Lock = New;
    A.Held.assign(Held.begin(), Held.end());
    A.Reacquired = New.Class && (F.OnEntry.contains(New.Class) ||
                                 releasedBefore(New.Class, New.Loc));
    facts(F).Acquisitions.push_back(std::move(A));
  }

  void call(const Expr *Call, llvm::ArrayRef<HeldLock> Held) override {
    Frame &F = Frames.back();
    const Expr *WaitGuard = nullptr;
    llvm::StringRef Kind = blockingKind(Call, M.Extra, WaitGuard);
    if (!Kind.empty()) {
      BlockingCall B;
      B.Callee = calleeName(Call);
      B.Kind = Kind;
      B.Loc = Call->getExprLoc();
      B.Held.assign(Held.begin(), Held.end());
      B.Releases = waitedLock(WaitGuard);
      B.ReleasedBefore = releasedClassesBefore(B.Loc);
      facts(F).Blocking.push_back(std::move(B));
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call);
        MC && MC->getMethodDecl() &&
        MC->getMethodDecl()->getDeclName().isIdentifier() &&
        MC->getMethodDecl()->getName() == "join" && !Kind.empty())
      if (bool ViaThis = false;
          const auto *Field = dyn_cast_if_present<FieldDecl>(
              rootDecl(MC->getImplicitObjectArgument(), &ViaThis)))
        if (ViaThis && !llvm::is_contained(facts(F).Joins, Field))
          facts(F).Joins.push_back(Field);
    noteStores(Call);
    const FunctionDecl *Callee = nullptr;
    CallSite C;
    if (const ValueDecl *Slot = calledSlot(Call, &C.ThroughThis)) {
      C.Slot = Slot;
      record(F, C, Call, Held);
      return;
    }
    if (const auto *CE = dyn_cast<CallExpr>(Call)) {
      Callee = CE->getDirectCallee();
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(CE)) {
        const Expr *Obj = MC->getImplicitObjectArgument();
        C.ThroughThis = Obj && isa<CXXThisExpr>(Obj->IgnoreParenImpCasts());
        const auto *ME = dyn_cast<MemberExpr>(MC->getCallee()->IgnoreParens());
        if (const auto *MD = MC->getMethodDecl())
          C.Virtual = MD->isVirtual() && !(ME && ME->hasQualifier());
      }
    } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(Call)) {
      Callee = Construct->getConstructor();
    }
    if (!Callee || Callee->isInvalidDecl() ||
        SM.isInSystemHeader(Callee->getLocation()))
      return;
    C.Callee = Callee->getCanonicalDecl();
    record(F, C, Call, Held);
  }

  bool lambdaRunsInPlace(const LambdaExpr *L, const Expr *Call) override {
    const auto *CE = dyn_cast<CallExpr>(Call);
    return CE && runsCallableInPlace(CE, L);
  }

  void enterLambda(const LambdaExpr *L, bool InPlace) override {
    if (InPlace)
      return; // its facts are those of the function that runs it
    const CXXMethodDecl *Call = L->getCallOperator();
    const FunctionDecl *Op = Call->getCanonicalDecl();
    M.NamedOf[Op] = facts(Frames.back()).Named;
    enter(Op, facts(Frames.back()).Named, L->getBody(), {},
          Call->parameters());
  }

  void suspended(const CoroutineSuspendExpr *S,
                 llvm::ArrayRef<HeldLock> Held) override {
    Frame &F = Frames.back();
    Suspension Susp;
    Susp.Expr = S;
    Susp.Loc = S->getKeywordLoc();
    Susp.Held.assign(Held.begin(), Held.end());
    if (auto It = F.Live.find(S); It != F.Live.end())
      Susp.Live = It->second;
    facts(F).Suspensions.push_back(std::move(Susp));
  }
  void exitLambda(const LambdaExpr *L, bool InPlace) override {
    if (!InPlace)
      Frames.pop_back();
  }

private:
  struct Frame {
    /// Invariant: a key, not a pointer: the map's storage moves when a
    /// lambda adds its own entry.
    const FunctionDecl *Key;
    llvm::SmallPtrSet<const ValueDecl *, 4> OnEntry;
    llvm::DenseMap<const ValueDecl *, llvm::SmallVector<SourceLocation, 2>>
        Releases;
    /// A coroutine's: the variables alive across each suspension.
    LiveAcross Live;
  };

  void enter(const FunctionDecl *Key, const FunctionDecl *Named,
             const Stmt *Body, llvm::ArrayRef<HeldLock> Initial,
             llvm::ArrayRef<ParmVarDecl *> Params) {
    FunctionFacts &Facts = M.Facts[Key];
    Facts.Function = Key;
    Facts.Named = Named;
    Frame F;
    F.Key = Key;
    if (isCoroutineBody(Body)) {
      Facts.Coroutine = true;
      F.Live = liveAcrossSuspensions(
          Body, llvm::ArrayRef<const ParmVarDecl *>(Params.data(),
                                                    Params.size()));
    }
    for (const HeldLock &L : Initial)
      if (L.Class)
        F.OnEntry.insert(L.Class);
    collectReleases(Body, F.Releases);
    Frames.push_back(std::move(F));
  }

  FunctionFacts &facts(const Frame &F) { return M.Facts[F.Key]; }

  void record(Frame &F, CallSite &C, const Expr *Call,
              llvm::ArrayRef<HeldLock> Held) {
    C.Loc = Call->getExprLoc();
    C.Held.assign(Held.begin(), Held.end());
    C.Reacquirable.assign(F.OnEntry.begin(), F.OnEntry.end());
    C.ReleasedBefore = releasedClassesBefore(C.Loc);
    for (const ValueDecl *R : C.ReleasedBefore)
      if (!F.OnEntry.contains(R))
        C.Reacquirable.push_back(R);
    facts(F).Calls.push_back(std::move(C));
  }

  void store(const ValueDecl *Slot, const Expr *Value, bool ViaThis,
             SourceLocation Loc) {
    SlotStore St;
    bool CapturesThis = false;
    if (!Slot || !storedValue(Value, St.Function, CapturesThis, St.From) ||
        St.From == Slot)
      return;
    St.Slot = Slot;
    St.SelfBound = ViaThis && CapturesThis;
    St.Loc = Loc;
    facts(Frames.back()).Stores.push_back(St);
  }

  // Callables flowing into slots at \p Call: `slot = f`, `slots.push_back(f)`
  // (and the other inserting members), and an argument of a callable
  // parameter.
  void noteStores(const Expr *Call) {
    bool ViaThis = false;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
        Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
      store(slotOf(Op->getArg(0), &ViaThis), Op->getArg(1), ViaThis,
            Op->getExprLoc());
      return;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(Call)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (MD && MD->getDeclName().isIdentifier() &&
          llvm::is_contained({"push_back", "emplace_back", "push_front",
                              "emplace_front", "insert", "emplace",
                              "insert_or_assign", "try_emplace", "assign",
                              "push", "swap"},
                             MD->getName()))
        if (const ValueDecl *Slot =
                slotOf(MC->getImplicitObjectArgument(), &ViaThis)) {
          for (const Expr *Arg : MC->arguments())
            store(Slot, Arg, ViaThis, MC->getExprLoc());
          return;
        }
    }
    const FunctionDecl *Callee = nullptr;
    llvm::ArrayRef<const Expr *> Args;
    if (const auto *CE = dyn_cast<CallExpr>(Call)) {
      Callee = CE->getDirectCallee();
      Args = llvm::ArrayRef(CE->getArgs(), CE->getNumArgs());
      // A member operator's first argument is the object.
      if (isa<CXXOperatorCallExpr>(CE) && isa_and_nonnull<CXXMethodDecl>(Callee))
        Args = Args.drop_front();
    } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(Call)) {
      Callee = Construct->getConstructor();
      Args = llvm::ArrayRef(Construct->getArgs(), Construct->getNumArgs());
    }
    if (!Callee || SM.isInSystemHeader(Callee->getLocation()))
      return;
    const FunctionDecl *Canon = Callee->getCanonicalDecl();
    for (unsigned I = 0; I < Args.size() && I < Canon->getNumParams(); ++I)
      if (isCallableSlotType(Canon->getParamDecl(I)->getType()))
        store(Canon->getParamDecl(I), Args[I], false, Args[I]->getExprLoc());
  }

  bool releasedBefore(const ValueDecl *Class, SourceLocation Loc) const {
    const Frame &F = Frames.back();
    auto It = F.Releases.find(Class);
    return It != F.Releases.end() &&
           llvm::any_of(It->second, [&](SourceLocation R) {
             return SM.isBeforeInTranslationUnit(R, Loc);
           });
  }

  llvm::SmallVector<const ValueDecl *, 2>
  releasedClassesBefore(SourceLocation Loc) const {
    llvm::SmallVector<const ValueDecl *, 2> Out;
    for (const auto &[Class, Locs] : Frames.back().Releases)
      if (releasedBefore(Class, Loc))
        Out.push_back(Class);
    return Out;
  }

  UnitModel &M;
  const SourceManager &SM;
  std::vector<Frame> Frames;
};

namespace {

class FunctionVisitor : public RecursiveASTVisitor<FunctionVisitor> {
public:
  FunctionVisitor(ModelBuilder &B, const SourceManager &SM) : B(B), SM(SM) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitImplicitCode() const { return false; }
  // Only declarations are searched: bodies are walked by the builder, and
  // the system headers' declarations (most of a unit) hold nothing to model.
  bool TraverseStmt(Stmt *) { return true; }
  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && UnitModel::isSystem(D))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }

  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (FD->isImplicit() || !UnitModel::isAnalysable(FD))
      return true;
    // Lambda bodies are walked from the function that writes them.
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD);
        MD && MD->getParent()->isLambda())
      return true;
    if (!Seen.insert(FD->getCanonicalDecl()).second)
      return true;
    B.function(FD);
    return true;
  }

  // A lambda written in a global's initializer (`auto on_event = [] {...};`,
  // a table of handlers) is a function of its own that no body writes.
  bool VisitVarDecl(VarDecl *VD) {
    if (!VD->hasGlobalStorage() || VD->isStaticLocal() || !VD->getInit() ||
        VD->isInvalidDecl())
      return true;
    llvm::SmallVector<const LambdaExpr *, 2> Lambdas;
    lambdasIn(VD->getInit(), Lambdas);
    for (const LambdaExpr *L : Lambdas)
      if (const CXXMethodDecl *Op = L->getCallOperator();
          Op && UnitModel::isAnalysable(Op) &&
          Seen.insert(Op->getCanonicalDecl()).second)
        B.function(Op);
    return true;
  }

private:
  static void lambdasIn(const Stmt *S,
                        llvm::SmallVectorImpl<const LambdaExpr *> &Out) {
    if (!S)
      return;
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      Out.push_back(L); // its body's own lambdas are walked from it
      return;
    }
    for (const Stmt *Child : S->children())
      lambdasIn(Child, Out);
  }

  ModelBuilder &B;
  const SourceManager &SM;
  llvm::SmallPtrSet<const FunctionDecl *, 16> Seen;
};

// Finds an expression Clang could not build (a RecoveryExpr, a call of an
// undeclared name).
struct ErrorFinder : RecursiveASTVisitor<ErrorFinder> {
  bool Found = false;
  bool VisitExpr(Expr *E) {
    Found = E->containsErrors();
    return !Found;
  }
};

} // namespace

bool UnitModel::isSystem(const Decl *D) {
  const SourceManager &SM = D->getASTContext().getSourceManager();
  return SM.isInSystemHeader(SM.getExpansionLoc(D->getLocation()));
}

bool UnitModel::isAnalysable(const FunctionDecl *FD) {
  if (!FD || !FD->doesThisDeclarationHaveABody() || !FD->getBody() ||
      FD->isDependentContext() || FD->isInvalidDecl())
    return false;
  ASTContext &Ctx = FD->getASTContext();
  if (isSystem(FD))
    return false;
  if (!Ctx.getDiagnostics().hasUncompilableErrorOccurred())
    return true;
  ErrorFinder Errors;
  Errors.TraverseStmt(FD->getBody());
  return !Errors.Found;
}

UnitModel::UnitModel(ASTContext &Ctx, ClangTidyContext *Tidy) : Ctx(Ctx) {
  if (!Tidy)
    return;
  const ClangTidyOptions::OptionMap &Opts = Tidy->getOptions().CheckOptions;
  auto It = Opts.find("fearless-blocking-under-lock.BlockingFunctions");
  if (It != Opts.end())
    Extra = parseBlockingFunctions(It->second.Value);
}

UnitModel &UnitModel::get(ASTContext &Ctx) {
  Current &C = current();
  if (!C.Model || C.Ctx != &Ctx) {
    C.Model.reset(new UnitModel(Ctx, C.Tidy));
    C.Ctx = &Ctx;
    C.Model->build();
  }
  return *C.Model;
}

llvm::ArrayRef<ThreadBoundary>
UnitModel::boundaries(ASTContext &Ctx, llvm::ArrayRef<SpawnFunction> Spawn,
                      llvm::StringRef Key) {
  Current &C = current();
  if (C.BoundariesCtx != &Ctx) {
    C.Boundaries.clear();
    C.Publications.clear();
    C.BoundariesCtx = &Ctx;
  }
  auto [It, New] = C.Boundaries.try_emplace(Key.str());
  if (New) {
    ast_matchers::MatchFinder Finder;
    BoundaryCollector Collect(Spawn, It->second);
    addBoundaryMatchers(&Finder, &Collect, Spawn);
    Finder.matchAST(Ctx);
  }
  return It->second;
}

Publication &UnitModel::publication(ASTContext &Ctx,
                                    llvm::ArrayRef<SpawnFunction> Spawn,
                                    llvm::StringRef Key) {
  llvm::ArrayRef<ThreadBoundary> Found = boundaries(Ctx, Spawn, Key);
  std::unique_ptr<Publication> &P = current().Publications[Key.str()];
  if (!P)
    P = std::make_unique<Publication>(Ctx, Found);
  return *P;
}

TypeProperties &UnitModel::types(ASTContext &Ctx) {
  Current &C = current();
  if (!C.Types || C.TypesCtx != &Ctx) {
    DeclaredTypes Declared;
    if (C.Tidy) {
      std::map<std::string, std::string> Global;
      for (const auto &[Key, Value] : C.Tidy->getOptions().CheckOptions)
        Global[std::string(Key)] = Value.Value;
      Declared = DeclaredTypes::fromOptions(Global);
    }
    C.Types = std::make_unique<TypeProperties>(Ctx, std::move(Declared));
    C.TypesCtx = &Ctx;
  }
  return *C.Types;
}

void UnitModel::reset(ClangTidyContext *Tidy) {
  Current &C = current();
  C.Model.reset();
  C.Ctx = nullptr;
  C.Types.reset();
  C.TypesCtx = nullptr;
  C.Boundaries.clear();
  C.BoundariesCtx = nullptr;
  C.Publications.clear();
  C.Tidy = Tidy;
}

void UnitModel::build() {
  ModelBuilder B(*this);
  FunctionVisitor V(B, Ctx.getSourceManager());
  V.TraverseDecl(Ctx.getTranslationUnitDecl());
  summarise();
}

bool UnitModel::isLockClass(const HeldLock &L) {
  if (!L.Class)
    return false;
  if (isa<FieldDecl>(L.Class))
    return true;
  const auto *VD = dyn_cast<VarDecl>(L.Class);
  return VD && VD->hasGlobalStorage();
}

bool UnitModel::sameInstance(const HeldLock &A, const HeldLock &B,
                             bool ThroughThis) {
  if (!A.Class || A.Class != B.Class)
    return false;
  if (A.Global || B.Global)
    return A.Global && B.Global && A.Object == B.Object;
  return A.ViaThis && B.ViaThis && ThroughThis;
}

bool UnitModel::isRecursive(const ValueDecl *Class) {
  return Class && isRecursiveMutexType(Class->getType());
}

std::string UnitModel::displayName(const FunctionDecl *FD) const {
  if (!FD)
    return "";
  // A lambda that is a function of its own is named after the function that
  // writes it, as Rust names closures: 'Bus::watch::{lambda}'.
  auto It = NamedOf.find(FD->getCanonicalDecl());
  if (It != NamedOf.end())
    return plainQualifiedName(It->second) + "::{lambda}";
  return plainQualifiedName(FD);
}

std::vector<CallTarget> UnitModel::targets(const CallSite &C) const {
  std::vector<CallTarget> T;
  if (C.Slot) {
    // Everything stored into the slot, through the slots stored into it.
    llvm::SmallPtrSet<const ValueDecl *, 4> Seen;
    llvm::SmallVector<const ValueDecl *, 4> Work{C.Slot};
    while (!Work.empty()) {
      const ValueDecl *Slot = Work.pop_back_val();
      if (!Seen.insert(Slot).second)
        continue;
      auto It = SlotStores.find(Slot);
      if (It == SlotStores.end())
        continue;
      for (const SlotStore &St : It->second) {
        if (St.From)
          Work.push_back(St.From);
        else if (llvm::none_of(T, [&](const CallTarget &X) {
                   return X.Function == St.Function;
                 }))
          T.push_back({St.Function, C.ThroughThis && St.SelfBound, St.Loc});
      }
    }
    return T;
  }
  T.push_back({C.Callee, C.ThroughThis, SourceLocation()});
  if (C.Virtual)
    if (auto It = Overriders.find(C.Callee); It != Overriders.end())
      for (const FunctionDecl *O : It->second)
        T.push_back({O, C.ThroughThis, SourceLocation()});
  return T;
}

std::string UnitModel::calleeName(const CallSite &C,
                                  const FunctionDecl *T) const {
  if (!C.Slot)
    return displayName(T);
  return isa<ParmVarDecl>(C.Slot) ? C.Slot->getNameAsString()
                                  : plainQualifiedName(C.Slot);
}

llvm::ArrayRef<LockAcquisition>
UnitModel::acquires(const FunctionDecl *FD) const {
  auto It = Acquires.find(FD->getCanonicalDecl());
  return It == Acquires.end() ? llvm::ArrayRef<LockAcquisition>()
                              : llvm::ArrayRef(It->second);
}

namespace {

// Records the statements of a body that run with a lock held.
class LockedStatements : public LockScopeCallbacks {
public:
  explicit LockedStatements(llvm::DenseSet<const Stmt *> &Out) : Out(Out) {}
  bool wantsStatements() const override { return true; }
  void statement(const Stmt *S, bool Locked) override {
    if (Locked)
      Out.insert(S);
  }
  bool lambdaRunsInPlace(const LambdaExpr *L, const Expr *Call) override {
    const auto *CE = dyn_cast<CallExpr>(Call);
    return CE && runsCallableInPlace(CE, L);
  }

private:
  llvm::DenseSet<const Stmt *> &Out;
};

} // namespace

bool UnitModel::lockedAt(const Stmt *Use, const Stmt *Body) {
  auto [It, New] = LockedIn.try_emplace(Body);
  if (New) {
    LockedStatements Collect(It->second);
    walkLockScopes(Body, Collect);
  }
  return It->second.contains(Use);
}

bool UnitModel::joins(const FunctionDecl *FD, const FieldDecl *Field) const {
  auto It = Joined.find(FD->getCanonicalDecl());
  return It != Joined.end() && llvm::is_contained(It->second, Field);
}

llvm::ArrayRef<BlockingCall> UnitModel::blocks(const FunctionDecl *FD) const {
  auto It = Blocks.find(FD->getCanonicalDecl());
  return It == Blocks.end() ? llvm::ArrayRef<BlockingCall>()
                            : llvm::ArrayRef(It->second);
}

void UnitModel::summarise() {
  for (auto &[FD, F] : Facts)
    for (const SlotStore &St : F.Stores)
      SlotStores[St.Slot].push_back(St);
  // Functions without a body here: what FEARLESS_ACQUIRE says they take.
  for (auto &[FD, F] : Facts)
    for (const CallSite &C : F.Calls)
      for (const CallTarget &Target : targets(C)) {
        const FunctionDecl *T = Target.Function;
        if (Facts.count(T) || Acquires.count(T))
          continue;
        std::vector<LockAcquisition> &S = Acquires[T];
        for (const FunctionDecl *Redecl : T->redecls())
          for (const auto *A : Redecl->specific_attrs<AcquireCapabilityAttr>())
            for (const Expr *Arg : A->args()) {
              LockAcquisition Acq;
              Acq.Lock = makeHeldLock(Arg, A->getLocation());
              if (isLockClass(Acq.Lock))
                S.push_back(std::move(Acq));
            }
      }
  for (auto &[FD, F] : Facts) {
    Joined[FD].assign(F.Joins.begin(), F.Joins.end());
    std::vector<LockAcquisition> &S = Acquires[FD];
    for (const LockAcquisition &A : F.Acquisitions)
      if (!A.Reacquired && isLockClass(A.Lock) &&
          llvm::none_of(S, [&](const LockAcquisition &X) {
            return X.Lock.Class == A.Lock.Class;
          })) {
        LockAcquisition Own;
        Own.Lock = A.Lock;
        S.push_back(std::move(Own));
      }
    std::vector<BlockingCall> &B = Blocks[FD];
    for (const BlockingCall &Call : F.Blocking) {
      // A wait on a guard the caller passed in releases the caller's lock:
      // only a wait on the function's own local guard blocks its callers.
      // A guard that adopts the caller's lock (std::adopt_lock) is the
      // caller's too.
      if (Call.Releases) {
        const auto *VD = dyn_cast<VarDecl>(Call.Releases);
        if (!VD || !VD->isLocalVarDecl() || adoptsLock(VD))
          continue;
      }
      if (llvm::none_of(B, [&](const BlockingCall &X) {
            return X.Callee == Call.Callee;
          })) {
        BlockingCall Own = Call;
        Own.Held.clear();
        Own.Releases = nullptr;
        B.push_back(std::move(Own));
      }
    }
  }
  // Propagate callee summaries to callers until nothing changes. Each step
  // only adds a class or a blocking callee, or turns ViaThis on, so this
  // terminates.
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (auto &[FD, F] : Facts)
      for (const CallSite &C : F.Calls)
        for (const CallTarget &Target : targets(C)) {
          const FunctionDecl *T = Target.Function;
          if (T == FD && !Target.ThroughThis)
            continue;
          std::vector<LockAcquisition> Callee = Acquires[T];
          for (const LockAcquisition &A : Callee) {
            if (llvm::is_contained(C.Reacquirable, A.Lock.Class))
              continue;
            LockAcquisition Up = A;
            Up.Lock.ViaThis = A.Lock.ViaThis && Target.ThroughThis;
            Up.Path.insert(Up.Path.begin(), {T, C.Loc});
            std::vector<LockAcquisition> &S = Acquires[FD];
            auto It = llvm::find_if(S, [&](const LockAcquisition &X) {
              return X.Lock.Class == A.Lock.Class;
            });
            if (It == S.end()) {
              S.push_back(std::move(Up));
              Changed = true;
            } else if (Up.Lock.ViaThis && !It->Lock.ViaThis &&
                       !It->Path.empty()) {
              *It = std::move(Up);
              Changed = true;
            }
          }
          // Joins of this object's members, through calls on `this`.
          if (Target.ThroughThis) {
            llvm::SmallVector<const FieldDecl *, 2> CalleeJoins = Joined[T];
            auto &Mine = Joined[FD];
            for (const FieldDecl *Field : CalleeJoins)
              if (!llvm::is_contained(Mine, Field)) {
                Mine.push_back(Field);
                Changed = true;
              }
          }
          std::vector<BlockingCall> CalleeBlocks = Blocks[T];
          for (const BlockingCall &B : CalleeBlocks) {
            std::vector<BlockingCall> &S = Blocks[FD];
            if (llvm::any_of(S, [&](const BlockingCall &X) {
                  return X.Callee == B.Callee;
                }))
              continue;
            BlockingCall Up = B;
            Up.Path.insert(Up.Path.begin(), {T, C.Loc});
            for (const ValueDecl *R : C.ReleasedBefore)
              if (!llvm::is_contained(Up.ReleasedBefore, R))
                Up.ReleasedBefore.push_back(R);
            S.push_back(std::move(Up));
            Changed = true;
          }
        }
  }
}

} // namespace clang::tidy::fearless
