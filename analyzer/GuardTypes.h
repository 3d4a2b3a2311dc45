// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- GuardTypes.h - find lock guards inside a type ---------------------===//
//
// A lock guard (std::lock_guard, std::unique_lock, std::scoped_lock,
// std::shared_lock, fearless::MutexGuard, ...) must be released by the thread
// that acquired it, so no value that holds one -- directly, through a member,
// a base, a lambda capture, a template argument or a pointer -- may cross into
// another thread. GuardFinder answers "is there a guard in this type, and by
// which path?", caching per canonical type.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_GUARDTYPES_H
#define FEARLESS_ANALYZER_GUARDTYPES_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Type.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::fearless {

/// True if \p T (after references and cv-qualifiers) is a class, or a
/// specialization of a class template, named in \p Names (spelt as in
/// fearless/names.h: "::std::atomic").
bool isRecordNamed(QualType T, llvm::ArrayRef<const char *> Names);

/// True if \p T (after references and cv-qualifiers) is a lock guard class.
bool isGuardType(QualType T);

/// One link of the chain that leads from a type to the guard inside it,
/// printed as a note: "'Holder' has member 'lock' of type '...'".
struct GuardPathStep {
  SourceLocation Loc;
  std::string Text;
};

class GuardFinder {
public:
  explicit GuardFinder(const ASTContext &Ctx) : Ctx(Ctx) {}

  /// The chain of steps to a guard held by a value of type \p T, or nullptr
  /// if there is none. An empty chain means \p T itself is (a pointer or
  /// reference to) a guard.
  const std::vector<GuardPathStep> *find(QualType T);

private:
  std::optional<std::vector<GuardPathStep>> compute(QualType T);
  std::string print(QualType T) const;

  const ASTContext &Ctx;
  llvm::DenseMap<const Type *, std::optional<std::vector<GuardPathStep>>> Cache;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_GUARDTYPES_H
