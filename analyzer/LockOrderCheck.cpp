// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
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


LockOrderCheck::LockOrderCheck(StringRef Name, ClangTidyContext *Context)
    : FearlessCheck(Name, Context, {"FactsDirectory", "SameClassNesting"}),
      FactsDirectory(Options.get("FactsDirectory", "")),
      SameClassNesting(boolOption("SameClassNesting", true)) {}

void LockOrderCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "FactsDirectory", FactsDirectory);
  Options.store(Opts, "SameClassNesting", SameClassNesting ? "true" : "false");
}

void LockOrderCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(translationUnitDecl().bind("unit"), this);
}

void LockOrderCheck::check(const MatchFinder::MatchResult &Result) {
  Ctx = Result.Context;
}

void LockOrderCheck::addEdge(const HeldLock &From, const HeldLock &To,
                             SourceLocation At, const FunctionDecl *FD,
                             const std::string &Via) {
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
                                        const CallTarget &T,
                                        const LockAcquisition &A) {
  diag(C.Loc, "call to '%0' acquires '%1', which is already held: "
              "self-deadlock")
      << Model->calleeName(C, T.Function) << H.Name;
  diag(H.Loc, "'%0' acquired here", DiagnosticIDs::Note) << H.Name;
  if (T.StoredAt.isValid())
    diag(T.StoredAt, "'%0' is stored into '%1' here", DiagnosticIDs::Note)
        << Model->displayName(T.Function) << Model->calleeName(C, T.Function);
  const FunctionDecl *Caller = T.Function;
  for (const CallStep &Step : A.Path) {
    diag(Step.Loc, "'%0' calls '%1' here", DiagnosticIDs::Note)
        << Model->displayName(Caller) << Model->displayName(Step.Callee);
    Caller = Step.Callee;
  }
  diag(A.Lock.Loc, "'%0' acquires '%1' here", DiagnosticIDs::Note)
      << Model->displayName(Caller) << A.Lock.Name;
}

void LockOrderCheck::reportSameClass(const HeldLock &H, SourceLocation At,
                                     const std::string &Via) {
  if (!SameClassNesting || !ReportedSameClass.insert(At).second)
    return;
  if (Via.empty())
    diag(At, "'%0' of another object acquired while one is held: possible "
             "recursive locking; two threads nesting the same two objects' "
             "locks in opposite orders deadlock")
        << H.Name;
  else
    diag(At, "call to '%1' acquires '%0' of another object while one is "
             "held: possible recursive locking; two threads nesting the same "
             "two objects' locks in opposite orders deadlock")
        << H.Name << Via;
  diag(H.Loc, "'%0' acquired here", DiagnosticIDs::Note) << H.Name;
}

void LockOrderCheck::onEndOfTranslationUnit() {
  if (!Ctx)
    return;
  const UnitModel &M = UnitModel::get(*Ctx);
  Model = &M;
  for (const auto &[FD, F] : M.functions()) {
    // Nested acquisitions in the function itself.
    for (const LockAcquisition &A : F.Acquisitions) {
      const HeldLock &New = A.Lock;
      if (!UnitModel::isLockClass(New))
        continue;
      for (const HeldLock &H : A.Held) {
        if (!UnitModel::isLockClass(H))
          continue;
        if (H.Class == New.Class) {
          if (UnitModel::isRecursive(H.Class))
            continue;
          if (UnitModel::sameInstance(H, New)) {
            diag(New.Loc,
                 "'%0' acquired while it is already held: self-deadlock")
                << New.Name;
            diag(H.Loc, "'%0' acquired here", DiagnosticIDs::Note) << H.Name;
          } else if (!UnitModel::distinctInstances(H, New)) {
            reportSameClass(H, New.Loc, "");
          }
          continue;
        }
        addEdge(H, New, New.Loc, FD, "");
      }
    }
  }
  // Then the acquisitions of the functions called with locks held (after
  // every direct edge: a cycle is reported where its latest edge closes it).
  for (const auto &[FD, F] : M.functions()) {
    for (const CallSite &C : F.Calls) {
      // Same-class nesting is reported where no self-deadlock is: the
      // stronger finding for the call comes first.
      const HeldLock *Nested = nullptr;
      const FunctionDecl *NestedBy = nullptr;
      bool SelfDeadlock = false;
      for (const CallTarget &T : M.targets(C)) {
        // A decorator forwarding to the object it wraps through the base
        // interface (`inner_->update(n)` in Concurrent::update): the call
        // reaches the decorator's own class only when a decorator wraps a
        // decorator, a structure lockdep would annotate as nesting. A call
        // declared in the caller's own class (`other.update()`) is not one.
        const auto *Caller = dyn_cast<CXXMethodDecl>(FD);
        const auto *Target = dyn_cast<CXXMethodDecl>(T.Function);
        const auto *Declared = dyn_cast_or_null<CXXMethodDecl>(C.Callee);
        bool Decorator = C.Virtual && !C.ThroughThis && Caller && Target &&
                         Declared &&
                         Target->getParent() == Caller->getParent() &&
                         Declared->getParent() != Caller->getParent();
        for (const LockAcquisition &A : M.acquires(T.Function))
          for (const HeldLock &H : C.Held) {
            if (!UnitModel::isLockClass(H))
              continue;
            if (H.Class != A.Lock.Class) {
              addEdge(H, A.Lock, C.Loc, FD, M.calleeName(C, T.Function));
              continue;
            }
            if (UnitModel::isRecursive(H.Class))
              continue;
            if (UnitModel::sameInstance(H, A.Lock, T.ThroughThis)) {
              reportSelfDeadlock(H, C, T, A);
              SelfDeadlock = true;
            } else if (!Nested && !Decorator &&
                       !UnitModel::distinctInstances(H, A.Lock)) {
              Nested = &H;
              NestedBy = T.Function;
            }
          }
      }
      if (Nested && !SelfDeadlock)
        reportSameClass(*Nested, C.Loc, M.calleeName(C, NestedBy));
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
          << From << M.displayName(S.Function);
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

  Graph = LockOrderGraph();
  Sites.clear();
  ReportedDeclared.clear();
  ReportedSameClass.clear();
  Model = nullptr;
  Ctx = nullptr;
}

void LockOrderCheck::writeFacts() {
  std::string Dir = FactsDirectory;
  if (Dir.empty())
    if (std::optional<std::string> Env =
            llvm::sys::Process::GetEnv("FEARLESS_LOCK_ORDER_FACTS"))
      Dir = *Env;
  if (Dir.empty())
    return;
  llvm::json::Array Edges;
  for (const auto &[Pair, Site] : Graph.edges()) {
    const EdgeSite &S = Sites[Site];
    llvm::json::Object E{{"from", Pair.first},
                         {"to", Pair.second},
                         {"function", Model->displayName(S.Function)},
                         {"held", Model->location(S.Held)},
                         {"acquired", Model->location(S.Acquired)}};
    if (!S.Via.empty())
      E["via"] = S.Via;
    Edges.push_back(std::move(E));
  }
  // The driver joins the blocking facts only for units that enabled it.
  std::vector<std::string> Enabled;
  for (const char *Check : {"fearless-lock-order", "fearless-blocking-under-lock"})
    if (tidyContext().isCheckEnabled(Check))
      Enabled.push_back(Check);
  std::string Error = Model->writeFacts(Dir, std::move(Edges), Enabled);
  if (!Error.empty())
    configurationDiag("%0") << Error;
}

} // namespace clang::tidy::fearless
