// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Publication.h - shared data made safe without a lock -------------===//
//
// DESIGN §12: data shared with threads needs no lock when it is published
// safely. The unit's answer, computed once, for a variable (a global, a
// static local, or a local shared by reference):
//
//   - never written after its initialiser (a magic static; a global of the
//     unit never assigned) -- the initialiser runs before any use;
//   - written only before any thread starts: in `main` (or in a function
//     only called from `main`, transitively) before the first statement
//     that starts a thread -- a spawn, or a call of a function of the unit
//     that may start one -- and not in a loop around that statement;
//   - built under `std::call_once`, and read after a `call_once` whose
//     callable writes it (or inside such a callable);
//   - written before a release store to an atomic and read after an acquire
//     load of the same atomic tested by a condition (`while
//     (!ready.load(std::memory_order_acquire))`, `if (ready)`).
//
// Double-checked locking on a plain pointer or with a relaxed load stays
// unpublished: no release/acquire pair orders the reads.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MODEL_PUBLICATION_H
#define FEARLESS_ANALYZER_MODEL_PUBLICATION_H

#include "ThreadBoundary.h"

#include "clang/AST/ASTContext.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"

namespace clang::tidy::fearless {

enum class Published {
  No,
  NeverWritten,  ///< no write after the initialiser
  BeforeThreads, ///< every write happens before the first thread starts
  CallOnce,      ///< built under std::call_once, read after it
  ReleaseAcquire ///< written before a release store, read after an acquire
};

/// A note's words for \p P ("written only before the first thread starts").
const char *describe(Published P);

class Publication {
public:
  Publication(ASTContext &Ctx, llvm::ArrayRef<ThreadBoundary> Boundaries);

  /// Whether the use \p Use of \p VD, running on another thread, is safe
  /// without a lock, and why. \p Use may be a read or a write (a write is
  /// safe only under call_once, or before a release store when every write
  /// of \p VD is in the same function).
  Published published(const VarDecl *VD, const DeclRefExpr *Use);

  /// The uses of \p VD in \p Body (nested lambdas included) that write it.
  llvm::SmallVector<const DeclRefExpr *, 4> writesIn(const VarDecl *VD,
                                                      const Stmt *Body);
  /// The first write of \p VD by \p Body itself (not by a lambda in it)
  /// between \p From and \p To (invalid: to the end of the body).
  const DeclRefExpr *writeBetween(const VarDecl *VD, const Stmt *Body,
                                  SourceLocation From, SourceLocation To);
  /// Whether \p Use is a write of the variable it names.
  bool isWrite(const DeclRefExpr *Use) const { return AllWrites.contains(Use); }

private:
  struct AtomicOp {
    const Decl *Atomic = nullptr;
    SourceLocation Loc;
    bool Release = false;
    bool Acquire = false;
    bool InCondition = false;
  };
  void build();
  void addSpawners();
  const llvm::SmallVector<AtomicOp, 4> &atomicsIn(const Stmt *Body);
  bool beforeThreads(const DeclRefExpr *W);
  bool beforeSpawnPoints(SourceRange R, const Stmt *Body,
                         const FunctionDecl *FD);
  bool onceWrite(const DeclRefExpr *W);
  bool afterCallOnce(const VarDecl *VD, const DeclRefExpr *Use);
  /// The atomics released after \p W in its body.
  llvm::SmallVector<const Decl *, 2> releasedAfter(const DeclRefExpr *W);
  bool acquiredBefore(const Decl *Atomic, const DeclRefExpr *Use);
  const Stmt *bodyOf(const Stmt *S, const Decl **Function = nullptr);

  ASTContext &Ctx;
  llvm::ArrayRef<ThreadBoundary> Boundaries;
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<const DeclRefExpr *, 4>>
      Writes;
  llvm::DenseSet<const DeclRefExpr *> AllWrites;
  /// Bodies of callables run by std::call_once, with the call.
  llvm::DenseMap<const Stmt *, const CallExpr *> OnceBodies;
  llvm::SmallVector<const CallExpr *, 4> OnceCalls;
  /// Functions that may start a thread (directly or through calls).
  llvm::DenseSet<const FunctionDecl *> Spawners;
  /// Per function body: where threads may start (spawns and calls of
  /// spawners), in source order.
  llvm::DenseMap<const Stmt *, llvm::SmallVector<const Stmt *, 2>> SpawnPoints;
  /// Functions only called from before the first thread starts.
  llvm::DenseMap<const FunctionDecl *, bool> RunsBefore;
  /// Call sites (callee canonical decl -> calls) and other references.
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<const CallExpr *, 2>>
      CallsOf;
  llvm::DenseSet<const FunctionDecl *> AddressTaken;
  llvm::DenseMap<const Stmt *, llvm::SmallVector<AtomicOp, 4>> Atomics;
  llvm::DenseMap<const Stmt *, const Stmt *> BodyCache;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MODEL_PUBLICATION_H
