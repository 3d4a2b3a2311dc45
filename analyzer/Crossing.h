// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Crossing.h - what a thread boundary hands to the other thread -----===//
//
// Splits the arguments of a thread boundary into the values and references
// that cross it: each capture of a lambda (written at the boundary or stored
// in a variable), each argument, 'this'. fearless-send looks at the values,
// fearless-shared-ref and fearless-dangling-ref at the references.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_CROSSING_H
#define FEARLESS_ANALYZER_CROSSING_H

#include "ThreadBoundary.h"

#include "clang/AST/ASTContext.h"
#include <string>
#include <vector>

namespace clang::tidy::fearless {

enum class CrossHow {
  CapturedByCopy,
  Moved,
  Passed,
  Sent,
  CapturedByRef,
  PassedByRef,
  PassedByPointer,
  CapturedPointer,
  CapturedView,
  PassedView,
  CapturedThis,
};

struct CrossingItem {
  SourceLocation Loc;
  std::string Name; ///< what the user wrote: 'cache', 'this'; may be empty
  CrossHow How = CrossHow::Passed;
  /// The value's type, or for a reference the referent's type (with its
  /// const-qualification: const access needs Sync, other access ThreadSafe).
  QualType Type;
  /// The other thread gets access to an object the spawner also has.
  bool IsReference = false;
  /// The object shared, when known: a variable, or 'this' (IsThis).
  const ValueDecl *Referent = nullptr;
  bool IsThis = false;
  /// The same lambda keeps the object alive (shared_from_this()).
  bool KeepsThisAlive = false;
  /// The body that runs on the other thread and uses the reference, if any.
  const Stmt *CallableBody = nullptr;
};

/// The element type seen through a view (std::span, std::string_view,
/// std::reference_wrapper), or null if \p T is not one.
QualType viewElement(QualType T);

/// The local object an expression of pointer or view type points into:
/// &x, std::ref(x), std::span(x), x.data(), or a local pointer variable
/// initialised with one of those; null when unknown. \p IsThis: it points
/// into *this.
const ValueDecl *traceReferent(const Expr *E, bool &IsThis, int Depth = 0);

/// What crosses \p B, in source order.
std::vector<CrossingItem> crossingItems(const ThreadBoundary &B,
                                        const ASTContext &Ctx);

/// "a thread started by 'std::thread'", or for a channel "another thread
/// through 'fearless::Sender::send'".
std::string describeBoundary(const ThreadBoundary &B);

/// The argument of std::move / forward / ref / cref / as_const around \p E
/// (with \p Wrapper set to the function's name), or \p E itself.
const Expr *unwrapStdCall(const Expr *E, llvm::StringRef &Wrapper);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_CROSSING_H
