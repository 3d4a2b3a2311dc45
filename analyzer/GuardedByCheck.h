// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
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
#include <set>
#include <string>
#include <utility>
#include <vector>

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

  /// Where the engine's findings are artefacts of the std model, found by
  /// one walk over the unit (FunctionCollector in the .cpp).
  struct EngineArtefacts {
    /// Calls on a std::mutex that implements a user capability: not judged.
    llvm::DenseSet<SourceLocation> WrappedUses;
    /// owns_lock() / operator bool calls on standard lockers.
    llvm::DenseSet<SourceLocation> OwnershipQueries;
    /// The same on a temporary locker.
    llvm::DenseSet<SourceLocation> TemporaryQueries;
    /// Unlocks through the pointer that unique_lock::release() returned.
    llvm::DenseSet<SourceLocation> ReleasedUnlocks;
    /// (end of function, mutex) for lockers released in that function.
    std::set<std::pair<SourceLocation, std::string>> ReleasedAtEnd;
    /// See returnedLockerSites.
    llvm::DenseSet<SourceLocation> ReturnedLockerSites;
    /// Functions that acquire for their caller by returning a locker
    /// (inferReturnedLocker). The local locker they return is destroyed at
    /// their end in the engine's CFG: its "expecting the mutex to be held
    /// at the end of function" (noted at the function) is that artefact.
    llvm::DenseSet<SourceLocation> InferredAcquirers;
    /// Acquisitions and releases of a recursive mutex (a lock() or unlock()
    /// call, a guard declaration) whose reentrancy the engine does not know
    /// (std's, and FEARLESS_REENTRANT_CAPABILITY under LLVM 19), so
    /// "already held" and "not held" there are its artefacts (lock-order
    /// owns real self-deadlocks).
    llvm::DenseSet<SourceLocation> RecursiveSites;
    /// (access or call, mutex name) where a recursive mutex of
    /// RecursiveSites is still held by the count of its acquisitions and
    /// releases (LockScope's walk): the engine, counting no depth, takes an
    /// inner release as the last (llvm-project #154281).
    std::set<std::pair<SourceLocation, std::string>> RecursiveHeld;
    /// lock()/unlock() calls on a locker that is a reference parameter (a
    /// helper such as `void unlock_lck(std::unique_lock<std::mutex> &l)`):
    /// they act on the caller's locker, which the engine cannot see here;
    /// the same on a locker a lambda took over by an init-capture.
    llvm::DenseSet<SourceLocation> ParamLockerSites;
    /// (scope, mutex) of each local locker that adopted a mutex locked by
    /// hand and is unlocked through the locker somewhere in its scope
    /// (llvm-project #63239). The engine keeps the hand-taken hold as its
    /// own, not the locker's, so where a conditional `l.unlock()` joins the
    /// path that kept it, it reports "not held on every path" -- although
    /// the locker releases it at its scope's end on that path. A join
    /// outside the locker's scope (the locker ended on one path only) is
    /// still reported.
    std::vector<std::pair<SourceRange, std::string>> AdoptingLockers;
    /// (function, name) of lockers returned by calls the engine cannot
    /// follow.
    std::vector<std::pair<SourceRange, std::string>> UnknownLockers;
  };

private:
  void emit(const TSFinding &F);
  bool enabled(TSGroup G) const;

  const bool Beta;
  const bool Negative;
  const bool Pointer;
  const bool Reference;
  const bool Verbose;
  const bool InheritLocksInLambdas;

  ASTContext *Ctx = nullptr;
  /// Lambdas handed to another thread: analysed with no locks held.
  llvm::DenseSet<const Expr *> BoundaryArgs;
  llvm::DenseSet<const Expr *> BoundarySites;
  EngineArtefacts Artefacts;
  bool isUnknownLocker(const TSFinding &F) const;
  bool isAdoptedJoin(const TSFinding &F) const;
  bool isRecursiveHeld(const TSFinding &F) const;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_GUARDEDBYCHECK_H
