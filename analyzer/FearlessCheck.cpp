//===--- FearlessCheck.cpp - base class of every fearless check ------------===//

#include "FearlessCheck.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

namespace clang::tidy::fearless {

FearlessCheck::FearlessCheck(StringRef Name, ClangTidyContext *Context,
                             llvm::ArrayRef<StringRef> KnownOptions)
    : ClangTidyCheck(Name, Context) {
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
}

} // namespace clang::tidy::fearless
