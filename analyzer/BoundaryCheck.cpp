//===--- BoundaryCheck.cpp - base of the checks that look at boundaries ----===//

#include "BoundaryCheck.h"
#include "model/UnitModel.h"

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

BoundaryCheck::BoundaryCheck(StringRef Name, ClangTidyContext *Context)
    : FearlessCheck(Name, Context, {"SpawnFunctions"}) {}

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
