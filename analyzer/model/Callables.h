// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Callables.h - where stored callables come from and are called ---===//
//
// A callable slot is a place a callable is kept and later called: a data
// member or a parameter of type std::function, a function pointer, or a
// container of them (`std::vector<std::function<void()>> observers_`). The
// unit model records what is stored into each slot (a lambda, a function,
// another slot) and treats a call through a slot (`cb()`, `for (auto &o :
// observers_) o();`) as a call of everything stored into it. Slots are
// classes, like lock classes: every object's `observers_` is one slot.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MODEL_CALLABLES_H
#define FEARLESS_ANALYZER_MODEL_CALLABLES_H

#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::fearless {

/// Whether \p T is a callable slot type: std::function (and
/// move_only_function), a pointer or reference to a function, or a std
/// container or wrapper of one of these.
bool isCallableSlotType(QualType T);

/// The data member or parameter an lvalue \p E is rooted at: `t_`,
/// `thread_->`, `*p`, `cbs_[i]`, `cbs_.front()`, a range-for element or a
/// local bound to one of these (through copies, moves and C++11's elidable
/// temporaries). A parameter is given as the canonical declaration's.
/// \p ViaThis: a member of `*this`.
const ValueDecl *rootDecl(const Expr *E, bool *ViaThis = nullptr);

/// The slot \p E names: a data member of callable slot type, or a parameter
/// (as the canonical declaration's parameter), also through an element
/// access (`cbs_[i]`, `cbs_.front()`), a range-for element or a local bound
/// to one. \p ViaThis: the member is reached through `this`.
const ValueDecl *slotOf(const Expr *E, bool *ViaThis = nullptr);

/// What \p Value stores into a slot: a function (a lambda's call operator,
/// a named function, `&f`) in \p Function, with \p CapturesThis when it is
/// a lambda capturing `this`; or another slot in \p From. False if neither.
bool storedValue(const Expr *Value, const FunctionDecl *&Function,
                 bool &CapturesThis, const ValueDecl *&From);

/// The lambda a callable expression holds: the lambda itself, a local
/// variable of lambda type, or a std::function (a local variable, a
/// temporary, `std::move(f)`) made from one; null otherwise. An RPC layer's
/// `call(std::function<void()> done)` given such a variable runs that
/// lambda's captures later, as if given the lambda.
const LambdaExpr *lambdaHeld(const Expr *E);

/// The body a callable argument runs: a lambda's (lambdaHeld, or any value
/// of lambda type), or a function's given by name or `&f`; null otherwise.
const Stmt *callableBody(const Expr *Arg);

/// The slot \p Call calls through (`cb()`, `(*fp)()`, `observers_[i]()`),
/// or null; \p ViaThis as for slotOf().
const ValueDecl *calledSlot(const Expr *Call, bool *ViaThis = nullptr);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MODEL_CALLABLES_H
