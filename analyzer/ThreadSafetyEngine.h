// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- ThreadSafetyEngine.h - Clang's thread-safety analysis, hosted ----===//
//
// Runs Clang's own thread-safety engine (clang/Analysis/Analyses/
// ThreadSafety.h) on one function the way Sema does for -Wthread-safety, and
// records every finding with Clang's wording and notes instead of printing it,
// so that checks can filter, rewrite and report them through clang-tidy.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_THREADSAFETYENGINE_H
#define FEARLESS_ANALYZER_THREADSAFETYENGINE_H

#include "clang/AST/Decl.h"
#include "clang/Analysis/Analyses/ThreadSafety.h"
#include "clang/Basic/SourceLocation.h"
#include "llvm/ADT/SmallVector.h"
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace clang::tidy::fearless {

/// The diagnostic group Clang puts a finding in (-Wthread-safety-<group>).
enum class TSGroup {
  Analysis,
  Precise,
  Reference,
  ReferenceReturn,
  Negative,
  Pointer, ///< LLVM 22: -Wthread-safety-pointer
};

/// One argument of a diagnostic: a string, a %select index, or a declaration
/// (printed quoted, as Clang prints it).
using TSArg = std::variant<std::string, int, const NamedDecl *>;

struct TSNote {
  SourceLocation Loc;
  const char *Format = ""; ///< Clang's note text, with %N placeholders
  llvm::SmallVector<TSArg, 3> Args;
};

/// Findings that checks need to tell apart beyond their wording.
enum class TSKind {
  Other,
  DoubleLock,      ///< "acquiring ... that is already held"
  UnmatchedUnlock, ///< "releasing ... that was not held"
  NotHeldAtEnd,    ///< "expecting ... to be held at the end of function"
  HeldAtEnd,       ///< "... is still held at the end of function"
  HeldOnSomePaths, ///< "... is not held on every path through here"
  InvalidLockExp,  ///< "cannot resolve lock expression"
};

/// One finding of the engine, in Clang's words.
struct TSFinding {
  SourceLocation Loc;
  const char *Format = ""; ///< Clang's warning text, with %N placeholders
  llvm::SmallVector<TSArg, 4> Args;
  llvm::SmallVector<TSNote, 2> Notes;
  TSGroup Group = TSGroup::Analysis;
  TSKind Kind = TSKind::Other;

  // For "requires holding" findings (handleMutexNotHeld): what was accessed
  // or called, how, and which capability was missing (LockName also for
  // NotHeldAtEnd and HeldAtEnd).
  bool IsMutexNotHeld = false;
  const NamedDecl *D = nullptr;
  threadSafety::ProtectedOperationKind POK = threadSafety::POK_VarAccess;
  threadSafety::LockKind LK = threadSafety::LK_Exclusive;
  std::string LockName;
  /// A held capability with the same member as LockName ("found near match").
  std::string NearMatch;
};

struct TSOptions {
  /// -Wthread-safety-beta: LLVM 22's experimental alias analysis. (LLVM 19's
  /// beta, the acquired_before/after checks, is always on, as in LLVM 22.)
  bool Beta = false;
  bool Verbose = false; ///< -Wthread-safety-verbose (extra notes)
};

/// Runs the engine on function definitions of one translation unit. Owns the
/// acquired-before cache that Sema keeps per translation unit.
class ThreadSafetyEngine {
public:
  explicit ThreadSafetyEngine(TSOptions Opts) : Opts(Opts) {}
  ~ThreadSafetyEngine();
  ThreadSafetyEngine(const ThreadSafetyEngine &) = delete;
  ThreadSafetyEngine &operator=(const ThreadSafetyEngine &) = delete;

  /// Whether Sema would analyse \p FD: a definition with a body, not in a
  /// dependent context, not invalid, not in a system header.
  static bool isAnalysable(const FunctionDecl *FD, const SourceManager &SM);

  /// Analyses \p FD and returns its findings sorted by location.
  std::vector<TSFinding> analyse(const FunctionDecl *FD,
                                 const SourceManager &SM);

private:
  TSOptions Opts;
  threadSafety::BeforeSet *BeforeCache = nullptr;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_THREADSAFETYENGINE_H
