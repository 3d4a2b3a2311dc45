//===--- MissingGuardedByCheck.h - fearless-missing-guarded-by ------------===//
//
// Finds fields that are written with a mutex of their class held and
// accessed elsewhere without it, and proposes FEARLESS_GUARDED_BY; and state
// that a condition variable's wait predicate reads under a mutex but that is
// written without it (a lost wake-up), atomic or not.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MISSINGGUARDEDBYCHECK_H
#define FEARLESS_ANALYZER_MISSINGGUARDEDBYCHECK_H

#include "FearlessCheck.h"

#include "clang-tidy/utils/IncludeInserter.h"
#include "llvm/ADT/DenseSet.h"

namespace clang::tidy::fearless {

/// Finds fields that are written with a mutex of their class held and
/// accessed elsewhere without it, and proposes FEARLESS_GUARDED_BY; and state
/// that a condition variable's wait predicate reads under a mutex but that is
/// written without it (a lost wake-up), atomic or not.
///
/// For the user-facing documentation see:
/// docs/checks/fearless-missing-guarded-by.md
class MissingGuardedByCheck : public FearlessCheck {
public:
  MissingGuardedByCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }
  void registerPPCallbacks(const SourceManager &SM, Preprocessor *PP,
                           Preprocessor *ModuleExpanderPP) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

  struct Access;
  struct ClassFacts;
  struct StaticAccess;

private:
  bool wakeUpCannotBeLost(const Access &W, const ValueDecl *Mutex) const;
  void analyseClass(const ClassFacts &Facts);
  /// The lost wake-up rule for a variable with static storage (a global
  /// flag read by a wait predicate under a global mutex).
  void analyseStatic(const VarDecl *Var,
                     const std::vector<StaticAccess> &Accesses);

  ASTContext *Ctx = nullptr;
  Preprocessor *PP = nullptr;
  utils::IncludeInserter Inserter;
  /// Arguments that cross a thread boundary: lambdas among them run
  /// elsewhere, with no lock of the caller held.
  llvm::DenseSet<const Expr *> BoundaryArgs;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MISSINGGUARDEDBYCHECK_H
