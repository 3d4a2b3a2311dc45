// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
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
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/JSON.h"

#include <optional>

namespace clang::tidy::fearless {

struct HeldLock;

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

  /// Guard facts for fearless-check --fix (docs/facts.md): a field the
  /// rule may guard, with every access that counts and the candidate
  /// mutexes held at each, whatever this unit alone concludes...
  void recordField(const FieldDecl *Field,
                   llvm::ArrayRef<const ValueDecl *> Mutexes,
                   const std::vector<Access> &Accesses, bool Fixable);
  /// ...and a helper with the locks held at all its calls in the unit.
  void recordHelper(const CXXMethodDecl *Helper, llvm::ArrayRef<HeldLock> Held);
  /// Where --fix may insert text at \p At: file, offset, the text right
  /// before it, and the file's size and time as the unit read it.
  std::optional<llvm::json::Object> insertionAt(SourceLocation At,
                                                llvm::StringRef After);
  /// Where an attribute goes after the declarator of \p MD's declaration
  /// in its class; none when that cannot be written there.
  std::optional<llvm::json::Object> requiresInsertion(const CXXMethodDecl *MD);
  /// The include of fearless/thread_safety.h for an annotation at \p At,
  /// unless FEARLESS_GUARDED_BY is already defined there.
  std::optional<llvm::json::Object> includeFor(SourceLocation At);
  /// The insertion of that include into \p File, made once per file.
  const std::optional<FixItHint> &includeFix(FileID File);

  ASTContext *Ctx = nullptr;
  Preprocessor *PP = nullptr;
  utils::IncludeInserter Inserter;
  /// Arguments that cross a thread boundary: lambdas among them run
  /// elsewhere, with no lock of the caller held.
  llvm::DenseSet<const Expr *> BoundaryArgs;
  /// Where the guard facts go (FEARLESS_LOCK_ORDER_FACTS/guards, set by
  /// fearless-check); empty when nobody asked for them.
  std::string GuardFactsDir;
  llvm::json::Array GuardFields, GuardHelpers;
  llvm::DenseMap<FileID, std::optional<FixItHint>> IncludeFixes;
  /// Files whose include a diagnostic's fix-its already carry.
  llvm::DenseSet<FileID> IncludeOffered;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MISSINGGUARDEDBYCHECK_H
