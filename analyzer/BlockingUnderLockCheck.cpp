// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- BlockingUnderLockCheck.cpp - fearless-blocking-under-lock --------===//

#include "BlockingUnderLockCheck.h"
#include "CheckRegistry.h"

#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

static RegisterCheck<BlockingUnderLockCheck>
    Registration("fearless-blocking-under-lock");

BlockingUnderLockCheck::BlockingUnderLockCheck(StringRef Name,
                                               ClangTidyContext *Context)
    : FearlessCheck(Name, Context, {"BlockingFunctions"}),
      RawBlockingFunctions(Options.get("BlockingFunctions", "")) {}

void BlockingUnderLockCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "BlockingFunctions", RawBlockingFunctions);
}

void BlockingUnderLockCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(translationUnitDecl().bind("unit"), this);
}

void BlockingUnderLockCheck::check(const MatchFinder::MatchResult &Result) {
  Ctx = Result.Context;
}

void BlockingUnderLockCheck::onEndOfTranslationUnit() {
  if (!Ctx)
    return;
  const UnitModel &M = UnitModel::get(*Ctx);
  for (const auto &[FD, F] : M.functions()) {
    for (const BlockingCall &B : F.Blocking)
      direct(B);
    // A call that blocks itself (a BlockingFunctions entry with a body
    // here) is reported once, as a blocking call.
    for (const CallSite &C : F.Calls)
      if (llvm::none_of(F.Blocking,
                        [&](const BlockingCall &B) { return B.Loc == C.Loc; }))
        throughCall(M, F, C);
  }
  Ctx = nullptr;
}

void BlockingUnderLockCheck::direct(const BlockingCall &B) {
  // A condition variable wait releases its own lock while it waits (also
  // when reached through the guard that holds it: a wrapper's
  // `lock.native()` or `lock.inner_`).
  const HeldLock *Culprit = nullptr;
  for (const HeldLock &L : B.Held)
    if (!B.Releases || (L.Guard != B.Releases && L.Class != B.Releases)) {
      Culprit = &L;
      break;
    }
  if (!Culprit)
    return;
  if (B.Releases)
    diag(B.Loc, "'%0' releases only the lock it is given while it waits; "
                "'%1' stays held")
        << B.Callee << Culprit->Name;
  else
    diag(B.Loc, "blocking call to '%0' while holding '%1': it %2 with "
                "the lock held")
        << B.Callee << Culprit->Name << B.Kind;
  diag(Culprit->Loc, "'%0' acquired here", DiagnosticIDs::Note)
      << Culprit->Name;
}

void BlockingUnderLockCheck::throughCall(const UnitModel &M,
                                         const FunctionFacts &F,
                                         const CallSite &C) {
  if (C.Held.empty())
    return;
  for (const CallTarget &Target : M.targets(C))
    for (const BlockingCall &B : M.blocks(Target.Function)) {
      const FunctionDecl *T = Target.Function;
      // The callee unlocks a lock the caller holds before it blocks
      // (`mu.unlock(); sleep(); mu.lock();`): that one is not held then.
      const HeldLock *Culprit = nullptr;
      for (const HeldLock &L : C.Held)
        if (!L.Class || !llvm::is_contained(B.ReleasedBefore, L.Class)) {
          Culprit = &L;
          break;
        }
      if (!Culprit)
        continue;
      diag(C.Loc, "call to '%0' may block while holding '%1': it reaches "
                  "'%2', which %3")
          << M.calleeName(C, T) << Culprit->Name << B.Callee << B.Kind;
      diag(Culprit->Loc, "'%0' acquired here", DiagnosticIDs::Note)
          << Culprit->Name;
      if (Target.StoredAt.isValid())
        diag(Target.StoredAt, "'%0' is stored into '%1' here",
             DiagnosticIDs::Note)
            << M.displayName(T) << M.calleeName(C, T);
      const FunctionDecl *Caller = T;
      for (const CallStep &Step : B.Path) {
        diag(Step.Loc, "'%0' calls '%1' here", DiagnosticIDs::Note)
            << M.displayName(Caller) << M.displayName(Step.Callee);
        Caller = Step.Callee;
      }
      diag(B.Loc, "'%0' calls '%1' here", DiagnosticIDs::Note)
          << M.displayName(Caller) << B.Callee;
      return; // one finding per call
    }
}

} // namespace clang::tidy::fearless
