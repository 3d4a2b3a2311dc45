// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- BodyParents.h - parents of statements within one body -------------===//
//
// ASTContext::getParents() builds a parent map of the whole translation unit
// on first use -- every declaration of every header and every template
// instantiation -- which costs more than all fearless checks together. The
// checks only ever walk up inside one function or lambda body, so they use
// this instead: a clang::ParentMap of that body, built on first use and kept
// until the ASTContext is destroyed.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_BODYPARENTS_H
#define FEARLESS_ANALYZER_BODYPARENTS_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/ParentMapContext.h"

namespace clang::tidy::fearless {

/// The parent map of \p Body (statements only: an initializer's parent is
/// its DeclStmt; a lambda's body and captures are children of the
/// LambdaExpr). Cached per body for the lifetime of \p Ctx.
const ParentMap &bodyParents(const Stmt *Body, ASTContext &Ctx);

/// The parents of \p N as ASTContext::getParents() gives them (an
/// initializer's parent is its VarDecl, a local variable's its DeclStmt, a
/// function body's its FunctionDecl, a lambda body's its LambdaExpr), found
/// within the body of the function definition that contains \p N. A function
/// has no parent here: walks stop at it. Nodes outside any function body
/// (member initializers, local classes, ...) fall back to getParents().
DynTypedNodeList parentsOf(const DynTypedNode &N, ASTContext &Ctx);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_BODYPARENTS_H
