// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- LockOrderCheck.h - fearless-lock-order ---------------------------===//
//
// Finds locks acquired in inconsistent orders (a cycle of nested
// acquisitions, also through calls), orders contradicting
// FEARLESS_ACQUIRED_BEFORE/AFTER, and a lock acquired again by a function
// called while it is held.
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_LOCKORDERCHECK_H
#define FEARLESS_ANALYZER_LOCKORDERCHECK_H

#include "FearlessCheck.h"
#include "LockOrderGraph.h"
#include "LockScope.h"
#include "model/UnitModel.h"

#include "llvm/ADT/DenseSet.h"
#include <set>

namespace clang::tidy::fearless {

/// Finds locks acquired in inconsistent orders (a cycle of nested
/// acquisitions, also through calls), orders contradicting
/// FEARLESS_ACQUIRED_BEFORE/AFTER, and a lock acquired again by a function
/// called while it is held.
///
/// For the user-facing documentation see:
/// docs/checks/fearless-lock-order.md
class LockOrderCheck : public FearlessCheck {
public:
  LockOrderCheck(StringRef Name, ClangTidyContext *Context);
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void onEndOfTranslationUnit() override;

private:
  struct EdgeSite {
    SourceLocation Held, Acquired;
    const FunctionDecl *Function;
    std::string Via; ///< the callee that acquires, or ""
  };
  void addEdge(const HeldLock &From, const HeldLock &To, SourceLocation At,
               const FunctionDecl *FD, const std::string &Via);
  void reportSelfDeadlock(const HeldLock &H, const CallSite &C,
                          const CallTarget &T, const LockAcquisition &A);
  /// Lockdep's "possible recursive locking": a lock of a class acquired
  /// (at \p At, or by the call to \p Via) while another object's lock of
  /// the same class is held.
  void reportSameClass(const HeldLock &H, SourceLocation At,
                       const std::string &Via);
  void writeFacts();

  std::string FactsDirectory;
  bool SameClassNesting;
  llvm::DenseSet<SourceLocation> ReportedSameClass;
  ASTContext *Ctx = nullptr;
  const UnitModel *Model = nullptr;
  LockOrderGraph Graph;
  std::vector<EdgeSite> Sites;
  std::set<std::pair<std::string, std::string>> ReportedDeclared;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_LOCKORDERCHECK_H
