// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- BlockingUnderLockCheck.h - fearless-blocking-under-lock ----------===//
//
// Finds calls that block (sleep, join, future::get, channel recv and bounded
// send, waiting on a condition variable for another mutex, configured I/O)
// while a lock is held, directly or in a function called with it held.
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_BLOCKINGUNDERLOCKCHECK_H
#define FEARLESS_ANALYZER_BLOCKINGUNDERLOCKCHECK_H

#include "FearlessCheck.h"
#include "model/UnitModel.h"

namespace clang::tidy::fearless {

/// Finds calls that block (sleep, join, future::get, channel recv and
/// bounded send, waiting on a condition variable for another mutex,
/// configured I/O) while a lock is held, directly or in a function called
/// with it held.
///
/// For the user-facing documentation see:
/// docs/checks/fearless-blocking-under-lock.md
class BlockingUnderLockCheck : public FearlessCheck {
public:
  BlockingUnderLockCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  void direct(const BlockingCall &B);
  void throughCall(const UnitModel &M, const FunctionFacts &F,
                   const CallSite &C);

  std::string RawBlockingFunctions;
  ASTContext *Ctx = nullptr;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_BLOCKINGUNDERLOCKCHECK_H
