// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- BoundaryScope.h - is a thread boundary scoped? --------------------===//
//
// A boundary is scoped for a referent when the other thread is joined before
// the referent dies (DESIGN.md sections 2 and 4), so it may borrow it:
//
//   std::thread      scoped when 'join()' is reached on every path before
//                    the referent dies. Approximation: the thread is a local
//                    variable, never detached or moved, and a 'join()' on it
//                    (or 'if (t.joinable()) t.join()', or a loop joining the
//                    container it was emplaced in) is a statement of the
//                    block that declares it, after it, with no return,
//                    break, continue, goto or throw in between, in a block
//                    the referent outlives. A thread stored in a member is
//                    scoped for 'this' when the destructor joins it.
//   std::jthread     scoped for referents declared before it in the same or
//                    an enclosing block (and for 'this' when it is a member).
//   std::async       scoped while the future is a local (or a discarded
//                    temporary) that is not moved out or returned.
//   Scope::spawn     scoped for referents declared outside the scope's body.
//   anything else    not scoped: fearless::spawn, pthread_create, detached
//                    threads, executors, channels.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_BOUNDARYSCOPE_H
#define FEARLESS_ANALYZER_BOUNDARYSCOPE_H

#include "ThreadBoundary.h"

#include "clang/AST/ASTContext.h"
#include <string>

namespace clang::tidy::fearless {

struct ScopeAnswer {
  bool Scoped = false;
  /// Why it is not scoped, as a note ("'t' is detached here").
  std::string Why;
  SourceLocation WhyLoc;
  /// Where the other thread is known to be joined (invalid if unknown):
  /// uses of the referent by the spawner before this point are concurrent.
  SourceLocation JoinLoc;
};

/// Whether \p B is scoped for \p Referent (a local variable or parameter), or
/// for the object 'this' points to when \p Referent is null.
ScopeAnswer scopedFor(const ThreadBoundary &B, const ValueDecl *Referent,
                      ASTContext &Ctx);

/// The body of the function or lambda that contains \p S; the function (a
/// lambda's call operator) in \p Function when given.
const Stmt *enclosingBody(const Stmt *S, ASTContext &Ctx,
                          const Decl **Function = nullptr);

/// True if objects of class \p T are never destroyed: the destructor is
/// deleted or never returns (it aborts), as in a singleton built with
/// placement new that must outlive every thread. 'this' cannot dangle.
bool isNeverDestroyed(QualType T, ASTContext &Ctx);

/// True if \p S runs in a loop that does not also contain the declaration of
/// \p Referent (a spawn in a loop hands the referent to several threads).
bool inLoopAround(const Stmt *S, const Decl *Referent, ASTContext &Ctx);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_BOUNDARYSCOPE_H
