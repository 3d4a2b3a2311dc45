// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
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

#include "ThreadBoundary.h"
#include "model/Publication.h"

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/ArrayRef.h"

#include <vector>

namespace clang::tidy::fearless {

class FearlessCheck : public ClangTidyCheck {
public:
  /// \p KnownOptions are the local option names the check reads.
  FearlessCheck(StringRef Name, ClangTidyContext *Context,
                llvm::ArrayRef<StringRef> KnownOptions = {});
  /// Every check forgets the previous unit's shared model (UnitModel) when a
  /// unit starts; a check that overrides this calls it.
  void onStartOfTranslationUnit() override;

protected:
  /// The clang-tidy context (options, which checks are enabled).
  ClangTidyContext &tidyContext() const { return *TidyContext; }

  /// A boolean option: true/false, 1/0, on/off (any case). Anything else is
  /// a configuration error and gives \p Default. Use this instead of
  /// Options.get<bool>(), whose instantiation Debian's clang-tidy binary does
  /// not export, so a plugin using it fails to load.
  bool boolOption(StringRef LocalName, bool Default);

  /// Echoes SpawnFunctions for a check that reads it; a check with options
  /// of its own calls this from its storeOptions().
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;

  /// The unit's thread boundaries, found once by the unit model for every
  /// check, so that each honours the same user executors. A check that
  /// names "SpawnFunctions" among its known options reads that option (user
  /// executors: '::Pool::submit:0;...'), from its own options or else the
  /// global one, so that one setting serves every check. A malformed entry
  /// is a configuration error and gives no spawn function at all.
  llvm::ArrayRef<ThreadBoundary> boundaries(ASTContext &Ctx) const;
  /// What the unit publishes to those threads without a lock.
  Publication &publication(ASTContext &Ctx) const;

private:
  bool UsesSpawnFunctions = false;
  std::string SpawnFunctionsText;
  std::vector<SpawnFunction> SpawnFunctions;
  std::string FullName;
  ClangTidyContext *TidyContext;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_FEARLESSCHECK_H
