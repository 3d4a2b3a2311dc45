//===--- GuardedByCheck.cpp - fearless-guarded-by --------------------------===//

#include "GuardedByCheck.h"
#include "CheckRegistry.h"
#include "LambdaLocks.h"
#include "LockScope.h"
#include "StdMutexAttributes.h"
#include "ThreadBoundary.h"

#include "clang/AST/ASTLambda.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

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

// One walk over the translation unit, template instantiations included:
// every function definition and lambda, and where calls take a wrapped
// standard mutex (isWrappedStdMutex) as an argument or as their object.
struct FunctionCollector : RecursiveASTVisitor<FunctionCollector> {
  std::vector<const FunctionDecl *> Functions;
  std::vector<const LambdaExpr *> Lambdas;
  llvm::DenseSet<SourceLocation> WrappedUses;

  bool shouldVisitTemplateInstantiations() const { return true; }

  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (!isLambdaCallOperator(FD))
      Functions.push_back(FD);
    return true;
  }
  bool VisitLambdaExpr(LambdaExpr *L) {
    Lambdas.push_back(L);
    return true;
  }
  bool VisitCXXConstructExpr(CXXConstructExpr *E) {
    if (llvm::any_of(E->arguments(), isWrappedStdMutex)) {
      addWrappedUse(E);
      WrappedUses.insert(E->getLocation());
    }
    return true;
  }
  bool VisitCallExpr(CallExpr *E) {
    bool Uses = llvm::any_of(E->arguments(), isWrappedStdMutex);
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
      Uses |= isWrappedStdMutex(MC->getImplicitObjectArgument());
    if (Uses)
      addWrappedUse(E);
    return true;
  }

private:
  void addWrappedUse(const Expr *Call) {
    WrappedUses.insert(Call->getBeginLoc());
    WrappedUses.insert(Call->getExprLoc());
  }
};

} // namespace

GuardedByCheck::GuardedByCheck(StringRef Name, ClangTidyContext *Context)
    : FearlessCheck(Name, Context,
                    {"Beta", "Negative", "Reference", "Verbose",
                     "InheritLocksInLambdas", "SpawnFunctions"}),
      Beta(boolOption("Beta", false)), Negative(boolOption("Negative", false)),
      Reference(boolOption("Reference", true)),
      Verbose(boolOption("Verbose", false)),
      InheritLocksInLambdas(boolOption("InheritLocksInLambdas", true)),
      SpawnFunctions(spawnFunctionsOption(SpawnFunctionsText)) {}

void GuardedByCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  auto Store = [&](StringRef Name, bool Value) {
    Options.store(Opts, Name, Value ? "true" : "false");
  };
  Store("Beta", Beta);
  Store("Negative", Negative);
  Store("Reference", Reference);
  Store("Verbose", Verbose);
  Store("InheritLocksInLambdas", InheritLocksInLambdas);
  Options.store(Opts, "SpawnFunctions", SpawnFunctionsText);
}

void GuardedByCheck::registerMatchers(MatchFinder *Finder) {
  // Fires before any other match: the standard mutexes are annotated before
  // anything looks at them.
  Finder->addMatcher(translationUnitDecl().bind("tu"), this);
  addBoundaryMatchers(Finder, this, SpawnFunctions);
}

void GuardedByCheck::check(const MatchFinder::MatchResult &Result) {
  if (Result.Nodes.getNodeAs<TranslationUnitDecl>("tu")) {
    Ctx = Result.Context;
    annotateStdMutexes(*Ctx);
    return;
  }
  std::optional<ThreadBoundary> B = getBoundary(Result, SpawnFunctions);
  if (!B)
    return;
  BoundarySites.insert(B->Site);
  for (const Expr *Arg : B->Crossing)
    BoundaryArgs.insert(Arg->IgnoreUnlessSpelledInSource());
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
  }
  return true;
}

void GuardedByCheck::emit(const TSFinding &F) {
  if (!enabled(F.Group) || WrappedUses.contains(F.Loc) ||
      llvm::any_of(F.Notes, [&](const TSNote &N) {
        return WrappedUses.contains(N.Loc);
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
  const SourceManager &SM = Ctx->getSourceManager();
  FunctionCollector Collector;
  Collector.TraverseAST(*Ctx);
  WrappedUses = std::move(Collector.WrappedUses);

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
  WrappedUses.clear();
}

} // namespace clang::tidy::fearless
