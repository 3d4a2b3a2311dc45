//===--- FactsFile.h - writing a unit's facts for the driver --------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// What every facts file of a unit shares (docs/facts.md): declarations named
// by USR, the unit named by its absolute path, and the file written whole
// and renamed into place as <dir>/<hash of the unit path>.json.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MODEL_FACTSFILE_H
#define FEARLESS_ANALYZER_MODEL_FACTSFILE_H

#include "clang/AST/Decl.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/Support/JSON.h"

#include <string>

namespace clang::tidy::fearless {

/// The USR of \p D (the same string for the same declaration in every
/// unit), or "" when it has none.
std::string usrOf(const Decl *D);

/// The absolute path of the unit's main file.
std::string unitPath(const SourceManager &SM);

/// Writes \p Facts as <Dir>/<hash of \p Unit>.json, whole and then renamed
/// into place (a reader never sees half a file). Returns an error message,
/// or "" on success.
std::string writeUnitFacts(llvm::StringRef Dir, llvm::StringRef Unit,
                           llvm::json::Value Facts);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MODEL_FACTSFILE_H
