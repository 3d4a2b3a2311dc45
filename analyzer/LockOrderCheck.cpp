//===--- LockOrderCheck.cpp - fearless-lock-order -------------------------===//

#include "LockOrderCheck.h"
#include "CheckRegistry.h"

#include "clang/AST/Attr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

static RegisterCheck<LockOrderCheck> Registration("fearless-lock-order");

namespace {

// Fields and globals are lock classes; a local or a parameter names a
// different mutex on every call and orders nothing.
bool isLockClass(const HeldLock &L) {
  if (!L.Class)
    return false;
  if (isa<FieldDecl>(L.Class))
    return true;
  const auto *VD = dyn_cast<VarDecl>(L.Class);
  return VD && VD->hasGlobalStorage();
}

bool isRecursive(const ValueDecl *Class) {
  QualType T = Class->getType().getNonReferenceType();
  const auto *RD = T->getAsCXXRecordDecl();
  if (!RD)
    return false;
  std::string Name = plainQualifiedName(RD);
  return Name == "std::recursive_mutex" || Name == "std::recursive_timed_mutex";
}

std::string functionName(const FunctionDecl *FD) {
  return FD ? plainQualifiedName(FD) : std::string();
}

// Whether a definitely-same instance is locked again (not another object's
// member of the same class, which a lock order does not forbid).
bool sameInstance(const HeldLock &H, bool Global, bool ViaThis) {
  return H.Global ? Global : (H.ViaThis && ViaThis);
}

// A release of a lock: `m.unlock()`, `m.Unlock()` or a method annotated as
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

// Where each lock class is released in S.
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

class Collector : public LockScopeCallbacks {
public:
  Collector(LockOrderCheck &Check, const FunctionDecl *FD,
            llvm::ArrayRef<HeldLock> Initial, const SourceManager &SM)
      : Check(Check), FD(FD), SM(SM) {
    for (const HeldLock &L : Initial)
      if (L.Class)
        OnEntry.insert(L.Class);
    collectReleases(FD->getBody(), Releases);
  }
  void acquired(const HeldLock &New, llvm::ArrayRef<HeldLock> Held) override {
    Check.recordAcquisition(FD, New, Held, reacquired(New));
  }
  void call(const Expr *Call, llvm::ArrayRef<HeldLock> Held) override {
    llvm::SmallVector<const ValueDecl *, 2> Reacquirable(OnEntry.begin(),
                                                        OnEntry.end());
    for (const auto &[Class, Locs] : Releases)
      if (!OnEntry.contains(Class) && releasedBefore(Class, Call->getExprLoc()))
        Reacquirable.push_back(Class);
    Check.recordCall(FD, Call, Held, Reacquirable);
  }

private:
  bool reacquired(const HeldLock &New) const {
    if (!New.Class)
      return false;
    return OnEntry.contains(New.Class) || releasedBefore(New.Class, New.Loc);
  }

  bool releasedBefore(const ValueDecl *Class, SourceLocation Loc) const {
    auto It = Releases.find(Class);
    return It != Releases.end() &&
           llvm::any_of(It->second, [&](SourceLocation R) {
             return SM.isBeforeInTranslationUnit(R, Loc);
           });
  }

  LockOrderCheck &Check;
  const FunctionDecl *FD;
  const SourceManager &SM;
  llvm::SmallPtrSet<const ValueDecl *, 4> OnEntry;
  llvm::DenseMap<const ValueDecl *, llvm::SmallVector<SourceLocation, 2>>
      Releases;
};

} // namespace

LockOrderCheck::LockOrderCheck(StringRef Name, ClangTidyContext *Context)
    : FearlessCheck(Name, Context, {"FactsDirectory"}),
      FactsDirectory(Options.get("FactsDirectory", "")) {}

void LockOrderCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "FactsDirectory", FactsDirectory);
}

void LockOrderCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(
      functionDecl(isDefinition(), hasBody(stmt()), unless(isImplicit()))
          .bind("fn"),
      this);
}

void LockOrderCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *FD = Result.Nodes.getNodeAs<FunctionDecl>("fn");
  SM = Result.SourceManager;
  if (!FD || FD->isDependentContext() || FD->isInvalidDecl() ||
      SM->isInSystemHeader(FD->getLocation()))
    return;
  const auto *MD = dyn_cast<CXXMethodDecl>(FD);
  if (MD && MD->getParent()->isLambda())
    return; // walked (with no lock held) from the function that writes it
  const FunctionDecl *Key = FD->getCanonicalDecl();
  if (MD) {
    // Overrides visible in this unit are what a virtual call may reach.
    llvm::SmallVector<const CXXMethodDecl *, 4> Work(
        MD->overridden_methods().begin(), MD->overridden_methods().end());
    while (!Work.empty()) {
      const CXXMethodDecl *Base = Work.pop_back_val();
      Overriders[Base->getCanonicalDecl()].push_back(cast<CXXMethodDecl>(Key));
      Work.append(Base->overridden_methods().begin(),
                  Base->overridden_methods().end());
    }
  }
  Facts[Key]; // a function with no locks still has a (empty) summary
  // FEARLESS_REQUIRES(mu): held on entry.
  llvm::SmallVector<HeldLock, 2> Initial;
  for (const auto *A : FD->specific_attrs<RequiresCapabilityAttr>())
    for (const Expr *Arg : A->args())
      Initial.push_back(makeHeldLock(Arg, A->getLocation()));
  Collector C(*this, Key, Initial, *SM);
  walkLockScopes(FD->getBody(), C, Initial);
}

void LockOrderCheck::recordAcquisition(const FunctionDecl *FD,
                                       const HeldLock &New,
                                       llvm::ArrayRef<HeldLock> Held,
                                       bool Reacquired) {
  if (!isLockClass(New))
    return;
  Acquisition A{New.Class, New.Name, New.Loc, New.Global, New.ViaThis, {}};
  if (!Reacquired)
    Facts[FD].Direct.push_back(A);
  for (const HeldLock &H : Held) {
    if (!isLockClass(H))
      continue;
    if (H.Class == New.Class) {
      if (sameInstance(H, New.Global, New.ViaThis) && !isRecursive(H.Class)) {
        diag(New.Loc, "'%0' acquired while it is already held: self-deadlock")
            << New.Name;
        diag(H.Loc, "'%0' acquired here", DiagnosticIDs::Note) << H.Name;
      }
      continue;
    }
    addEdge(H, A, New.Loc, FD, "");
  }
}

void LockOrderCheck::recordCall(
    const FunctionDecl *FD, const Expr *Call, llvm::ArrayRef<HeldLock> Held,
    llvm::ArrayRef<const ValueDecl *> Reacquirable) {
  const FunctionDecl *Callee = nullptr;
  bool Virtual = false, ThroughThis = false;
  if (const auto *CE = dyn_cast<CallExpr>(Call)) {
    Callee = CE->getDirectCallee();
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(CE)) {
      const Expr *Obj = MC->getImplicitObjectArgument();
      ThroughThis = Obj && isa<CXXThisExpr>(Obj->IgnoreParenImpCasts());
      const auto *ME = dyn_cast<MemberExpr>(MC->getCallee()->IgnoreParens());
      if (const auto *MD = MC->getMethodDecl())
        Virtual = MD->isVirtual() && !(ME && ME->hasQualifier());
    }
  } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(Call)) {
    Callee = Construct->getConstructor();
  }
  if (!Callee || (SM && SM->isInSystemHeader(Callee->getLocation())))
    return;
  std::vector<HeldLock> H;
  for (const HeldLock &L : Held)
    if (isLockClass(L))
      H.push_back(L);
  Facts[FD].Calls.push_back(
      {Callee->getCanonicalDecl(), Virtual, ThroughThis, Call->getExprLoc(),
       std::move(H), {Reacquirable.begin(), Reacquirable.end()}});
}

std::vector<const FunctionDecl *>
LockOrderCheck::targets(const CallSite &C) const {
  std::vector<const FunctionDecl *> T{C.Callee};
  if (C.Virtual)
    if (auto It = Overriders.find(cast<CXXMethodDecl>(C.Callee));
        It != Overriders.end())
      T.insert(T.end(), It->second.begin(), It->second.end());
  return T;
}

void LockOrderCheck::computeSummaries() {
  // Functions without a body here: what FEARLESS_ACQUIRE says they take.
  for (auto &[FD, F] : Facts)
    for (const CallSite &C : F.Calls)
      for (const FunctionDecl *T : targets(C)) {
        if (Facts.count(T) || Summaries.count(T))
          continue;
        std::vector<Acquisition> &S = Summaries[T];
        for (const FunctionDecl *Redecl : T->redecls())
          for (const auto *A : Redecl->specific_attrs<AcquireCapabilityAttr>())
            for (const Expr *Arg : A->args()) {
              HeldLock L = makeHeldLock(Arg, A->getLocation());
              if (isLockClass(L))
                S.push_back({L.Class, L.Name, L.Loc, L.Global, L.ViaThis, {}});
            }
      }
  for (auto &[FD, F] : Facts) {
    std::vector<Acquisition> &S = Summaries[FD];
    for (const Acquisition &A : F.Direct)
      if (llvm::none_of(
              S, [&](const Acquisition &X) { return X.Class == A.Class; }))
        S.push_back(A);
  }
  // Propagate callee summaries to callers until nothing changes. Each step
  // only adds a class or turns ViaThis on, so this terminates.
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (auto &[FD, F] : Facts)
      for (const CallSite &C : F.Calls)
        for (const FunctionDecl *T : targets(C)) {
          if (T == FD && !C.ThroughThis)
            continue;
          std::vector<Acquisition> Callee = Summaries[T];
          for (const Acquisition &A : Callee) {
            if (llvm::is_contained(C.Reacquirable, A.Class))
              continue;
            Acquisition Up = A;
            Up.ViaThis = A.ViaThis && C.ThroughThis;
            Up.Path.insert(Up.Path.begin(), {T, C.Loc});
            std::vector<Acquisition> &S = Summaries[FD];
            auto It = llvm::find_if(
                S, [&](const Acquisition &X) { return X.Class == A.Class; });
            if (It == S.end()) {
              S.push_back(std::move(Up));
              Changed = true;
            } else if (Up.ViaThis && !It->ViaThis && It->Path.size() > 0) {
              *It = std::move(Up);
              Changed = true;
            }
          }
        }
  }
}

void LockOrderCheck::addEdge(const HeldLock &From, const Acquisition &To,
                             SourceLocation At, const FunctionDecl *FD,
                             const std::string &Via) {
  ClassDecls[From.Name] = From.Class;
  ClassDecls[To.Name] = To.Class;
  if (Graph.addEdge(From.Name, To.Name, Sites.size()))
    Sites.push_back({From.Loc, At, FD, Via});

  // FEARLESS_ACQUIRED_BEFORE on To naming From, or ACQUIRED_AFTER on From
  // naming To: the code does the opposite of the declared order.
  auto Names = [](const auto *Attr, const ValueDecl *Wanted) {
    for (const Expr *Arg : Attr->args()) {
      HeldLock L = makeHeldLock(Arg, SourceLocation());
      if (L.Class == Wanted)
        return true;
    }
    return false;
  };
  const Attr *Declared = nullptr;
  for (const auto *A : To.Class->specific_attrs<AcquiredBeforeAttr>())
    if (Names(A, From.Class))
      Declared = A;
  for (const auto *A : From.Class->specific_attrs<AcquiredAfterAttr>())
    if (Names(A, To.Class))
      Declared = A;
  if (!Declared || !ReportedDeclared.insert({From.Name, To.Name}).second)
    return;
  diag(At, "'%0' acquired while holding '%1', but the declared order is '%0' "
           "before '%1'")
      << To.Name << From.Name;
  diag(From.Loc, "'%0' acquired here", DiagnosticIDs::Note) << From.Name;
  diag(Declared->getLocation(), "order declared here", DiagnosticIDs::Note);
}

void LockOrderCheck::reportSelfDeadlock(const HeldLock &H, const CallSite &C,
                                        const FunctionDecl *Target,
                                        const Acquisition &A) {
  diag(C.Loc, "call to '%0' acquires '%1', which is already held: "
              "self-deadlock")
      << functionName(Target) << H.Name;
  diag(H.Loc, "'%0' acquired here", DiagnosticIDs::Note) << H.Name;
  const FunctionDecl *Caller = Target;
  for (const auto &[Next, Loc] : A.Path) {
    diag(Loc, "'%0' calls '%1' here", DiagnosticIDs::Note)
        << functionName(Caller) << functionName(Next);
    Caller = Next;
  }
  diag(A.Loc, "'%0' acquires '%1' here", DiagnosticIDs::Note)
      << functionName(Caller) << A.Name;
}

void LockOrderCheck::onEndOfTranslationUnit() {
  computeSummaries();
  for (auto &[FD, F] : Facts)
    for (const CallSite &C : F.Calls) {
      if (C.Held.empty())
        continue;
      for (const FunctionDecl *T : targets(C))
        for (const Acquisition &A : Summaries[T])
          for (const HeldLock &H : C.Held) {
            if (H.Class != A.Class) {
              addEdge(H, A, C.Loc, FD, functionName(T));
              continue;
            }
            if (sameInstance(H, A.Global, A.ViaThis && C.ThroughThis) &&
                !isRecursive(H.Class))
              reportSelfDeadlock(H, C, T, A);
          }
    }

  for (const std::vector<std::string> &Cycle : Graph.cycles()) {
    std::string Order;
    for (const std::string &N : Cycle)
      Order += "'" + N + "' -> ";
    Order += "'" + Cycle.front() + "'";
    const EdgeSite &Closing = Sites[Graph.site(Cycle[0], Cycle[1])];
    diag(Closing.Acquired, "lock-order inversion: %0; threads taking these "
                           "paths at once deadlock")
        << Order;
    for (size_t I = 0; I < Cycle.size(); ++I) {
      const std::string &From = Cycle[I], &To = Cycle[(I + 1) % Cycle.size()];
      const EdgeSite &S = Sites[Graph.site(From, To)];
      diag(S.Held, "'%0' acquired here in '%1'", DiagnosticIDs::Note)
          << From << functionName(S.Function);
      if (S.Via.empty())
        diag(S.Acquired, "then '%0' acquired here while holding '%1'",
             DiagnosticIDs::Note)
            << To << From;
      else
        diag(S.Acquired,
             "then '%0' acquired by the call to '%2' while "
             "holding '%1'",
             DiagnosticIDs::Note)
            << To << From << S.Via;
    }
  }
  writeFacts();

  Facts.clear();
  Summaries.clear();
  Overriders.clear();
  Graph = LockOrderGraph();
  Sites.clear();
  ClassDecls.clear();
  ReportedDeclared.clear();
}

void LockOrderCheck::writeFacts() {
  std::string Dir = FactsDirectory;
  if (Dir.empty())
    if (std::optional<std::string> Env =
            llvm::sys::Process::GetEnv("FEARLESS_LOCK_ORDER_FACTS"))
      Dir = *Env;
  if (Dir.empty() || !SM)
    return;
  auto Loc = [&](SourceLocation L) {
    PresumedLoc P = SM->getPresumedLoc(SM->getExpansionLoc(L));
    llvm::SmallString<256> File(P.isValid() ? P.getFilename() : "");
    llvm::sys::fs::make_absolute(File);
    llvm::sys::path::remove_dots(File, true);
    return llvm::json::Object{{"file", File.str().str()},
                              {"line", P.isValid() ? P.getLine() : 0},
                              {"column", P.isValid() ? P.getColumn() : 0}};
  };
  llvm::SmallString<256> Unit;
  if (OptionalFileEntryRef Main = SM->getFileEntryRefForID(SM->getMainFileID()))
    Unit = Main->getName();
  llvm::sys::fs::make_absolute(Unit);
  llvm::sys::path::remove_dots(Unit, true);
  llvm::json::Array Edges;
  for (const auto &[Pair, Site] : Graph.edges()) {
    const EdgeSite &S = Sites[Site];
    llvm::json::Object E{{"from", Pair.first},
                         {"to", Pair.second},
                         {"function", functionName(S.Function)},
                         {"held", Loc(S.Held)},
                         {"acquired", Loc(S.Acquired)}};
    if (!S.Via.empty())
      E["via"] = S.Via;
    Edges.push_back(std::move(E));
  }
  llvm::json::Object Out{
      {"version", 1}, {"unit", Unit.str().str()}, {"edges", std::move(Edges)}};
  llvm::SmallString<256> Path(Dir);
  llvm::sys::path::append(Path, llvm::utohexstr(llvm::xxh3_64bits(Unit.str())) +
                                    ".json");
  // Written whole then renamed: the driver never reads half a file.
  std::string Tmp = (Path + ".tmp").str();
  std::error_code EC;
  {
    llvm::raw_fd_ostream OS(Tmp, EC);
    if (EC) {
      configurationDiag("cannot write lock-order facts to '%0': %1")
          << Tmp << EC.message();
      return;
    }
    OS << llvm::json::Value(std::move(Out)) << "\n";
  }
  llvm::sys::fs::rename(Tmp, Path);
}

} // namespace clang::tidy::fearless
