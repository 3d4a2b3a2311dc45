// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- LockScope.h - which locks a statement runs under -----------------===//
//
// A syntactic, scope-based walk over a function body that knows, at each
// call, which locks are held: those of lock guards (std::lock_guard,
// unique_lock, scoped_lock, shared_lock, fearless::MutexGuard, ReadGuard,
// WriteGuard, classes annotated as scoped capabilities) whose scope encloses
// the call and that were not unlocked, and
// those taken by an explicit m.lock() and not yet m.unlock()ed. Branches and
// loops keep a lock only if it is held on every way through them. In a
// coroutine it also reports each suspension point (co_await, co_yield) with
// the locks held across it; a coroutine lambda never runs in place (its
// body runs on until its first suspension only).
//
// Shared by fearless-blocking-under-lock, fearless-lock-order and
// fearless-missing-guarded-by. It does not follow moved guards, aliases, or
// locks taken in one function and released in another (see the checks'
// docs).
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_LOCKSCOPE_H
#define FEARLESS_ANALYZER_LOCKSCOPE_H

#include "model/Vocabulary.h"

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/ArrayRef.h"
#include <string>
#include <vector>

namespace clang::tidy::fearless {

/// One acquisition of a lock.
struct HeldLock {
  /// The lock class: the declaration of the mutex (a field, a global, a
  /// local or a parameter); null when the mutex expression is not a name.
  const ValueDecl *Class = nullptr;
  std::string Name;   ///< printable: 'mu_', 'Account::mu_' for classes
  SourceLocation Loc; ///< where it was acquired
  const VarDecl *Guard = nullptr; ///< the guard variable, if any
  bool Active = true;             ///< false after unlock()
  bool Global = false;  ///< a global or static: one instance everywhere
  /// For a member of a global or static object (`g_state.mu`), that object;
  /// for a global mutex, the mutex itself. Two global locks are the same
  /// instance when Class and Object agree.
  const ValueDecl *Object = nullptr;
  bool ViaThis = false; ///< a member of the enclosing method's *this
};

/// Receives the events of a walk.
class LockScopeCallbacks {
public:
  virtual ~LockScopeCallbacks() = default;
  /// \p New was acquired while \p Held (active ones only) were held.
  virtual void acquired(const HeldLock &New, llvm::ArrayRef<HeldLock> Held) {}
  /// A call (or constructor call) while \p Held (active ones only) are held.
  virtual void call(const Expr *Call, llvm::ArrayRef<HeldLock> Held) {}
  /// Whether access() wants to be called: computing the held set at every
  /// member expression is not free.
  virtual bool wantsAccesses() const { return false; }
  /// A member expression (a field or a method named through an object)
  /// evaluated while \p Held (active ones only) are held.
  virtual void access(const MemberExpr *E, llvm::ArrayRef<HeldLock> Held) {}
  /// A variable with static storage (a global, a static member or local)
  /// named while \p Held (active ones only) are held; with wantsAccesses().
  virtual void accessStatic(const DeclRefExpr *E,
                            llvm::ArrayRef<HeldLock> Held) {}
  /// Whether the body of \p L, an argument of \p Call (or the lambda called
  /// by it), runs right there, with the locks held at the call. By default
  /// a lambda body starts with no lock held.
  virtual bool lambdaRunsInPlace(const LambdaExpr *L, const Expr *Call) {
    return false;
  }
  /// Whether statement() wants to be called (for every statement walked).
  virtual bool wantsStatements() const { return false; }
  /// \p S is about to be walked; \p Locked: some lock is held there.
  virtual void statement(const Stmt *S, bool Locked) {}
  /// The walk enters (then leaves) the body of \p L; \p InPlace says whether
  /// it runs right there with the locks held (else it starts with none).
  virtual void enterLambda(const LambdaExpr *L, bool InPlace) {}
  virtual void exitLambda(const LambdaExpr *L, bool InPlace) {}
  /// A suspension point of a coroutine (`co_await`, `co_yield`), reached
  /// after its operand was walked, while \p Held (active ones only) are
  /// held: the coroutine keeps them while it is suspended.
  virtual void suspended(const CoroutineSuspendExpr *S,
                         llvm::ArrayRef<HeldLock> Held) {}
};

/// Walks \p Body, reporting to \p CB. \p Initial are locks held on entry
/// (e.g. from REQUIRES annotations).
void walkLockScopes(const Stmt *Body, LockScopeCallbacks &CB,
                    llvm::ArrayRef<HeldLock> Initial = {});

/// The qualified name of \p D without inline namespaces or template
/// arguments ("std::future", "fearless::Receiver::recv").
std::string plainQualifiedName(const NamedDecl *D);

/// "Class::method" for a member call, using the static type of the object
/// (so an inherited std::future::wait is named after std::future), else the
/// callee's qualified name; empty when the callee is unknown.
std::string calleeName(const Expr *Call, std::string *DeclaringName = nullptr);

/// The lock class and printable name of the mutex expression \p E.
void describeMutex(const Expr *E, const ValueDecl *&Class, std::string &Name);

/// The mutex expressions a lock guard declaration \p Guard locks when it is
/// constructed: the mutex arguments of a std guard or of a class annotated
/// as a scoped capability (none with defer_lock or try_to_lock), the mutex
/// whose lock()/read()/write() returned a fearless guard. False if \p Guard
/// is not a lock guard initialised by one of these. With defer_lock or
/// try_to_lock, the mutexes the guard may lock later go to \p Deferred;
/// with adopt_lock, the mutexes it takes over (already held: not an
/// acquisition) go to \p Adopted.
bool lockedByGuard(const VarDecl *Guard,
                   llvm::SmallVectorImpl<const Expr *> &Mutexes,
                   llvm::SmallVectorImpl<const Expr *> *Deferred = nullptr,
                   llvm::SmallVectorImpl<const Expr *> *Adopted = nullptr);

/// A HeldLock for mutex expression \p E acquired at \p Loc.
HeldLock makeHeldLock(const Expr *E, SourceLocation Loc,
                      const VarDecl *Guard = nullptr);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_LOCKSCOPE_H
