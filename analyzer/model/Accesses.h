// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Accesses.h - which uses of a field or variable write it ----------===//
//
// The one answer to "is this use a write": an lvalue assigned, incremented,
// its address taken for a non-const pointer, bound to a non-const lvalue
// reference parameter, or the object of a non-const member call that has no
// const overload of the same name (vector::operator[], begin and find read
// unless their result is assigned to). Used by missing-guarded-by (fields
// written under a lock), and by the publication model (Publication.h).
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MODEL_ACCESSES_H
#define FEARLESS_ANALYZER_MODEL_ACCESSES_H

#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::fearless {

/// `this` when \p ME is `this->field` (written `field` in a method).
const CXXThisExpr *thisBase(const MemberExpr *ME);

/// Whether \p E names a variable with static storage.
bool isStaticVariable(const Expr *E);

/// The field of *this (a MemberExpr) or the variable (a DeclRefExpr) whose
/// storage the lvalue \p E designates: 'count_', 'pos_.x', 'arr_[i]',
/// 'map_[k]', 'g_ready', 'local.field'; null when it reaches through a
/// pointer or a reference member.
const Expr *storageRoot(const Expr *E);

/// Whether a call of \p FD never returns: [[noreturn]], or a body whose
/// top-level statements include such a call (a helper that only aborts).
bool neverReturns(const FunctionDecl *FD);

/// Whether \p S is unreachable because an earlier statement of an
/// enclosing block is a call that never returns.
bool afterNoReturnCall(const Stmt *S, ASTContext &Ctx);

/// Whether \p FD (a definition) never writes through its pointer
/// parameter \p Index: the parameter is only moved (`p++`, `p = q`),
/// compared, or dereferenced to be read. Passing it on, returning or
/// storing it counts as writing.
bool onlyReadsThrough(const FunctionDecl *FD, unsigned Index);

/// A non-const member function with a const overload of the same name.
bool hasConstTwin(const CXXMethodDecl *MD);

/// Every use of a field of *this or of a variable in the statements it
/// traverses that writes it (see the file comment).
class WriteFinder : public RecursiveASTVisitor<WriteFinder> {
public:
  llvm::SmallPtrSet<const MemberExpr *, 16> Writes;
  /// The same for variables (static storage, locals, parameters).
  llvm::SmallPtrSet<const DeclRefExpr *, 8> VarWrites;

  bool VisitBinaryOperator(BinaryOperator *BO);
  bool VisitUnaryOperator(UnaryOperator *UO);
  bool VisitCallExpr(CallExpr *CE);
  bool VisitCXXConstructExpr(CXXConstructExpr *CE);

private:
  void mark(const Expr *E);
  void markReferenceArgs(const FunctionDecl *FD, const Expr *const *Args,
                         unsigned NumArgs, bool SkipObject);
  /// `&x` that is only read through: an argument for a pointer-to-const
  /// parameter.
  llvm::SmallPtrSet<const UnaryOperator *, 4> ConstAddress;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MODEL_ACCESSES_H
