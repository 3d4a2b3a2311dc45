// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- SharedRefCheck.h - fearless-shared-ref ----------------------------===//
//
// Finds references, pointers and views shared with another thread while
// their referent is not Sync (const access) or not thread-safe (non-const
// access that another thread may make at the same time).
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_SHAREDREFCHECK_H
#define FEARLESS_ANALYZER_SHAREDREFCHECK_H

#include "BoundaryCheck.h"

#include <map>

namespace clang::tidy::fearless {

/// Finds references, pointers and views shared with another thread while
/// their referent is not Sync (const access) or not thread-safe (non-const
/// access that another thread may make at the same time).
///
/// For the user-facing documentation see: docs/checks/fearless-shared-ref.md
class SharedRefCheck : public BoundaryCheck {
public:
  using BoundaryCheck::BoundaryCheck;


protected:
  void endOfUnit() override;
  void checkBoundary(const ThreadBoundary &B, ASTContext &Ctx) override;

private:
  /// A non-const reference to non-thread-safe data handed to one thread.
  struct Sharing {
    SourceLocation Loc, Site;
    std::string Name, Boundary, Type;
    int How = 0;
    Verdict Why;
    bool Reported = false;
    /// The body that runs on the thread, and whether it only reads the
    /// referent and the type is Sync (several readers are then safe).
    const Stmt *CallableBody = nullptr;
    bool ReadOnly = false;
  };
  void report(const Sharing &S);
  /// Whether the threads of \p List only read \p Referent, or every use
  /// there is published (model/Publication.h).
  bool sharedSafely(const Decl *Referent, const std::vector<Sharing> &List);
  /// The unit the boundaries of Shared belong to.
  ASTContext *Unit = nullptr;
  /// Keyed by the spawning function's body and the referent ('this': null).
  std::map<std::pair<const Stmt *, const Decl *>, std::vector<Sharing>> Shared;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_SHAREDREFCHECK_H
