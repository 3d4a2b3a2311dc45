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
#include "model/WritesThrough.h"

#include <map>
#include <memory>

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
    /// Where the thread is joined, when known.
    SourceLocation JoinLoc{};
    /// The first write the thread makes through `this` or a pointer local.
    WriteThrough Write{};
  };
  void report(const Sharing &S);
  /// Whether the threads of \p List only read \p Referent, or every use
  /// there is published (model/Publication.h).
  bool sharedSafely(const Decl *Referent, const std::vector<Sharing> &List);
  /// Whether a thread running \p Run (a body, or the member function
  /// \p Method) writes nothing it reaches through \p Var (`this` when
  /// null), and the first write when it does.
  WriteThrough threadWrites(const Stmt *Run, const FunctionDecl *Method,
                            const VarDecl *Var);
  /// The unit the boundaries of Shared belong to.
  ASTContext *Unit = nullptr;
  /// What functions of that unit write through `this` and pointers.
  std::unique_ptr<WritesThrough> Writes;
  /// Keyed by the spawning function's body and the referent ('this': null).
  std::map<std::pair<const Stmt *, const Decl *>, std::vector<Sharing>> Shared;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_SHAREDREFCHECK_H
