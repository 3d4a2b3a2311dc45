//===--- WakeUps.h - which writes can release a condition variable waiter -===//
//
// A waiter sleeps until its predicate holds: the lambda given to wait()
// returns true, or the condition of `while (cond) cv.wait(lk);` turns
// false. A write can only matter to it (and so only be a lost wake-up when
// made without the mutex) if it can move the predicate towards "done".
// Two kinds of write cannot:
//
//  * a constant stored that makes the condition it is read in unhelpful:
//    `ready = false` against `[&] { return ready; }`, `stop = true` against
//    `while (!stop) ...` waiting for `!stop`'s opposite -- the predicate,
//    false before, stays false;
//  * an unsigned counter increased (`++n`, `n += k`, `n.fetch_add(k)`)
//    against a test for zero (`n == 0`, `!n`): it cannot reach zero (short
//    of wrapping round), and adding zero changes nothing.
//
// Only conditions joined to the predicate by &&, || and ! are followed: if
// the condition moves the wrong way, the whole predicate cannot turn true.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MODEL_WAKEUPS_H
#define FEARLESS_ANALYZER_MODEL_WAKEUPS_H

#include "clang/AST/Expr.h"

namespace clang::tidy::fearless {

/// Where a wait predicate's read sits: the predicate's whole expression
/// (a lambda's returned value, or a wait loop's condition) and the value
/// it takes when the waiter may go on (true for a lambda, false for a loop
/// condition).
struct PredicateRoot {
  const Expr *Root = nullptr;
  bool DoneWhen = true;
};

/// Whether the write \p Write (the lvalue use of the variable or field, as
/// WriteFinder marks it) cannot make the predicate whose read of the same
/// variable is \p Read reach "done" (see the file comment).
bool writeCannotWake(const Expr *Write, const Expr *Read,
                     const PredicateRoot &Where, ASTContext &Ctx);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MODEL_WAKEUPS_H
