// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Coroutines.h - suspension points and the threads coroutines run on ===//
//
// The model's facts about C++20 coroutines, the one home every check asks:
//
//   - which functions and lambdas are coroutines;
//   - at each suspension point (`co_await`, `co_yield`), the automatic
//     variables alive across it: the locals of every enclosing block
//     declared before it, the loop and condition variables, the parameters
//     (the frame keeps its copies), minus those moved away before it
//     (`std::move(v)`) and not assigned again;
//   - which coroutines may resume on another thread than the one that
//     started them, and why: the task is handed to a spawner (any thread
//     boundary: std::thread, SpawnFunctions, FEARLESS_SPAWNS), it is
//     co_awaited by such a coroutine, or one of its suspensions awaits an
//     awaitable that resumes elsewhere (a type marked
//     FEARLESS_RESUMES_ELSEWHERE, or a type or function the user lists).
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MODEL_COROUTINES_H
#define FEARLESS_ANALYZER_MODEL_COROUTINES_H

#include "ThreadBoundary.h"

#include "clang/AST/Decl.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSet.h"
#include <optional>
#include <string>

namespace clang::tidy::fearless {

/// Whether \p Body (a function's or a lambda's) is a coroutine's.
bool isCoroutineBody(const Stmt *Body);

/// The coroutine \p FD's body, or null when \p FD is not a coroutine
/// defined in this unit.
const Stmt *coroutineBody(const FunctionDecl *FD);

/// The automatic variables alive across each suspension point of the
/// coroutine body \p Body whose parameters are \p Params, in declaration
/// order. Suspensions inside lambdas written in \p Body belong to those
/// lambdas and are not listed.
using LiveAcross =
    llvm::DenseMap<const CoroutineSuspendExpr *,
                   llvm::SmallVector<const VarDecl *, 4>>;
LiveAcross liveAcrossSuspensions(const Stmt *Body,
                                 llvm::ArrayRef<const ParmVarDecl *> Params);

/// The keyword of \p S as written: "co_await" or "co_yield".
llvm::StringRef suspendKeyword(const CoroutineSuspendExpr *S);

/// Why a coroutine may resume on another thread.
struct ResumesElsewhere {
  std::string Why;    ///< "it is handed to 'std::thread'"
  SourceLocation Loc; ///< where
};

/// Awaiter classes whose await_suspend, defined in this unit, hands the
/// coroutine's handle across one of \p Boundaries (cppreference's
/// resume_on_new_thread: `std::thread([h] { h.resume(); }).detach();`, an
/// executor's `pool.post([h] { h.resume(); })`), each with the spawner's
/// name. A class template's awaiter is its pattern's.
using HandOffAwaiters = llvm::DenseMap<const CXXRecordDecl *, std::string>;
HandOffAwaiters handOffAwaiters(llvm::ArrayRef<ThreadBoundary> Boundaries,
                                ASTContext &Ctx);

/// Whether the awaitable of \p S resumes the coroutine on another thread:
/// its type (or the awaiter's) is marked FEARLESS_RESUMES_ELSEWHERE or is
/// one of \p HandOff, or the operand's type or the function whose call it
/// is is named in \p Listed (qualified, no leading "::":
/// "exec::Pool::schedule").
std::optional<ResumesElsewhere>
awaitResumesElsewhere(const CoroutineSuspendExpr *S,
                      const llvm::StringSet<> &Listed,
                      const HandOffAwaiters *HandOff = nullptr);

/// The coroutine a value that crosses a thread boundary starts: a call of
/// a coroutine defined in this unit (`spawn(task(x))`), a coroutine lambda
/// called there or handed over to be called. Null otherwise.
const FunctionDecl *coroutineStartedBy(const Expr *Crossing);

/// Where the task (the coroutine's return object) that \p Call makes goes,
/// for the lifetimes of what the coroutine refers to.
struct TaskFate {
  enum Kind {
    Awaited,       ///< `co_await task(x)`: the caller's frame outlives it
    Consumed,      ///< an argument of a call in the same full-expression
                   ///< (sync_wait(task(x))), or discarded
    StoredInLocal, ///< `Task t = task(x);`: runs after this statement
    Escapes,       ///< returned, stored in a member or container, detached
  } K = Consumed;
  std::string Where;            ///< "is returned", "is stored in 'tasks_'"
  const VarDecl *Local = nullptr; ///< for StoredInLocal
};
TaskFate taskFate(const Expr *Call, ASTContext &Ctx);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MODEL_COROUTINES_H
