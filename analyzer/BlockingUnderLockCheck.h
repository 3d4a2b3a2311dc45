//===--- BlockingUnderLockCheck.h - fearless-blocking-under-lock ----------===//
//
// Finds calls that block (sleep, join, future::get, channel recv and bounded
// send, waiting on a condition variable for another mutex, configured I/O)
// while a lock is held.
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_BLOCKINGUNDERLOCKCHECK_H
#define FEARLESS_ANALYZER_BLOCKINGUNDERLOCKCHECK_H

#include "FearlessCheck.h"
#include "LockScope.h"

#include "llvm/ADT/StringSet.h"

namespace clang::tidy::fearless {

/// Finds calls that block (sleep, join, future::get, channel recv and
/// bounded send, waiting on a condition variable for another mutex,
/// configured I/O) while a lock is held.
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

  /// What a call blocks on, or "" if it does not block. For a condition
  /// variable wait, \p WaitGuard is the lock the wait releases.
  StringRef blockingKind(const Expr *Call, const Expr *&WaitGuard) const;

private:
  std::string RawBlockingFunctions;
  llvm::StringSet<> BlockingFunctions;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_BLOCKINGUNDERLOCKCHECK_H
