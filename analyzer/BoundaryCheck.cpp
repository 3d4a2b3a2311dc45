// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- BoundaryCheck.cpp - base of the checks that look at boundaries ----===//

#include "BoundaryCheck.h"
#include "model/UnitModel.h"

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

static std::vector<StringRef> withSpawnFunctions(llvm::ArrayRef<StringRef> More) {
  std::vector<StringRef> Known{"SpawnFunctions"};
  Known.insert(Known.end(), More.begin(), More.end());
  return Known;
}

BoundaryCheck::BoundaryCheck(StringRef Name, ClangTidyContext *Context,
                             llvm::ArrayRef<StringRef> MoreOptions)
    : FearlessCheck(Name, Context, withSpawnFunctions(MoreOptions)) {}

void BoundaryCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(translationUnitDecl().bind("unit"), this);
}

void BoundaryCheck::check(const MatchFinder::MatchResult &Result) {
  Ctx = Result.Context;
}

void BoundaryCheck::onEndOfTranslationUnit() {
  if (Ctx) {
    Props = &UnitModel::types(*Ctx);
    for (const ThreadBoundary &B : boundaries(*Ctx))
      checkBoundary(B, *Ctx);
  }
  endOfUnit();
  Ctx = nullptr;
  Props = nullptr;
}

void BoundaryCheck::emitChain(const Verdict &V, SourceLocation Fallback) {
  for (const ReasonStep &Step : V.Chain)
    diag(Step.Loc.isValid() ? Step.Loc : Fallback, "%0", DiagnosticIDs::Note)
        << Step.Text;
}

} // namespace clang::tidy::fearless
