//===--- SendCheck.h - fearless-send ---------------------------------------===//
//
// Finds values that are not Send moved or copied into another thread.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_SENDCHECK_H
#define FEARLESS_ANALYZER_SENDCHECK_H

#include "BoundaryCheck.h"

namespace clang::tidy::fearless {

/// Finds values that are not Send moved or copied into another thread.
///
/// For the user-facing documentation see: docs/checks/fearless-send.md
class SendCheck : public BoundaryCheck {
public:
  using BoundaryCheck::BoundaryCheck;

protected:
  void checkBoundary(const ThreadBoundary &B, ASTContext &Ctx) override;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_SENDCHECK_H
