// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- GuardAcrossAwaitCheck.h - fearless-guard-across-await -------------===//
//
// Finds locks held across a suspension point of a coroutine (co_await,
// co_yield): Rust's "future cannot be sent between threads safely" for a
// MutexGuard held across an .await, and clippy's await_holding_lock.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_GUARDACROSSAWAITCHECK_H
#define FEARLESS_ANALYZER_GUARDACROSSAWAITCHECK_H

#include "FearlessCheck.h"

namespace clang::tidy::fearless {

/// Finds lock guards (and locks taken by hand) alive across a co_await or
/// co_yield of a coroutine.
///
/// For the user-facing documentation see:
/// docs/checks/fearless-guard-across-await.md
class GuardAcrossAwaitCheck : public FearlessCheck {
public:
  GuardAcrossAwaitCheck(StringRef Name, ClangTidyContext *Context)
      : FearlessCheck(Name, Context) {}
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus20;
  }
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  ASTContext *Ctx = nullptr;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_GUARDACROSSAWAITCHECK_H
