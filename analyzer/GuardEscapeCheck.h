// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- GuardEscapeCheck.h - fearless-guard-escape
//------------------------===//
//
// Finds references, pointers, iterators and views into data protected by a
// lock guard that outlive the guard: returned, stored in a variable of an
// outer scope, a member, a global or a container, or captured by a callable
// that escapes.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_GUARDESCAPECHECK_H
#define FEARLESS_ANALYZER_GUARDESCAPECHECK_H

#include "FearlessCheck.h"

#include "llvm/ADT/DenseMap.h"
#include <string>
#include <vector>

namespace clang::tidy::fearless {

/// Finds references, pointers, iterators and views into data protected by a
/// lock guard that outlive the guard: returned, stored in a variable of an
/// outer scope, a member, a global or a container, or captured by a callable
/// that escapes.
///
/// For the user-facing documentation see:
/// docs/checks/fearless-guard-escape.md
class GuardEscapeCheck : public FearlessCheck {
public:
  GuardEscapeCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

  /// A thread boundary: what starts the thread, the arguments that cross.
  struct Boundary {
    std::string Spawner;
    std::vector<const Expr *> Crossing;
  };

private:
  std::vector<const FunctionDecl *> Functions;
  /// The thread boundaries of the unit, by call or construction.
  llvm::DenseMap<const Expr *, Boundary> Boundaries;
  ASTContext *Ctx = nullptr;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_GUARDESCAPECHECK_H
