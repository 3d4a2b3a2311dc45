//===--- BlockingUnderLockCheck.cpp - fearless-blocking-under-lock --------===//

#include "BlockingUnderLockCheck.h"
#include "CheckRegistry.h"

#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/StringMap.h"

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

static RegisterCheck<BlockingUnderLockCheck>
    Registration("fearless-blocking-under-lock");

namespace {

// Built-in blocking calls: qualified name (class named after the object's
// static type for members) -> what the call waits for.
const llvm::StringMap<StringRef> &builtinBlocking() {
  static const llvm::StringMap<StringRef> Map = {
      {"std::this_thread::sleep_for", "sleeps"},
      {"std::this_thread::sleep_until", "sleeps"},
      {"std::thread::join", "waits for a thread"},
      {"std::jthread::join", "waits for a thread"},
      {"std::future::get", "waits for a result"},
      {"std::future::wait", "waits for a result"},
      {"std::future::wait_for", "waits for a result"},
      {"std::future::wait_until", "waits for a result"},
      {"std::shared_future::get", "waits for a result"},
      {"std::shared_future::wait", "waits for a result"},
      {"std::shared_future::wait_for", "waits for a result"},
      {"std::shared_future::wait_until", "waits for a result"},
      {"fearless::JoinHandle::join", "waits for a thread"},
      {"fearless::Receiver::recv", "waits for a message"},
      {"fearless::Receiver::recv_timeout", "waits for a message"},
      {"fearless::SyncSender::send", "waits for room in a bounded channel"},
  };
  return Map;
}

class Collector : public LockScopeCallbacks {
public:
  Collector(BlockingUnderLockCheck &Check) : Check(Check) {}

  void call(const Expr *Call, llvm::ArrayRef<HeldLock> Held) override {
    if (Held.empty())
      return;
    const Expr *WaitGuard = nullptr;
    StringRef Kind = Check.blockingKind(Call, WaitGuard);
    if (Kind.empty())
      return;
    // A condition variable wait releases its own lock while it waits.
    // The lock may be reached through the guard that holds it: a wrapper's
    // `lock.native()` or `lock.inner_` is that guard's lock.
    const ValueDecl *Released = nullptr;
    for (const Expr *E = WaitGuard; E;) {
      E = E->IgnoreParenImpCasts();
      if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
        Released = Ref->getDecl();
        break;
      }
      if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E))
        E = MC->getImplicitObjectArgument();
      else if (const auto *ME = dyn_cast<MemberExpr>(E))
        E = ME->getBase();
      else
        break;
    }
    const HeldLock *Culprit = nullptr;
    for (const HeldLock &L : Held)
      if (!Released || (L.Guard != Released && L.Class != Released)) {
        Culprit = &L;
        break;
      }
    if (!Culprit)
      return;
    std::string Name = calleeName(Call);
    SourceLocation Loc = Call->getExprLoc();
    if (WaitGuard)
      Check.diag(Loc, "'%0' releases only the lock it is given while it waits; "
                      "'%1' stays held")
          << Name << Culprit->Name;
    else
      Check.diag(Loc, "blocking call to '%0' while holding '%1': it %2 with "
                      "the lock held")
          << Name << Culprit->Name << Kind;
    Check.diag(Culprit->Loc, "'%0' acquired here", DiagnosticIDs::Note)
        << Culprit->Name;
  }

private:
  BlockingUnderLockCheck &Check;
};

} // namespace

BlockingUnderLockCheck::BlockingUnderLockCheck(StringRef Name,
                                               ClangTidyContext *Context)
    : FearlessCheck(Name, Context, {"BlockingFunctions"}),
      RawBlockingFunctions(Options.get("BlockingFunctions", "")) {
  llvm::SmallVector<StringRef, 8> Names;
  StringRef(RawBlockingFunctions).split(Names, ';', -1, false);
  for (StringRef N : Names) {
    N = N.trim();
    N.consume_front("::");
    if (!N.empty())
      BlockingFunctions.insert(N);
  }
}

void BlockingUnderLockCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "BlockingFunctions", RawBlockingFunctions);
}

StringRef BlockingUnderLockCheck::blockingKind(const Expr *Call,
                                               const Expr *&WaitGuard) const {
  std::string Declaring;
  std::string Name = calleeName(Call, &Declaring);
  if (Name.empty())
    return "";
  const auto &Builtin = builtinBlocking();
  for (const std::string &N : {Name, Declaring}) {
    if (N.empty())
      continue;
    if (auto It = Builtin.find(N); It != Builtin.end())
      return It->second;
    if (BlockingFunctions.contains(N))
      return "may block";
    if (isConditionWait(N)) {
      const auto *CE = dyn_cast<CallExpr>(Call);
      if (CE && CE->getNumArgs() > 0)
        WaitGuard = isa<CXXMemberCallExpr>(CE) ? CE->getArg(0) : nullptr;
      return WaitGuard ? "waits for a notification" : "";
    }
  }
  return "";
}

void BlockingUnderLockCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(
      functionDecl(isDefinition(), hasBody(stmt()), unless(isImplicit()))
          .bind("fn"),
      this);
}

void BlockingUnderLockCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *FD = Result.Nodes.getNodeAs<FunctionDecl>("fn");
  if (!FD || FD->isDependentContext() || FD->isInvalidDecl() ||
      Result.SourceManager->isInSystemHeader(FD->getLocation()))
    return;
  // Lambda bodies are walked from the function that writes them.
  if (const auto *MD = dyn_cast<CXXMethodDecl>(FD);
      MD && MD->getParent()->isLambda())
    return;
  Collector C(*this);
  walkLockScopes(FD->getBody(), C);
}

} // namespace clang::tidy::fearless
