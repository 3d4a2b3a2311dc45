// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Vocabulary.h - what is a mutex, a wait, a blocking call -----------===//
//
// The analyzer's one table of lock and blocking names: which types are
// mutexes (and which of them are recursive), which calls wait on a
// condition variable, which calls block the calling thread (sleep, join,
// future::get, channel receive and bounded send, plus the user's
// BlockingFunctions), and which library calls run a callable argument right
// where they are called (std algorithms, call_once, a condition wait's
// predicate). Checks and the unit model ask here; nothing else spells these
// names.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MODEL_VOCABULARY_H
#define FEARLESS_ANALYZER_MODEL_VOCABULARY_H

#include "clang/AST/Expr.h"
#include "clang/AST/Type.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"

namespace clang::tidy::fearless {

/// Whether \p T (or what it points to) is a mutex type: the std:: mutexes,
/// fearless::Mutex and RwLock, or a class annotated as a capability.
bool isMutexType(QualType T);

/// Whether \p T is a mutex its owner may lock again (std::recursive_mutex,
/// std::recursive_timed_mutex, a FEARLESS_REENTRANT_CAPABILITY class).
bool isRecursiveMutexType(QualType T);

/// Whether \p QualifiedCallee (as calleeName() prints it) is a condition
/// variable wait: std::condition_variable(_any)::wait*,
/// fearless::Condvar::wait*.
bool isConditionWait(llvm::StringRef QualifiedCallee);
/// The same for notify_one / notify_all.
bool isConditionNotify(llvm::StringRef QualifiedCallee);

/// What a call blocks on ("sleeps", "waits for a thread", ...), or "" if it
/// does not block. \p Extra are the user's BlockingFunctions (qualified, no
/// leading "::"). For a condition variable wait, \p WaitGuard is the lock
/// argument the wait releases while it waits.
llvm::StringRef blockingKind(const Expr *Call, const llvm::StringSet<> &Extra,
                             const Expr *&WaitGuard);

/// Whether the guard variable \p Guard adopts a lock its caller already
/// holds (`std::unique_lock<std::mutex> l(*mu_, std::adopt_lock)`, as
/// leveldb's port::CondVar::Wait does).
bool adoptsLock(const ValueDecl *Guard);

/// The operand of `std::move(x)` or `std::forward<T>(x)`; null for any
/// other call.
const Expr *movedOperand(const CallExpr *CE);

/// Parses a list of qualified names, the form of the BlockingFunctions and
/// ResumesElsewhere options ("::io::read;::net::Socket::recv").
llvm::StringSet<> parseBlockingFunctions(llvm::StringRef Text);

/// Whether \p Call runs its callable argument \p Arg synchronously, before
/// it returns: a lambda called at once (`[&] { ... }()`), a std algorithm
/// (`std::for_each`, `std::sort`, ...), `std::call_once`, `std::invoke`, or a
/// condition variable wait's predicate.
bool runsCallableInPlace(const CallExpr *Call, const Expr *Arg);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MODEL_VOCABULARY_H
