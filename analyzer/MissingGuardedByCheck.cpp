//===--- MissingGuardedByCheck.cpp - fearless-missing-guarded-by ----------===//

#include "MissingGuardedByCheck.h"
#include "CheckRegistry.h"
#include "GuardTypes.h"
#include "LockScope.h"
#include "ThreadBoundary.h"

#include "fearless/names.h"

#include "clang-tidy/utils/LexerUtils.h"
#include "clang/AST/Attr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "model/Accesses.h"
#include "model/FactsFile.h"
#include "model/GuardChoice.h"
#include "model/UnitModel.h"
#include "model/WakeUps.h"

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

static RegisterCheck<MissingGuardedByCheck>
    Registration("fearless-missing-guarded-by");

/// One use of a field through 'this'.
struct MissingGuardedByCheck::Access {
  const MemberExpr *E = nullptr;
  const CXXMethodDecl *Method = nullptr;
  bool Write = false;
  /// False in constructors, and in a destructor once it joined the threads
  /// the object owns: nobody else can see the object there.
  bool Counted = true;
  /// Read by a condition variable's wait predicate.
  bool InPredicate = false;
  /// For such a read: the predicate it is part of (WakeUps.h).
  PredicateRoot Where;
  /// After the method's first join() call (PredicateFinder::FirstJoin).
  bool AfterJoin = false;
  /// The mutex fields of the field's class held (through 'this').
  llvm::SmallVector<const ValueDecl *, 2> Held;

  bool holds(const ValueDecl *Mutex) const {
    return llvm::is_contained(Held, Mutex);
  }
};

/// One use of a variable with static storage.
struct MissingGuardedByCheck::StaticAccess {
  const DeclRefExpr *E = nullptr;
  const FunctionDecl *Function = nullptr;
  bool Write = false;
  bool InPredicate = false;
  PredicateRoot Where;
  /// The function notifies a condition variable: it means to wake a waiter.
  bool Notifies = false;
  /// The mutexes with static storage held.
  llvm::SmallVector<const ValueDecl *, 2> Held;
};

struct MissingGuardedByCheck::ClassFacts {
  const RecordDecl *Class = nullptr;
  llvm::MapVector<const FieldDecl *, std::vector<Access>> Fields;
};

namespace {

// Fields read by a condition variable's wait predicate: a lambda given to
// a wait, or the condition of a loop whose body waits.
class PredicateFinder : public RecursiveASTVisitor<PredicateFinder> {
public:
  /// Each with the predicate it is part of.
  llvm::DenseMap<const MemberExpr *, PredicateRoot> Reads;
  /// Variables with static storage read by a wait predicate.
  llvm::DenseMap<const DeclRefExpr *, PredicateRoot> StaticReads;
  /// Whether the function notifies a condition variable.
  bool Notifies = false;
  /// The first join() call: where a destructor stops sharing the object.
  SourceLocation FirstJoin;
  const SourceManager &SM;

  explicit PredicateFinder(const SourceManager &SM) : SM(SM) {}

  bool VisitCXXMemberCallExpr(CXXMemberCallExpr *MC) {
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (MD && MD->getDeclName().isIdentifier() && MD->getName() == "join" &&
        (FirstJoin.isInvalid() ||
         SM.isBeforeInTranslationUnit(MC->getBeginLoc(), FirstJoin)))
      FirstJoin = MC->getBeginLoc();
    std::string Callee = calleeName(MC);
    if (isConditionNotify(Callee))
      Notifies = true;
    if (!isConditionWait(Callee))
      return true;
    for (const Expr *Arg : MC->arguments())
      if (const auto *L = dyn_cast<LambdaExpr>(Arg->IgnoreImplicit())) {
        // The returned value is the predicate; reads elsewhere in the
        // lambda are in it with no root.
        collect(L->getBody(), {});
        collectReturns(L->getBody());
      }
    return true;
  }
  bool VisitWhileStmt(WhileStmt *W) {
    if (containsWait(W->getBody()))
      collect(W->getCond(), {W->getCond(), /*DoneWhen=*/false});
    return true;
  }

private:
  void collect(const Stmt *S, PredicateRoot Where) {
    if (!S)
      return;
    if (const auto *ME = dyn_cast<MemberExpr>(S); ME && thisBase(ME))
      Reads[ME] = Where;
    if (const auto *E = dyn_cast<Expr>(S); E && isStaticVariable(E))
      StaticReads[cast<DeclRefExpr>(E)] = Where;
    for (const Stmt *Child : S->children())
      collect(Child, Where);
  }
  void collectReturns(const Stmt *S) {
    if (!S || isa<LambdaExpr>(S))
      return;
    if (const auto *R = dyn_cast<ReturnStmt>(S)) {
      collect(R->getRetValue(), {R->getRetValue(), /*DoneWhen=*/true});
      return;
    }
    for (const Stmt *Child : S->children())
      collectReturns(Child);
  }
  static bool containsWait(const Stmt *S) {
    if (!S || isa<LambdaExpr>(S))
      return false;
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S);
        MC && isConditionWait(calleeName(MC)))
      return true;
    for (const Stmt *Child : S->children())
      if (containsWait(Child))
        return true;
    return false;
  }
};

// Walks one member function with LockScope and records every use of a
// field of *this with the mutexes of the field's class held at it.
using StaticFacts =
    llvm::MapVector<const VarDecl *,
                    std::vector<MissingGuardedByCheck::StaticAccess>>;

class AccessCollector : public LockScopeCallbacks {
public:
  AccessCollector(const FunctionDecl *Function, bool CountAll,
                  SourceLocation CountUntil, const WriteFinder &Writes,
                  const PredicateFinder &Predicates,
                  const llvm::DenseSet<const Expr *> &BoundaryArgs,
                  llvm::MapVector<const RecordDecl *,
                                  MissingGuardedByCheck::ClassFacts> &Classes,
                  StaticFacts &Statics, const SourceManager &SM)
      : Function(Function), Method(dyn_cast<CXXMethodDecl>(Function)),
        CountAll(CountAll), CountUntil(CountUntil), Writes(Writes),
        Predicates(Predicates), BoundaryArgs(BoundaryArgs), Classes(Classes),
        Statics(Statics), SM(SM) {}

  bool wantsAccesses() const override { return true; }

  void accessStatic(const DeclRefExpr *E,
                    llvm::ArrayRef<HeldLock> Held) override {
    const auto *Var = cast<VarDecl>(E->getDecl());
    MissingGuardedByCheck::StaticAccess A;
    A.E = E;
    A.Function = Function;
    A.Write = Writes.VarWrites.contains(E);
    if (auto It = Predicates.StaticReads.find(E);
        It != Predicates.StaticReads.end()) {
      A.InPredicate = true;
      A.Where = It->second;
    }
    A.Notifies = Predicates.Notifies;
    for (const HeldLock &L : Held)
      if (L.Global && L.Class && isa<VarDecl>(L.Class))
        A.Held.push_back(L.Class);
    Statics[Var->getCanonicalDecl()].push_back(std::move(A));
  }

  void access(const MemberExpr *ME, llvm::ArrayRef<HeldLock> Held) override {
    const auto *Field = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!Method || !Field || !thisBase(ME))
      return;
    const RecordDecl *Class = Field->getParent();
    MissingGuardedByCheck::Access A;
    A.E = ME;
    A.Method = Method;
    A.Write = Writes.Writes.contains(ME);
    if (auto It = Predicates.Reads.find(ME); It != Predicates.Reads.end()) {
      A.InPredicate = true;
      A.Where = It->second;
    }
    A.AfterJoin = Predicates.FirstJoin.isValid() &&
                  SM.isBeforeInTranslationUnit(Predicates.FirstJoin,
                                               ME->getBeginLoc());
    A.Counted = (CountAll ||
                 (CountUntil.isValid() &&
                  SM.isBeforeInTranslationUnit(ME->getBeginLoc(), CountUntil))) &&
                !afterNoReturnCall(ME, Method->getASTContext());
    for (const HeldLock &L : Held) {
      if (const auto *M = dyn_cast_or_null<FieldDecl>(L.Class);
          M && L.ViaThis && M->getParent() == Class)
        A.Held.push_back(M);
      // A mutex handed in as a parameter and locked here by a guard, or a
      // global one (Infer's racerd/without_mutex.cpp): still a lock the
      // writes hold. A parameter mutex the caller already holds and the
      // function only drops and retakes (leveldb's LogAndApply(edit, mu))
      // guards whatever the caller's lock does, not this class's fields.
      else if ((isa_and_nonnull<ParmVarDecl>(L.Class) && L.Guard) ||
               (L.Global && isa_and_nonnull<VarDecl>(L.Class)))
        A.Held.push_back(L.Class);
    }
    auto &Facts = Classes[Class];
    Facts.Class = Class;
    Facts.Fields[Field].push_back(std::move(A));
  }

  bool lambdaRunsInPlace(const LambdaExpr *L, const Expr *Call) override {
    if (BoundaryArgs.contains(L))
      return false;
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call);
        Op && Op->getOperator() == OO_Call)
      return Op->getArg(0)->IgnoreImplicit() == L;
    const auto *CE = cast<CallExpr>(Call);
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD)
      return false;
    if (isConditionWait(calleeName(CE)))
      return true;
    // A function template that takes the callable by its own type
    // (std::for_each, with_lock) runs it before it returns; one that takes a
    // std::function may keep it for later.
    return FD->getPrimaryTemplate() != nullptr ||
           FD->getTemplateInstantiationPattern() != nullptr;
  }

private:
  const FunctionDecl *Function;
  const CXXMethodDecl *Method; ///< null in a free function
  bool CountAll;
  SourceLocation CountUntil;
  const WriteFinder &Writes;
  const PredicateFinder &Predicates;
  const llvm::DenseSet<const Expr *> &BoundaryArgs;
  llvm::MapVector<const RecordDecl *, MissingGuardedByCheck::ClassFacts>
      &Classes;
  StaticFacts &Statics;
  const SourceManager &SM;
};

// Functions with a body, written in the source (no instantiations: the
// pattern is walked once), lambdas excluded (walked from their function):
// member functions, and the others apart.
struct MethodCollector : RecursiveASTVisitor<MethodCollector> {
  std::vector<const CXXMethodDecl *> Methods;
  std::vector<const FunctionDecl *> FreeFunctions;
  // Declarations in system headers hold nothing this looks for; they are
  // most of a unit, so they are not searched.
  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && UnitModel::isSystem(D))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }
  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (!FD->doesThisDeclarationHaveABody() || FD->isImplicit() ||
        FD->isInvalidDecl())
      return true;
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD)) {
      if (!MD->getParent()->isLambda())
        Methods.push_back(MD);
    } else {
      FreeFunctions.push_back(FD);
    }
    return true;
  }
};

// Types that synchronise themselves or are the synchronisation: never
// proposed for a guard.
bool isSynchronisationType(QualType T) {
  while (const auto *AT = T->getAsArrayTypeUnsafe())
    T = AT->getElementType();
  if (T->isAtomicType() || isMutexType(T) || isGuardType(T))
    return true;
  return isRecordNamed(T, ::fearless::names::kThreadSafeTypes);
}

// A field whose type is thread-safe by itself (a struct of atomics) needs
// no guard; an empty class is not evidence of that (its methods may touch
// anything).
bool threadSafeData(QualType T, ASTContext &Ctx) {
  const auto *RD = T->getAsCXXRecordDecl();
  if (RD && (!RD->hasDefinition() || RD->field_empty()))
    return false;
  return UnitModel::types(Ctx).get(T, Property::ThreadSafe).Holds;
}

bool ownsThreads(const RecordDecl *RD) {
  for (const FieldDecl *F : RD->fields()) {
    std::string T = F->getType().getCanonicalType().getAsString();
    if (llvm::StringRef(T).contains("std::thread") ||
        llvm::StringRef(T).contains("std::jthread") ||
        llvm::StringRef(T).contains("fearless::JoinHandle"))
      return true;
  }
  return false;
}

std::string name(const NamedDecl *D) { return D->getNameAsString(); }

// The locks held at every call of each helper -- a private or protected
// method -- when every call is made on the object itself (`helper()`,
// `this->helper()`): the helper runs with them held (spdlog's
// registry::register_logger_, called only under logger_map_mutex_;
// cpp-httplib's protected ClientImpl::close_socket, called only under
// socket_mutex_). A virtual call runs whichever override the object has,
// so it counts for every override of the method in the translation unit;
// an override that is public counts as unknown. What each caller's walk saw
// is kept per caller, so that a caller walked again -- a helper whose own
// callers turned out to hold a lock -- replaces its calls: register_logger_
// calls throw_if_exists_, which then runs under that lock too.
class HelperCalls : public LockScopeCallbacks {
public:
  /// \p Methods: the methods of the unit, whose overrides a virtual call
  /// may run.
  HelperCalls(llvm::ArrayRef<const CXXMethodDecl *> Methods,
              const SourceManager &SM)
      : SM(SM) {
    for (const CXXMethodDecl *MD : Methods)
      addOverrider(MD->getCanonicalDecl(), MD->getCanonicalDecl());
  }

  /// The calls the next walk reports are \p Caller's (replacing earlier).
  void setCaller(const CXXMethodDecl *Caller) {
    Current = &Calls[Caller];
    Current->clear();
  }

  void call(const Expr *Call, llvm::ArrayRef<HeldLock> Held) override {
    const auto *MC = dyn_cast<CXXMemberCallExpr>(Call);
    const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
    if (!MD || !Current)
      return;
    MD = MD->getCanonicalDecl(); // the declaration in the class: its access
    if (!everyCallerVisible(MD))
      return;
    const Expr *Obj = MC->getImplicitObjectArgument();
    Observed O{MD, Obj && isa<CXXThisExpr>(Obj->IgnoreParenImpCasts()), {}};
    for (const HeldLock &L : Held)
      if (L.Class && L.ViaThis)
        O.Held.push_back(L);
    const auto *ME = dyn_cast<MemberExpr>(MC->getCallee()->IgnoreParens());
    if (MD->isVirtual() && !(ME && ME->hasQualifier())) // Base::f() is not
      for (const CXXMethodDecl *Override : Overriders.lookup(MD))
        if (Override != MD) {
          Observed Copy = O;
          Copy.Callee = Override;
          Current->push_back(std::move(Copy));
        }
    Current->push_back(std::move(O));
  }

  /// Recomputes, from every caller's calls, the locks held at all calls of
  /// each helper.
  void settle() {
    Held_.clear();
    Excluded.clear();
    for (const auto &[Caller, List] : Calls)
      for (const Observed &O : List) {
        auto [It, New] = Held_.try_emplace(O.Callee);
        std::vector<HeldLock> &Common = It->second;
        if (!O.OnThis) {
          Common.clear();
          Excluded.insert(O.Callee);
        } else if (New) {
          Common = O.Held;
        } else {
          llvm::erase_if(Common, [&](const HeldLock &C) {
            return llvm::none_of(
                O.Held, [&](const HeldLock &L) { return L.Class == C.Class; });
          });
        }
      }
  }

  /// The locks every caller of \p MD holds (empty if none or unknown), as
  /// of the last settle().
  llvm::ArrayRef<HeldLock> heldAtCalls(const CXXMethodDecl *MD) const {
    MD = MD->getCanonicalDecl(); // the declaration in the class: its access
    if (!everyCallerVisible(MD))
      return {};
    auto It = Held_.find(MD);
    if (It == Held_.end() || Excluded.contains(It->first))
      return {};
    return It->second;
  }

  /// Every helper called in the unit, as of the last settle(), in the
  /// order of their declarations.
  std::vector<const CXXMethodDecl *> called(const SourceManager &SM) const {
    std::vector<const CXXMethodDecl *> Out;
    for (const auto &[MD, Locks] : Held_)
      Out.push_back(MD);
    llvm::sort(Out, [&](const CXXMethodDecl *A, const CXXMethodDecl *B) {
      return SM.isBeforeInTranslationUnit(A->getLocation(), B->getLocation());
    });
    return Out;
  }

private:
  /// Whether every call of \p MD is in this unit: it is not public, or its
  /// class is defined in the main file (rocksdb's ThreadPoolImpl::Impl, a
  /// struct of the .cc: no other unit has its definition to call it) and
  /// it is not virtual (a call through a base class may come from anywhere).
  bool everyCallerVisible(const CXXMethodDecl *MD) const {
    if (MD->getAccess() != AS_public)
      return true;
    const CXXRecordDecl *Class = MD->getParent()->getDefinition();
    return Class && !MD->isVirtual() &&
           SM.isInMainFile(SM.getExpansionLoc(Class->getLocation()));
  }

  // Records \p Override under \p MD and under every method MD overrides.
  void addOverrider(const CXXMethodDecl *MD, const CXXMethodDecl *Override) {
    Overriders[MD].insert(Override);
    for (const CXXMethodDecl *Base : MD->overridden_methods())
      addOverrider(Base->getCanonicalDecl(), Override);
  }

  struct Observed {
    const CXXMethodDecl *Callee;
    bool OnThis; ///< called on *this
    std::vector<HeldLock> Held;
  };
  llvm::MapVector<const CXXMethodDecl *, std::vector<Observed>> Calls;
  std::vector<Observed> *Current = nullptr;
  llvm::DenseMap<const CXXMethodDecl *, std::vector<HeldLock>> Held_;
  llvm::SmallPtrSet<const CXXMethodDecl *, 8> Excluded;
  const SourceManager &SM;
  /// The methods of the unit that override each method (itself included).
  llvm::DenseMap<const CXXMethodDecl *,
                 llvm::SmallSetVector<const CXXMethodDecl *, 2>>
      Overriders;
};

} // namespace

MissingGuardedByCheck::MissingGuardedByCheck(StringRef Name,
                                             ClangTidyContext *Context)
    : FearlessCheck(Name, Context, {"SpawnFunctions"}),
      Inserter(utils::IncludeSorter::IS_LLVM, /*SelfContainedDiags=*/false) {}

void MissingGuardedByCheck::registerPPCallbacks(
    const SourceManager &SM, Preprocessor *PP, Preprocessor *ModuleExpanderPP) {
  this->PP = PP;
  Inserter.registerPreprocessor(PP);
}

void MissingGuardedByCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(translationUnitDecl().bind("tu"), this);
}

void MissingGuardedByCheck::check(const MatchFinder::MatchResult &Result) {
  Ctx = Result.Context;
}

void MissingGuardedByCheck::onEndOfTranslationUnit() {
  if (!Ctx)
    return;
  GuardFactsDir.clear();
  if (std::optional<std::string> Dir =
          llvm::sys::Process::GetEnv("FEARLESS_LOCK_ORDER_FACTS");
      Dir && !Dir->empty())
    GuardFactsDir = *Dir + "/guards";
  for (const ThreadBoundary &B : boundaries(*Ctx))
    for (const Expr *Arg : B.Crossing)
      BoundaryArgs.insert(Arg->IgnoreUnlessSpelledInSource());
  const SourceManager &SM = Ctx->getSourceManager();
  MethodCollector Collector;
  Collector.TraverseAST(*Ctx);

  auto Initial = [](const CXXMethodDecl *MD) {
    // FEARLESS_REQUIRES(mu_): held on entry.
    llvm::SmallVector<HeldLock, 2> Locks;
    for (const auto *A : MD->specific_attrs<RequiresCapabilityAttr>())
      for (const Expr *Arg : A->args())
        Locks.push_back(makeHeldLock(Arg, A->getLocation()));
    return Locks;
  };
  auto Analysed = [&](const CXXMethodDecl *MD) {
    return !SM.isInSystemHeader(MD->getLocation()) && MD->getBody();
  };
  // Helpers called only under a lock run with it held, and so do the
  // helpers they call: the methods whose inferred locks grew are walked
  // again, until none grows (the sets only grow; a chain of helpers is a
  // few deep, and the rounds are capped).
  HelperCalls Helpers(Collector.Methods, SM);
  auto Entry = [&](const CXXMethodDecl *MD) {
    llvm::SmallVector<HeldLock, 2> Locks = Initial(MD);
    // A lock both required and held by every caller is held once: a
    // helper that drops it (leveldb's DoCompactionWork: `mutex_.Unlock()`)
    // does not hold it still.
    for (const HeldLock &L : Helpers.heldAtCalls(MD))
      if (llvm::none_of(Locks,
                        [&](const HeldLock &I) { return I.Class == L.Class; }))
        Locks.push_back(L);
    return Locks;
  };
  std::vector<const CXXMethodDecl *> Walk;
  for (const CXXMethodDecl *MD : Collector.Methods)
    if (Analysed(MD))
      Walk.push_back(MD);
  const std::vector<const CXXMethodDecl *> All = Walk;
  for (int Round = 0; Round < 8 && !Walk.empty(); ++Round) {
    llvm::DenseMap<const CXXMethodDecl *, std::size_t> Before;
    for (const CXXMethodDecl *MD : All)
      Before[MD] = Helpers.heldAtCalls(MD).size();
    for (const CXXMethodDecl *MD : Walk) {
      Helpers.setCaller(MD);
      walkLockScopes(MD->getBody(), Helpers, Entry(MD));
    }
    Helpers.settle();
    Walk.clear();
    for (const CXXMethodDecl *MD : All)
      if (Helpers.heldAtCalls(MD).size() != Before[MD])
        Walk.push_back(MD);
  }

  llvm::MapVector<const RecordDecl *, ClassFacts> Classes;
  StaticFacts Statics;
  bool StaticPredicates = false; // a wait predicate reads a static variable
  for (const CXXMethodDecl *MD : Collector.Methods) {
    if (!Analysed(MD))
      continue;
    const Stmt *Body = MD->getBody();
    WriteFinder Writes;
    Writes.TraverseStmt(const_cast<Stmt *>(Body));
    PredicateFinder Predicates(SM);
    Predicates.TraverseStmt(const_cast<Stmt *>(Body));
    StaticPredicates |= !Predicates.StaticReads.empty();
    // Nobody else sees the object while it is constructed, nor once its
    // destructor joined the threads it owns (a destructor of an object that
    // owns none is as private as a constructor).
    bool CountAll = true;
    SourceLocation CountUntil;
    if (isa<CXXConstructorDecl>(MD)) {
      CountAll = false;
    } else if (isa<CXXDestructorDecl>(MD)) {
      bool Owns = ownsThreads(MD->getParent());
      CountAll = Owns && Predicates.FirstJoin.isInvalid();
      if (Owns)
        CountUntil = Predicates.FirstJoin;
    }
    AccessCollector C(MD, CountAll, CountUntil, Writes, Predicates,
                      BoundaryArgs, Classes, Statics, SM);
    walkLockScopes(Body, C, Entry(MD));
  }
  // Free functions: their uses of variables with static storage only,
  // which matter only if some wait predicate of the unit reads one: the
  // lock walk of every free function is not paid otherwise.
  auto InSource = [&](const FunctionDecl *FD) {
    return !SM.isInSystemHeader(FD->getLocation());
  };
  for (const FunctionDecl *FD : Collector.FreeFunctions) {
    if (StaticPredicates)
      break;
    PredicateFinder Predicates(SM);
    if (InSource(FD))
      Predicates.TraverseStmt(FD->getBody());
    StaticPredicates = !Predicates.StaticReads.empty();
  }
  for (const FunctionDecl *FD : Collector.FreeFunctions) {
    if (!StaticPredicates || !InSource(FD))
      continue;
    WriteFinder Writes;
    Writes.TraverseStmt(FD->getBody());
    PredicateFinder Predicates(SM);
    Predicates.TraverseStmt(FD->getBody());
    AccessCollector C(FD, true, SourceLocation(), Writes, Predicates,
                      BoundaryArgs, Classes, Statics, SM);
    walkLockScopes(FD->getBody(), C, {});
  }
  for (auto &[Class, Facts] : Classes)
    analyseClass(Facts);
  if (StaticPredicates)
    for (auto &[Var, Accesses] : Statics)
      analyseStatic(Var, Accesses);

  if (!GuardFactsDir.empty()) {
    for (const CXXMethodDecl *MD : Helpers.called(SM))
      recordHelper(MD, Helpers.heldAtCalls(MD));
    std::string Unit = unitPath(SM);
    std::string Error;
    if (std::error_code EC = llvm::sys::fs::create_directories(GuardFactsDir))
      Error = "cannot write facts to '" + GuardFactsDir + "': " + EC.message();
    else
      Error = writeUnitFacts(
          GuardFactsDir, Unit,
          llvm::json::Object{{"version", 1},
                             {"unit", Unit},
                             {"fields", std::move(GuardFields)},
                             {"helpers", std::move(GuardHelpers)}});
    if (!Error.empty())
      configurationDiag("%0") << Error;
  }
  GuardFields.clear();
  GuardHelpers.clear();
  IncludeFixes.clear();
  IncludeOffered.clear();
  Ctx = nullptr;
  BoundaryArgs.clear();
}

// Whether the write \p Write can release a waiter of some wait predicate
// among \p Accesses (WakeUps.h): a write that cannot is no lost wake-up.
template <class AccessT>
static bool canReleaseAWaiter(const Expr *Write,
                              const std::vector<AccessT> &Accesses,
                              ASTContext &Ctx) {
  for (const AccessT &R : Accesses)
    if (R.InPredicate && !R.Write &&
        !writeCannotWake(Write, R.E, R.Where, Ctx))
      return true;
  return false;
}

void MissingGuardedByCheck::analyseStatic(
    const VarDecl *Var, const std::vector<StaticAccess> &Accesses) {
  const SourceManager &SM = Ctx->getSourceManager();
  if (SM.isInSystemHeader(Var->getLocation()) ||
      Var->hasAttr<GuardedByAttr>() || Var->hasAttr<PtGuardedByAttr>())
    return;
  // As for fields: written without the mutex a wait predicate reads it
  // under, by a function that then notifies (one that does not means to
  // wake anybody: an initialisation before the threads start, say).
  for (const StaticAccess &Read : Accesses) {
    if (!Read.InPredicate || Read.Write || Read.Held.empty())
      continue;
    const ValueDecl *Mutex = Read.Held.front();
    for (const StaticAccess &W : Accesses) {
      if (!W.Write || W.InPredicate || !W.Notifies ||
          llvm::is_contained(W.Held, Mutex) ||
          !canReleaseAWaiter(W.E, Accesses, *Ctx))
        continue;
      diag(W.E->getLocation(),
           "'%0' is written without holding '%1', but the wait predicate "
           "in '%2' reads it under '%1': a waiter can check it just before "
           "this write and then sleep through the notification (lost "
           "wake-up)")
          << name(Var) << name(Mutex) << plainQualifiedName(Read.Function);
      diag(Read.E->getLocation(),
           "the wait predicate reads '%0' here with '%1' held",
           DiagnosticIDs::Note)
          << name(Var) << name(Mutex);
    }
    return;
  }
}

// An unlocked write a waiter cannot miss: the writer takes the mutex after
// it (before notifying: a waiter that read the old value holds the mutex
// until it sleeps), or writes after joining threads (the waiters are gone).
bool MissingGuardedByCheck::wakeUpCannotBeLost(const Access &W,
                                               const ValueDecl *Mutex) const {
  const SourceManager &SM = Ctx->getSourceManager();
  SourceLocation At = W.E->getBeginLoc();
  const UnitModel &Model = UnitModel::get(*Ctx);
  auto It = Model.functions().find(W.Method->getCanonicalDecl());
  if (It != Model.functions().end())
    for (const LockAcquisition &A : It->second.Acquisitions)
      if (A.Path.empty() && A.Lock.Class == Mutex &&
          SM.isBeforeInTranslationUnit(At, A.Lock.Loc))
        return true;
  return W.AfterJoin;
}

void MissingGuardedByCheck::analyseClass(const ClassFacts &Facts) {
  const SourceManager &SM = Ctx->getSourceManager();
  if (SM.isInSystemHeader(Facts.Class->getLocation()))
    return;
  llvm::SmallVector<const ValueDecl *, 2> Mutexes;
  for (const FieldDecl *F : Facts.Class->fields())
    if (isMutexType(F->getType()))
      Mutexes.push_back(F);
  for (const auto &[Field, Accesses] : Facts.Fields)
    for (const Access &A : Accesses)
      for (const ValueDecl *M : A.Held)
        if (!isa<FieldDecl>(M) && !llvm::is_contained(Mutexes, M))
          Mutexes.push_back(M);
  if (Mutexes.empty())
    return;

  for (const auto &[Field, Accesses] : Facts.Fields) {
    if (Field->hasAttr<GuardedByAttr>() || Field->hasAttr<PtGuardedByAttr>())
      continue; // fearless-guarded-by checks it
    QualType T = Field->getType();

    // Lost wake-up: written without the mutex a wait predicate reads it
    // under. Atomic or not: the waiter may check the predicate, miss the
    // write and the notification that follows it, and then wait.
    for (const Access &Read : Accesses) {
      if (!Read.InPredicate || Read.Write || Read.Held.empty())
        continue;
      const ValueDecl *Mutex = Read.Held.front();
      for (const Access &W : Accesses) {
        if (!W.Write || !W.Counted || W.InPredicate || W.holds(Mutex) ||
            wakeUpCannotBeLost(W, Mutex) ||
            !canReleaseAWaiter(W.E, Accesses, *Ctx))
          continue;
        diag(W.E->getMemberLoc(),
             "'%0' is written without holding '%1', but the wait predicate "
             "in '%2' reads it under '%1': a waiter can check it just before "
             "this write and then sleep through the notification (lost "
             "wake-up)")
            << name(Field) << name(Mutex) << plainQualifiedName(Read.Method);
        diag(Read.E->getMemberLoc(),
             "the wait predicate reads '%0' here with '%1' held",
             DiagnosticIDs::Note)
            << name(Field) << name(Mutex);
      }
      break;
    }

    if (T.isConstQualified() || T->isReferenceType() ||
        isSynchronisationType(T) || threadSafeData(T, *Ctx))
      continue;
    // Only where the attribute can be written right after the name.
    bool Fixable = Field->getLocation().isFileID() && !Field->isBitField() &&
                   !T->isArrayType();
    if (!GuardFactsDir.empty())
      recordField(Field, Mutexes, Accesses, Fixable);

    // The guard: GuardChoice.h's rule over the accesses that count.
    std::vector<::fearless::GuardVotes> Votes(Mutexes.size());
    unsigned Total = 0;
    for (const Access &A : Accesses) {
      Total += A.Write && A.Counted;
      for (size_t I = 0; I < Mutexes.size(); ++I)
        if (A.Counted && A.holds(Mutexes[I])) {
          Votes[I].Writes += A.Write;
          ++Votes[I].All;
        }
    }
    int Pick = ::fearless::chooseGuard(Votes);
    if (Pick < 0)
      continue;
    const ValueDecl *Best = Mutexes[Pick];
    unsigned BestGuarded = Votes[Pick].Writes;
    std::vector<const Access *> Unguarded;
    for (const Access &A : Accesses)
      if (A.Counted && !A.holds(Best))
        Unguarded.push_back(&A);
    if (Unguarded.empty())
      continue;
    llvm::sort(Unguarded, [&](const Access *A, const Access *B) {
      return SM.isBeforeInTranslationUnit(A->E->getBeginLoc(),
                                          B->E->getBeginLoc());
    });
    llvm::SmallPtrSet<const CXXMethodDecl *, 4> Functions;
    for (const Access *A : Unguarded)
      Functions.insert(A->Method);
    const Access &First = *Unguarded.front();
    std::string Others;
    if (Functions.size() > 1)
      Others = " and " + std::to_string(Functions.size() - 1) + " other " +
               (Functions.size() == 2 ? "function" : "functions");
    {
      DiagnosticBuilder DB =
          diag(Field->getLocation(),
               "'%0' is written with '%1' held in %2 of %3 places; %4 "
               "without it in '%5'%6")
          << name(Field) << name(Best) << BestGuarded << Total
          << (First.Write ? "written" : "read")
          << plainQualifiedName(First.Method) << Others;
      SourceLocation Loc = Field->getLocation();
      // A parameter's mutex has no name the field could be guarded by.
      if (Fixable && !isa<ParmVarDecl>(Best)) {
        DB << FixItHint::CreateInsertion(
            Lexer::getLocForEndOfToken(Loc, 0, SM, Ctx->getLangOpts()),
            " FEARLESS_GUARDED_BY(" + name(Best) + ")");
        // The include goes with the first fix-it of its file only.
        if (PP && !PP->isMacroDefined("FEARLESS_GUARDED_BY") &&
            IncludeOffered.insert(SM.getFileID(Loc)).second)
          if (const std::optional<FixItHint> &Include =
                  includeFix(SM.getFileID(Loc)))
            DB << *Include;
      }
    }
    for (const Access &A : Accesses)
      if (A.Write && A.Counted && A.holds(Best)) {
        diag(A.E->getMemberLoc(), "'%0' is written here with '%1' held",
             DiagnosticIDs::Note)
            << name(Field) << name(Best);
        break;
      }
    for (const Access *A : Unguarded)
      diag(A->E->getMemberLoc(), "'%0' is %1 here without '%2'",
           DiagnosticIDs::Note)
          << name(Field) << (A->Write ? "written" : "read") << name(Best);
  }
}

const std::optional<FixItHint> &MissingGuardedByCheck::includeFix(FileID File) {
  auto [It, New] = IncludeFixes.try_emplace(File);
  if (New)
    It->second =
        Inserter.createIncludeInsertion(File, "fearless/thread_safety.h");
  return It->second;
}

std::optional<llvm::json::Object>
MissingGuardedByCheck::insertionAt(SourceLocation At, StringRef After) {
  const SourceManager &SM = Ctx->getSourceManager();
  if (At.isInvalid() || At.isMacroID())
    return std::nullopt;
  auto [File, Offset] = SM.getDecomposedLoc(At);
  OptionalFileEntryRef Entry = SM.getFileEntryRefForID(File);
  if (!Entry || Offset < After.size())
    return std::nullopt;
  llvm::SmallString<256> Path(Entry->getName());
  SM.getFileManager().makeAbsolutePath(Path);
  llvm::sys::path::remove_dots(Path, true);
  return llvm::json::Object{
      {"file", Path.str().str()},
      {"offset", Offset},
      {"after", After.str()},
      {"size", Entry->getSize()},
      {"mtime", static_cast<int64_t>(Entry->getModificationTime())}};
}

std::optional<llvm::json::Object>
MissingGuardedByCheck::includeFor(SourceLocation At) {
  if (!PP)
    return std::nullopt;
  const IdentifierInfo *Macro = PP->getIdentifierInfo("FEARLESS_GUARDED_BY");
  if (PP->getMacroDefinitionAtLoc(Macro, At))
    return std::nullopt;
  const SourceManager &SM = Ctx->getSourceManager();
  const std::optional<FixItHint> &Fix = includeFix(SM.getFileID(At));
  if (!Fix)
    return std::nullopt;
  std::optional<llvm::json::Object> Where =
      insertionAt(Fix->RemoveRange.getBegin(), "");
  if (Where)
    (*Where)["text"] = Fix->CodeToInsert;
  return Where;
}

std::optional<llvm::json::Object>
MissingGuardedByCheck::requiresInsertion(const CXXMethodDecl *MD) {
  const SourceManager &SM = Ctx->getSourceManager();
  const LangOptions &LO = Ctx->getLangOpts();
  // After a trailing return type the attribute would apply to the type.
  const auto *Proto = MD->getType()->getAs<FunctionProtoType>();
  if (!Proto || Proto->hasTrailingReturn() || MD->getBeginLoc().isMacroID())
    return std::nullopt;
  // Right before the body's '{' (or `try`), or the declaration's ';'.
  SourceLocation Terminator =
      MD->doesThisDeclarationHaveABody()
          ? MD->getBody()->getBeginLoc()
          : utils::lexer::findNextTerminator(
                SM.getExpansionRange(MD->getEndLoc()).getEnd(), SM, LO);
  if (Terminator.isInvalid() || Terminator.isMacroID())
    return std::nullopt;
  Token Before = utils::lexer::getPreviousToken(Terminator, SM, LO);
  if (Before.is(tok::unknown) || Before.getLocation().isMacroID())
    return std::nullopt;
  std::optional<llvm::json::Object> Where =
      insertionAt(Lexer::getLocForEndOfToken(Before.getLocation(), 0, SM, LO),
                  Lexer::getSpelling(Before, SM, LO));
  if (Where)
    if (std::optional<llvm::json::Object> Include =
            includeFor(Before.getLocation()))
      (*Where)["include"] = std::move(*Include);
  return Where;
}

void MissingGuardedByCheck::recordField(
    const FieldDecl *Field, llvm::ArrayRef<const ValueDecl *> Mutexes,
    const std::vector<Access> &Accesses, bool Fixable) {
  const UnitModel &Model = UnitModel::get(*Ctx);
  llvm::json::Array Candidates, Uses;
  for (const ValueDecl *M : Mutexes)
    Candidates.push_back(llvm::json::Object{
        {"usr", usrOf(M)},
        {"name", name(M)},
        // A parameter's mutex has no name the field could be guarded by.
        {"nameable", !isa<ParmVarDecl>(M)}});
  for (const Access &A : Accesses) {
    if (!A.Counted)
      continue;
    llvm::json::Array Held;
    for (size_t I = 0; I < Mutexes.size(); ++I)
      if (A.holds(Mutexes[I]))
        Held.push_back(static_cast<int64_t>(I));
    Uses.push_back(
        llvm::json::Object{{"at", Model.location(A.E->getMemberLoc())},
                           {"write", A.Write},
                           {"function", plainQualifiedName(A.Method)},
                           {"in", usrOf(A.Method->getCanonicalDecl())},
                           {"held", std::move(Held)}});
  }
  llvm::json::Object O{{"usr", usrOf(Field)},
                       {"name", plainQualifiedName(Field)},
                       {"at", Model.location(Field->getLocation())},
                       {"mutexes", std::move(Candidates)},
                       {"accesses", std::move(Uses)}};
  if (Fixable) {
    const SourceManager &SM = Ctx->getSourceManager();
    SourceLocation End = Lexer::getLocForEndOfToken(Field->getLocation(), 0, SM,
                                                    Ctx->getLangOpts());
    if (std::optional<llvm::json::Object> Where =
            insertionAt(End, Field->getName())) {
      if (std::optional<llvm::json::Object> Include =
              includeFor(Field->getLocation()))
        (*Where)["include"] = std::move(*Include);
      O["insert"] = std::move(*Where);
    }
  }
  GuardFields.push_back(std::move(O));
}

void MissingGuardedByCheck::recordHelper(const CXXMethodDecl *MD,
                                         llvm::ArrayRef<HeldLock> Held) {
  const SourceManager &SM = Ctx->getSourceManager();
  if (SM.isInSystemHeader(MD->getLocation()) ||
      isa<CXXConstructorDecl, CXXDestructorDecl>(MD) || MD->isPureVirtual() ||
      MD->isDefaulted() || MD->isDeleted() ||
      llvm::any_of(MD->redecls(), [](const FunctionDecl *D) {
        return D->hasAttr<RequiresCapabilityAttr>();
      }))
    return;
  // The locks it can name: mutex members of its own class held through
  // `this` at every call.
  llvm::json::Array Requires;
  for (const HeldLock &L : Held) {
    const auto *Mutex = dyn_cast_or_null<FieldDecl>(L.Class);
    if (L.ViaThis && Mutex && Mutex->getParent() == MD->getParent())
      Requires.push_back(
          llvm::json::Object{{"usr", usrOf(Mutex)}, {"name", name(Mutex)}});
  }
  // What it acquires itself (with it held on entry, a self-deadlock).
  llvm::json::Array Acquires;
  const UnitModel &Model = UnitModel::get(*Ctx);
  if (auto It = Model.functions().find(MD); It != Model.functions().end())
    for (const LockAcquisition &A : It->second.Acquisitions)
      if (A.Lock.Class)
        Acquires.push_back(usrOf(A.Lock.Class));
  llvm::json::Object O{{"usr", usrOf(MD)},
                       {"name", plainQualifiedName(MD)},
                       {"at", Model.location(MD->getLocation())},
                       {"requires", std::move(Requires)},
                       {"acquires", std::move(Acquires)}};
  if (std::optional<llvm::json::Object> Where = requiresInsertion(MD))
    O["insert"] = std::move(*Where);
  GuardHelpers.push_back(std::move(O));
}

} // namespace clang::tidy::fearless
