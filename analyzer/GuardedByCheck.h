//===--- GuardedByCheck.h - fearless-guarded-by ----------------------------===//
//
// Runs Clang's thread-safety analysis on every function, with std::mutex and
// the standard lock guards treated as annotated and with lambdas that run
// synchronously inheriting the locks held where they run.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_GUARDEDBYCHECK_H
#define FEARLESS_ANALYZER_GUARDEDBYCHECK_H

#include "ThreadSafetyEngine.h"

#include "clang-tidy/ClangTidyCheck.h"
#include "FearlessCheck.h"
#include "llvm/ADT/DenseSet.h"

namespace clang::tidy::fearless {

/// Runs Clang's thread-safety analysis on every function, with std::mutex and
/// the standard lock guards treated as annotated and with lambdas that run
/// synchronously inheriting the locks held where they run.
///
/// For the user-facing documentation see:
/// docs/checks/fearless-guarded-by.md
class GuardedByCheck : public FearlessCheck {
public:
  GuardedByCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return true;
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  void emit(const TSFinding &F);
  bool enabled(TSGroup G) const;

  const bool Beta;
  const bool Negative;
  const bool Reference;
  const bool Verbose;
  const bool InheritLocksInLambdas;
  std::string SpawnFunctionsText;
  /// User executors: their callables start with no lock held.
  const std::vector<SpawnFunction> SpawnFunctions;

  ASTContext *Ctx = nullptr;
  /// Lambdas handed to another thread: analysed with no locks held.
  llvm::DenseSet<const Expr *> BoundaryArgs;
  llvm::DenseSet<const Expr *> BoundarySites;
  /// Calls on a std::mutex that implements a user capability: not judged.
  llvm::DenseSet<SourceLocation> WrappedUses;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_GUARDEDBYCHECK_H
