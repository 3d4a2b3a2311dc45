// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- UnitModel.h - one translation unit's functions, locks and calls --===//
//
// The shared model of a translation unit, computed once (at the first
// question after the unit was parsed) and only asked by checks; it never
// diagnoses. For every function, method, lambda and template instantiation
// defined in the unit it records, from one scope-based walk of the body
// (LockScope):
//
//   - the locks it acquires, with the locks held at that point;
//   - the blocking calls it makes (Vocabulary: sleep, join, future::get,
//     condition waits, channel receives, BlockingFunctions), with the locks
//     held there;
//   - the calls it makes, with the locks held at each;
//   - for a coroutine, its suspension points, with the locks held and the
//     variables alive across each (model/Coroutines.h).
//
// A lambda that runs where it is written (called at once, a local lambda
// only ever called, a std algorithm's or a condition wait's callable) belongs
// to the function that writes it; any other lambda -- a thread's body, a
// stored callback -- is a function of its own, entered with no lock held,
// so a lock taken in a thread's body is the thread's, not the spawner's.
//
// From these it computes summaries to a fixpoint over the unit's call graph
// (virtual calls reach every override visible in the unit): the lock
// classes a function may acquire and the blocking calls it may reach, each
// with the call path. The same facts, keyed by USR, are what the unit
// writes for fearless-check (writeFacts), which joins them across units.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MODEL_UNITMODEL_H
#define FEARLESS_ANALYZER_MODEL_UNITMODEL_H

#include "Coroutines.h"
#include "LockScope.h"
#include "Publication.h"
#include "ThreadBoundary.h"
#include "TypeProperties.h"

#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang/AST/ASTContext.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include <string>
#include <vector>

namespace clang::tidy::fearless {

/// One call of a path: \c Callee is called at \c Loc (in the previous
/// function of the path).
struct CallStep {
  const FunctionDecl *Callee = nullptr;
  SourceLocation Loc;
};

/// A lock a function acquires: directly (empty Path) at Lock.Loc, or through
/// the calls of Path, the last of which acquires it at Lock.Loc.
struct LockAcquisition {
  HeldLock Lock;
  /// Direct only: the locks active when it was acquired.
  std::vector<HeldLock> Held;
  /// Direct only: the function held it on entry (FEARLESS_REQUIRES) or
  /// released it earlier, so taking it again is not an acquisition its
  /// callers make (leveldb's `mutex_.Unlock(); ...; mutex_.Lock();`).
  bool Reacquired = false;
  std::vector<CallStep> Path;
};

/// A call that blocks the calling thread: directly (empty Path) at Loc, or
/// through the calls of Path, the last of which makes it at Loc.
struct BlockingCall {
  std::string Callee;   ///< "std::thread::join"
  llvm::StringRef Kind; ///< "waits for a thread"
  SourceLocation Loc;
  /// Direct only: the locks active at the call, and for a condition wait
  /// the guard or mutex it releases while it waits.
  std::vector<HeldLock> Held;
  const ValueDecl *Releases = nullptr;
  /// Lock classes released (unlocked by hand) on the path before the call:
  /// a caller holding one of them does not hold it while this blocks.
  llvm::SmallVector<const ValueDecl *, 2> ReleasedBefore;
  std::vector<CallStep> Path;
};

/// A call of another function, with the locks active there.
struct CallSite {
  const FunctionDecl *Callee = nullptr; ///< canonical declaration
  /// A call through a callable slot (Callables.h) instead: a std::function
  /// or function-pointer member or parameter; Callee is null.
  const ValueDecl *Slot = nullptr;
  bool Virtual = false;
  bool ThroughThis = false; ///< `this->f()` or `f()` in a method
  SourceLocation Loc;
  std::vector<HeldLock> Held;
  /// Locks the caller held on entry or released before this call: what the
  /// callee takes of them, the caller takes back, not acquires for its own
  /// callers (leveldb's DoCompactionWork drops mutex_, then calls
  /// OpenCompactionOutputFile, which locks it).
  llvm::SmallVector<const ValueDecl *, 2> Reacquirable;
  /// Lock classes released by hand before the call.
  llvm::SmallVector<const ValueDecl *, 2> ReleasedBefore;
};

/// A callable stored into a slot: a function (a lambda's call operator)
/// or whatever another slot holds.
struct SlotStore {
  const ValueDecl *Slot = nullptr;
  const FunctionDecl *Function = nullptr;
  const ValueDecl *From = nullptr;
  /// A lambda capturing `this`, stored into a member of `*this`: called
  /// through `this`'s slot, it runs on the same object.
  bool SelfBound = false;
  SourceLocation Loc;
};

/// One function a call may run.
struct CallTarget {
  const FunctionDecl *Function = nullptr;
  /// The callee runs on the caller's own object.
  bool ThroughThis = false;
  /// For a call through a slot: where the function was stored.
  SourceLocation StoredAt;
};

/// A suspension point of a coroutine (model/Coroutines.h).
struct Suspension {
  const CoroutineSuspendExpr *Expr = nullptr;
  SourceLocation Loc; ///< the co_await / co_yield keyword
  /// The locks active across it.
  std::vector<HeldLock> Held;
  /// The automatic variables alive across it (parameters included).
  llvm::SmallVector<const VarDecl *, 4> Live;
};

struct FunctionFacts {
  /// Canonical declaration; for a lambda that runs elsewhere, its call
  /// operator.
  const FunctionDecl *Function = nullptr;
  /// The named function the user wrote it in (itself, or the function that
  /// contains the lambda): what messages call it.
  const FunctionDecl *Named = nullptr;
  std::vector<LockAcquisition> Acquisitions;
  std::vector<BlockingCall> Blocking;
  std::vector<CallSite> Calls;
  /// Callables it stores into slots.
  std::vector<SlotStore> Stores;
  /// Members of its own object whose threads it joins itself.
  llvm::SmallVector<const FieldDecl *, 1> Joins;
  /// A coroutine: its suspension points, in the order of the body.
  bool Coroutine = false;
  std::vector<Suspension> Suspensions;
};

class UnitModel {
public:
  /// The model of the unit \p Ctx belongs to, computed at the first call
  /// after reset() (any time after the unit was parsed: during matching or
  /// at its end).
  static UnitModel &get(ASTContext &Ctx);
  /// Every thread boundary of the unit (ThreadBoundary.h: std and fearless
  /// spawners, channels, FEARLESS_SPAWNS, and the executors of \p Spawn),
  /// found once per unit and per SpawnFunctions setting (\p Key, its text)
  /// by one search of the AST, in the order the AST holds them.
  static llvm::ArrayRef<ThreadBoundary>
  boundaries(ASTContext &Ctx, llvm::ArrayRef<SpawnFunction> Spawn,
             llvm::StringRef Key);

  /// What the unit publishes to threads without a lock (Publication.h),
  /// with the boundaries of the same SpawnFunctions setting.
  static Publication &publication(ASTContext &Ctx,
                                  llvm::ArrayRef<SpawnFunction> Spawn,
                                  llvm::StringRef Key);

  /// The unit's one Send/Sync/ThreadSafe (and guard path) cache, shared by
  /// every check; it does not need the rest of the model to be built.
  static TypeProperties &types(ASTContext &Ctx);
  /// Forgets the previous unit's model; every fearless check calls it when
  /// a unit starts (FearlessCheck). Options (BlockingFunctions) are read
  /// from \p Tidy when the next model is built.
  static void reset(ClangTidyContext *Tidy);

  const llvm::MapVector<const FunctionDecl *, FunctionFacts> &
  functions() const {
    return Facts;
  }
  /// The lock classes \p FD may acquire for its callers, directly or through
  /// calls, one per class (the shortest path found), including what
  /// FEARLESS_ACQUIRE declares on functions defined elsewhere.
  llvm::ArrayRef<LockAcquisition> acquires(const FunctionDecl *FD) const;
  /// The blocking calls \p FD may reach, one per callee name. A condition
  /// wait counts only when it waits on a lock \p FD itself holds (a wait on
  /// a guard passed in releases the caller's lock).
  llvm::ArrayRef<BlockingCall> blocks(const FunctionDecl *FD) const;
  /// Whether a lock is held where \p Use runs inside \p Body (a function's
  /// or a lambda's body, walked on its own: a lambda body starts with no
  /// lock held unless it runs in place). The one answer every check gets;
  /// computed once per body.
  bool lockedAt(const Stmt *Use, const Stmt *Body);

  /// The coroutines of the unit that may resume on another thread than the
  /// one that started them (model/Coroutines.h), keyed by canonical
  /// declaration, with why: handed over one of \p Boundaries, or co_awaited
  /// by such a coroutine. (An await that resumes elsewhere is a property of
  /// one suspension: awaitResumesElsewhere.)
  llvm::DenseMap<const FunctionDecl *, ResumesElsewhere>
  coroutinesResumingElsewhere(llvm::ArrayRef<ThreadBoundary> Boundaries) const;

  /// Whether \p FD joins the thread (or every thread of the container) held
  /// in member \p Field of its own object, directly (`t_.join()`,
  /// `thread_->join()`, a loop joining `workers_`) or through calls on
  /// `this` (a private helper, `Close()`).
  bool joins(const FunctionDecl *FD, const FieldDecl *Field) const;

  /// What the call may run: the callee, for a virtual call every override
  /// visible in the unit, for a call through a slot everything the unit
  /// stores into it (directly or through other slots).
  std::vector<CallTarget> targets(const CallSite &C) const;
  /// How messages name the callee of \p C that runs \p T: the function, or
  /// for a call through a slot, the slot ("Bus::observers_").
  std::string calleeName(const CallSite &C, const FunctionDecl *T) const;

  /// Whether \p D is declared in a system header (where its macro was
  /// expanded, for a declaration a macro wrote): nothing there is modelled,
  /// and AST searches skip it (most of a unit is the standard library).
  static bool isSystem(const Decl *D);

  /// Whether \p FD is a definition every analysis may walk: it has a body,
  /// is not a template pattern, not invalid, not in a system header, and
  /// (in a unit that does not compile) its body holds no expression Clang
  /// could not build. Such bodies are skipped, as Sema skips its own
  /// analysis-based warnings after an error.
  static bool isAnalysable(const FunctionDecl *FD);

  /// Whether \p L names a lock class: a field or a variable with static
  /// storage (a local or a parameter is another mutex on every call).
  static bool isLockClass(const HeldLock &L);
  /// Whether \p A and \p B are provably the same mutex object: the same
  /// global (or the same member of the same global object), or the same
  /// member of `*this` (with \p ThroughThis: reached through calls on
  /// `this`). Another object's member of the same class is a different
  /// mutex of the same lock class.
  static bool sameInstance(const HeldLock &A, const HeldLock &B,
                           bool ThroughThis = true);
  /// Whether \p A and \p B are provably different objects' mutexes: members
  /// of two different global objects (g_state.mu, g_other.mu).
  static bool distinctInstances(const HeldLock &A, const HeldLock &B) {
    return A.Global && B.Global && A.Object != B.Object;
  }
  /// Whether the lock class is a recursive mutex.
  static bool isRecursive(const ValueDecl *Class);
  /// "ns::f" for \p FD; "ns::f::{lambda}" for a lambda written in ns::f
  /// that is a function of its own.
  std::string displayName(const FunctionDecl *FD) const;
  /// The user's BlockingFunctions.
  const llvm::StringSet<> &blockingFunctions() const { return Extra; }

  /// Writes the unit's facts file (docs/facts.md) into \p Dir, adding
  /// \p Edges (the lock-order check's own graph). Returns an error message,
  /// or "" on success.
  std::string writeFacts(llvm::StringRef Dir, llvm::json::Array Edges,
                         llvm::ArrayRef<std::string> EnabledChecks) const;
  /// A location as the facts file writes it.
  llvm::json::Object location(SourceLocation L) const;

private:
  UnitModel(ASTContext &Ctx, ClangTidyContext *Tidy);
  void build();
  void summarise();

  ASTContext &Ctx;
  llvm::StringSet<> Extra;
  llvm::MapVector<const FunctionDecl *, FunctionFacts> Facts;
  llvm::DenseMap<const FunctionDecl *, std::vector<LockAcquisition>> Acquires;
  llvm::DenseMap<const FunctionDecl *, std::vector<BlockingCall>> Blocks;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<const FieldDecl *, 2>>
      Joined;
  llvm::DenseMap<const FunctionDecl *, std::vector<const FunctionDecl *>>
      Overriders;
  llvm::DenseMap<const ValueDecl *, std::vector<SlotStore>> SlotStores;
  /// Per body asked about: the statements that run with a lock held.
  llvm::DenseMap<const Stmt *, llvm::DenseSet<const Stmt *>> LockedIn;
  /// For lambdas that are functions of their own: the named function.
  llvm::DenseMap<const FunctionDecl *, const FunctionDecl *> NamedOf;

  friend class ModelBuilder;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MODEL_UNITMODEL_H
