// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- BoundaryCheck.h - base of the checks that look at boundaries ------===//
//
// The checks that look at what crosses a thread boundary share the option
// SpawnFunctions (user executors, DESIGN.md section 2):
//
//   SpawnFunctions: '::ThreadPool::submit:0;::boost::asio::post:1'
//
// each entry a qualified function name and the zero-based index of the
// argument that runs on another thread (the object of a member call is not
// counted). It is read from the check's own options or, if absent, from the
// global option 'SpawnFunctions', so one setting serves every check. A
// malformed entry is a configuration error.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_BOUNDARYCHECK_H
#define FEARLESS_ANALYZER_BOUNDARYCHECK_H

#include "FearlessCheck.h"
#include "ThreadBoundary.h"
#include "TypeProperties.h"

#include <optional>
#include <vector>

namespace clang::tidy::fearless {

class BoundaryCheck : public FearlessCheck {
public:
  /// \p MoreOptions: the check's own options besides SpawnFunctions.
  BoundaryCheck(StringRef Name, ClangTidyContext *Context,
                llvm::ArrayRef<StringRef> MoreOptions = {});
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) final;
  /// Checks every boundary of the unit, then calls endOfUnit().
  void onEndOfTranslationUnit() final;

protected:
  /// Called for every boundary found.
  virtual void checkBoundary(const ThreadBoundary &B, ASTContext &Ctx) = 0;
  /// After every boundary of the unit was checked.
  virtual void endOfUnit() {}

  /// Prints a reason chain as notes at \p Fallback where a step has no
  /// location of its own.
  void emitChain(const Verdict &V, SourceLocation Fallback);

  /// The unit's shared Send/Sync/ThreadSafe cache (UnitModel::types).
  TypeProperties &props() { return *Props; }
  /// The unit being checked (in checkBoundary() and endOfUnit()); null
  /// when nothing was matched.
  ASTContext *unitContext() const { return Ctx; }

private:
  TypeProperties *Props = nullptr;
  ASTContext *Ctx = nullptr;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_BOUNDARYCHECK_H
