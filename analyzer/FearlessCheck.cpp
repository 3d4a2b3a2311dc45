// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- FearlessCheck.cpp - base class of every fearless check ------------===//

#include "FearlessCheck.h"
#include "model/UnitModel.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

namespace clang::tidy::fearless {

FearlessCheck::FearlessCheck(StringRef Name, ClangTidyContext *Context,
                             llvm::ArrayRef<StringRef> KnownOptions)
    : ClangTidyCheck(Name, Context), FullName(Name.str()),
      TidyContext(Context) {
  std::string Prefix = (Name + ".").str();
  for (const auto &[Key, Value] : Context->getOptions().CheckOptions) {
    StringRef Local = StringRef(Key);
    if (!Local.consume_front(Prefix) || llvm::is_contained(KnownOptions, Local))
      continue;
    std::string Known =
        KnownOptions.empty() ? "it has no options"
                             : "its options are " + llvm::join(KnownOptions, ", ");
    configurationDiag("unknown option '%0' for check '%1'; %2",
                      DiagnosticIDs::Error)
        << Local << Name << Known;
  }
  UsesSpawnFunctions = llvm::is_contained(KnownOptions, "SpawnFunctions");
  if (!UsesSpawnFunctions)
    return;
  SpawnFunctionsText = Options.getLocalOrGlobal("SpawnFunctions", "").str();
  std::string Bad;
  if (!parseSpawnFunctions(SpawnFunctionsText, SpawnFunctions, Bad)) {
    configurationDiag("invalid entry '%0' in option '%1.SpawnFunctions': "
                      "expected '::qualified::name:argument-index', e.g. "
                      "'::ThreadPool::submit:0'",
                      DiagnosticIDs::Error)
        << Bad << FullName;
    SpawnFunctions.clear();
  }
}

bool FearlessCheck::boolOption(StringRef LocalName, bool Default) {
  std::optional<StringRef> Raw = Options.get(LocalName);
  if (!Raw)
    return Default;
  std::string Value = Raw->lower();
  if (Value == "true" || Value == "1" || Value == "on")
    return true;
  if (Value == "false" || Value == "0" || Value == "off")
    return false;
  configurationDiag("invalid value '%0' for option '%1' of check '%2'; "
                    "expected true or false",
                    DiagnosticIDs::Error)
      << *Raw << LocalName << FullName;
  return Default;
}

void FearlessCheck::onStartOfTranslationUnit() {
  UnitModel::reset(TidyContext);
}

void FearlessCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  if (UsesSpawnFunctions)
    Options.store(Opts, "SpawnFunctions", SpawnFunctionsText);
}

llvm::ArrayRef<ThreadBoundary>
FearlessCheck::boundaries(ASTContext &Ctx) const {
  return UnitModel::boundaries(Ctx, SpawnFunctions, SpawnFunctionsText);
}

Publication &FearlessCheck::publication(ASTContext &Ctx) const {
  return UnitModel::publication(Ctx, SpawnFunctions, SpawnFunctionsText);
}

} // namespace clang::tidy::fearless
