// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- ClangCompat.h - one source for LLVM 19 and LLVM 22 ---------------===//
//
// The few places where the Clang API differs between the LLVM majors the
// analyzer builds against (19 and 22), each behind one helper so that checks
// call the helper and never test LLVM_VERSION_MAJOR themselves. The thread-
// safety handler's own differences (new events and arguments) stay in
// ThreadSafetyEngine.cpp, the one file that implements that interface.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_CLANGCOMPAT_H
#define FEARLESS_ANALYZER_CLANGCOMPAT_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "llvm/Config/llvm-config.h"

namespace clang::tidy::fearless {

/// The type a class declares (`struct S` -> `S`). LLVM 22 removed
/// TagDecl::getTypeForDecl(); the canonical tag type is the same type.
inline QualType recordTypeOf(const CXXRecordDecl *RD) {
#if LLVM_VERSION_MAJOR >= 22
  return RD->getASTContext().getCanonicalTagType(RD);
#else
  return QualType(RD->getTypeForDecl(), 0);
#endif
}

/// Whether \p RD carries Clang's reentrant_capability attribute (Clang 21
/// and later; LLVM 19 does not know it and drops it while parsing).
inline bool hasReentrantCapabilityAttr(const CXXRecordDecl *RD) {
#if LLVM_VERSION_MAJOR >= 21
  return RD->hasAttr<ReentrantCapabilityAttr>();
#else
  return false;
#endif
}

/// Whether the engine knows that a scoped capability returned by value is
/// not destroyed at the function's end (Clang 20 fixed llvm-project #58480;
/// before, it reports the mutex as still held there).
constexpr bool engineKeepsReturnedScopedLocks() {
  return LLVM_VERSION_MAJOR >= 20;
}

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_CLANGCOMPAT_H
