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

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"

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

  /// A lock a function acquires, directly or through its callees.
  struct Acquisition {
    const ValueDecl *Class = nullptr;
    std::string Name;
    SourceLocation Loc; ///< the lock() / guard in the function that locks
    bool Global = false;
    bool ViaThis = false;
    /// The calls from the summarised function down to the one that locks.
    std::vector<std::pair<const FunctionDecl *, SourceLocation>> Path;
  };
  struct CallSite {
    const FunctionDecl *Callee;
    bool Virtual;
    bool ThroughThis;
    SourceLocation Loc;
    std::vector<HeldLock> Held;
    /// Locks the caller held on entry or released before this call: what
    /// the callee takes of them, the caller takes back, not acquires for
    /// its own callers (leveldb's DoCompactionWork drops mutex_, then calls
    /// OpenCompactionOutputFile, which locks it).
    llvm::SmallVector<const ValueDecl *, 2> Reacquirable;
  };
  struct FunctionFacts {
    std::vector<Acquisition> Direct;
    std::vector<CallSite> Calls;
  };
  /// An edge's first site.
  struct EdgeSite {
    SourceLocation Held, Acquired;
    const FunctionDecl *Function;
    std::string Via; ///< the callee that acquires, or ""
  };

  /// \p Reacquired: the function held \p New on entry (FEARLESS_REQUIRES)
  /// or released it earlier, so taking it is not an acquisition its callers
  /// make (leveldb's `mutex_.Unlock(); ...; mutex_.Lock();` inside a
  /// function that requires mutex_).
  void recordAcquisition(const FunctionDecl *FD, const HeldLock &New,
                         llvm::ArrayRef<HeldLock> Held, bool Reacquired);
  void recordCall(const FunctionDecl *FD, const Expr *Call,
                  llvm::ArrayRef<HeldLock> Held,
                  llvm::ArrayRef<const ValueDecl *> Reacquirable);

private:
  void addEdge(const HeldLock &From, const Acquisition &To, SourceLocation At,
               const FunctionDecl *FD, const std::string &Via);
  void computeSummaries();
  std::vector<const FunctionDecl *> targets(const CallSite &C) const;
  void reportSelfDeadlock(const HeldLock &H, const CallSite &C,
                          const FunctionDecl *Target, const Acquisition &A);
  void writeFacts();

  std::string FactsDirectory;
  SourceManager *SM = nullptr;
  llvm::MapVector<const FunctionDecl *, FunctionFacts> Facts;
  llvm::DenseMap<const FunctionDecl *, std::vector<Acquisition>> Summaries;
  llvm::DenseMap<const CXXMethodDecl *, std::vector<const CXXMethodDecl *>>
      Overriders;
  LockOrderGraph Graph;
  std::vector<EdgeSite> Sites;
  std::map<std::string, const ValueDecl *> ClassDecls;
  std::set<std::pair<std::string, std::string>> ReportedDeclared;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_LOCKORDERCHECK_H
