// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- GuardNotSendCheck.h - fearless-guard-not-send ---------------------===//
//
// Finds lock guards moved, copied or captured into another thread: a mutex
// must be unlocked by the thread that locked it.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_GUARDNOTSENDCHECK_H
#define FEARLESS_ANALYZER_GUARDNOTSENDCHECK_H

#include "FearlessCheck.h"
#include "ThreadBoundary.h"
#include "TypeProperties.h"

namespace clang::tidy::fearless {

/// Finds lock guards moved, copied or captured into another thread: a mutex
/// must be unlocked by the thread that locked it.
///
/// For the user-facing documentation see:
/// docs/checks/fearless-guard-not-send.md
class GuardNotSendCheck : public FearlessCheck {
public:
  GuardNotSendCheck(StringRef Name, ClangTidyContext *Context)
      : FearlessCheck(Name, Context, {"SpawnFunctions"}) {}
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  enum class How { CapturedByRef, Moved, CapturedByCopy, ByPointer, ByRef, Passed };

  void checkArgument(const Expr *Arg, const ThreadBoundary &B);
  void report(SourceLocation Loc, StringRef Subject, How H, QualType T,
              const std::vector<GuardPathStep> &Path, const ThreadBoundary &B);

  // The shared engine: a lock guard is "not Send" with a guard-specific
  // reason, and the path to it is what the notes print.
  TypeProperties *Finder = nullptr; ///< the unit's (UnitModel::types)
  ASTContext *Ctx = nullptr;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_GUARDNOTSENDCHECK_H
