// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- GuardAcrossAwaitCheck.cpp - fearless-guard-across-await -----------===//

#include "GuardAcrossAwaitCheck.h"
#include "CheckRegistry.h"
#include "model/UnitModel.h"

#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/SmallSet.h"

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

static RegisterCheck<GuardAcrossAwaitCheck>
    Registration("fearless-guard-across-await");

// Only a unit with a coroutine builds the model for this check: on code
// without coroutines it costs one matcher over the AST the other checks
// walk anyway.
void GuardAcrossAwaitCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(coroutineBodyStmt().bind("coroutine"), this);
}

void GuardAcrossAwaitCheck::check(const MatchFinder::MatchResult &Result) {
  Ctx = Result.Context;
}

void GuardAcrossAwaitCheck::onEndOfTranslationUnit() {
  if (!Ctx)
    return;
  const UnitModel &M = UnitModel::get(*Ctx);
  for (const auto &[FD, F] : M.functions()) {
    // One report per hold (a guard, or where a lock was taken by hand), at
    // the first suspension it spans.
    llvm::SmallSet<std::pair<const void *, unsigned>, 4> Reported;
    for (const Suspension &S : F.Suspensions)
      for (const HeldLock &L : S.Held) {
        std::pair<const void *, unsigned> Hold{L.Guard, L.Loc.getRawEncoding()};
        if (L.Guard)
          Hold.second = 0;
        if (!Reported.insert(Hold).second)
          continue;
        llvm::StringRef Keyword = suspendKeyword(S.Expr);
        if (L.Guard)
          diag(S.Loc, "lock guard '%0' holds '%1' across this %2; the "
                      "coroutine may resume on another thread, which then "
                      "releases it, and every thread that needs '%1' waits "
                      "for the whole suspension")
              << L.Guard->getName() << L.Name << Keyword;
        else
          diag(S.Loc, "'%0' is held across this %1; the coroutine may "
                      "resume on another thread, which then releases it, "
                      "and every thread that needs '%0' waits for the whole "
                      "suspension")
              << L.Name << Keyword;
        diag(L.Loc, "'%0' acquired here", DiagnosticIDs::Note) << L.Name;
        diag(S.Loc,
             "release it before the %0: end the guard's scope, or unlock() "
             "it and lock again after",
             DiagnosticIDs::Note)
            << Keyword;
      }
  }
  Ctx = nullptr;
}

} // namespace clang::tidy::fearless
