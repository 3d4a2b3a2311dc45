// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- GuardNotSendCheck.cpp - fearless-guard-not-send -------------------===//

#include "GuardNotSendCheck.h"
#include "model/UnitModel.h"
#include "Crossing.h"
#include "CheckRegistry.h"

#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

static RegisterCheck<GuardNotSendCheck> Registration("fearless-guard-not-send");

namespace {

std::string describe(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *Op = dyn_cast<UnaryOperator>(E);
      Op && Op->getOpcode() == UO_AddrOf)
    E = Op->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return Ref->getDecl()->getNameAsString();
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return Member->getMemberDecl()->getNameAsString();
  return "";
}

} // namespace

void GuardNotSendCheck::registerMatchers(MatchFinder *F) {
  F->addMatcher(translationUnitDecl().bind("unit"), this);
}

void GuardNotSendCheck::check(const MatchFinder::MatchResult &Result) {
  Ctx = Result.Context;
}

void GuardNotSendCheck::onEndOfTranslationUnit() {
  if (!Ctx)
    return;
  Finder = &UnitModel::types(*Ctx);
  for (const ThreadBoundary &B : boundaries(*Ctx))
    for (const Expr *Arg : B.Crossing)
      checkArgument(Arg, B);
  Ctx = nullptr;
  Finder = nullptr;
}

void GuardNotSendCheck::checkArgument(const Expr *Arg,
                                      const ThreadBoundary &B) {
  const Expr *E = Arg->IgnoreUnlessSpelledInSource();

  // A lambda written at the boundary: report each offending capture where it
  // is written.
  if (const auto *Lambda = dyn_cast<LambdaExpr>(E)) {
    for (const LambdaCapture &C : Lambda->captures()) {
      if (!C.capturesVariable())
        continue;
      const ValueDecl *Var = C.getCapturedVar();
      const auto *Path = Finder->guardPath(Var->getType());
      if (!Path)
        continue;
      How H = How::CapturedByCopy;
      std::string Subject = Var->getNameAsString();
      if (C.getCaptureKind() == LCK_ByRef) {
        H = How::CapturedByRef;
      } else if (const auto *VD = dyn_cast<VarDecl>(Var);
                 VD && VD->isInitCapture() && VD->getInit()) {
        // [g = std::move(lk)]: name the guard the user moved, 'lk'.
        llvm::StringRef Wrapper;
        const Expr *Source = unwrapStdCall(
            VD->getInit()->IgnoreUnlessSpelledInSource(), Wrapper);
        if (Wrapper == "move" || Wrapper == "forward") {
          H = How::Moved;
          if (std::string Moved = describe(Source); !Moved.empty())
            Subject = Moved;
        }
      }
      report(C.getLocation(), Subject, H, Var->getType(), *Path, B);
    }
    return;
  }

  if (!Finder->guardPath(E->getType()))
    return;
  // Describe what the user wrote inside std::move / std::ref.
  llvm::StringRef Wrapper;
  const Expr *Inner = unwrapStdCall(E, Wrapper);
  if (const auto *Op = dyn_cast<UnaryOperator>(Inner);
      Op && Op->getOpcode() == UO_AddrOf)
    Inner = Op->getSubExpr()->IgnoreParenImpCasts();
  const auto *Path = Finder->guardPath(Inner->getType());
  if (!Path) {
    Inner = E;
    Path = Finder->guardPath(E->getType());
  }
  How H = How::Passed;
  if (Wrapper == "move" || Wrapper == "forward")
    H = How::Moved;
  else if (Wrapper == "ref" || Wrapper == "cref")
    H = How::ByRef;
  else if (E->getType()->isPointerType())
    H = How::ByPointer;
  report(E->getBeginLoc(), describe(Inner), H, Inner->getType(), *Path, B);
}

void GuardNotSendCheck::report(SourceLocation Loc, StringRef Subject, How H,
                               QualType T,
                               const std::vector<GuardPathStep> &Path,
                               const ThreadBoundary &B) {
  // The value is a guard itself (or a pointer or reference to one), or it
  // holds one somewhere inside: then the notes say where.
  bool Direct = Path.empty() && isGuardType(T);
  std::string Name = Subject.empty() ? T.getNonReferenceType().getAsString()
                                     : Subject.str();
  diag(Loc, "%select{lock guard '%1'|%select{pointer to a lock guard, '%1',|"
            "'%1', which holds a lock guard,}2}0 is %select{captured by reference|"
            "moved|captured by copy|passed by pointer|passed by reference|"
            "passed}3 into a thread started by '%4'; a mutex must be unlocked "
            "by the thread that locked it")
      << (Direct ? 0 : 1) << Name << (Path.empty() ? 0 : 1)
      << static_cast<int>(H) << B.Spawner;
  for (const GuardPathStep &Step : Path)
    diag(Step.Loc.isValid() ? Step.Loc : Loc, "%0", DiagnosticIDs::Note)
        << Step.Text;
}

} // namespace clang::tidy::fearless
