//===--- FearlessCheck.h - base class of every fearless check --------------===//
//
// Every fearless check derives from FearlessCheck instead of ClangTidyCheck
// and names its options. An option set for the check that it does not know
// (a typo such as "fearless-guarded-by.Beat") is a configuration error with
// a clear message, where plain clang-tidy would silently ignore it.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_FEARLESSCHECK_H
#define FEARLESS_ANALYZER_FEARLESSCHECK_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/ArrayRef.h"

namespace clang::tidy::fearless {

class FearlessCheck : public ClangTidyCheck {
public:
  /// \p KnownOptions are the local option names the check reads.
  FearlessCheck(StringRef Name, ClangTidyContext *Context,
                llvm::ArrayRef<StringRef> KnownOptions = {});
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_FEARLESSCHECK_H
