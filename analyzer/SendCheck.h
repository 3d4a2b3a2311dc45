// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- SendCheck.h - fearless-send ---------------------------------------===//
//
// Finds values that are not Send moved or copied into another thread, and
// values that are not Send alive across a suspension point of a coroutine
// that may resume on another thread.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_SENDCHECK_H
#define FEARLESS_ANALYZER_SENDCHECK_H

#include "BoundaryCheck.h"

#include "llvm/ADT/StringSet.h"

namespace clang::tidy::fearless {

/// Finds values that are not Send moved or copied into another thread, and
// values that are not Send alive across a suspension point of a coroutine
// that may resume on another thread.
///
/// For the user-facing documentation see: docs/checks/fearless-send.md
class SendCheck : public BoundaryCheck {
public:
  SendCheck(StringRef Name, ClangTidyContext *Context);
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;

protected:
  void checkBoundary(const ThreadBoundary &B, ASTContext &Ctx) override;
  /// Values that are not Send alive across a suspension point.
  void endOfUnit() override;

private:
  std::string RawResumesElsewhere;
  llvm::StringSet<> ResumesElsewhereNames;
  bool EveryCoroutine = false;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_SENDCHECK_H
