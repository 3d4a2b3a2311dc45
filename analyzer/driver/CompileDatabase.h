//===--- CompileDatabase.h - reading compile_commands.json ----------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

#ifndef FEARLESS_DRIVER_COMPILEDATABASE_H
#define FEARLESS_DRIVER_COMPILEDATABASE_H

#include "Driver.h"

namespace fearless::driver {

/// The translation units of \p BuildDir/compile_commands.json (or of that
/// file when \p BuildDir names it), one per source file, in database order.
/// When \p Paths is not empty only files equal to or below one of them are
/// kept; a path that selects nothing is an error, or goes to \p Unlisted
/// when it is given.
/// Throws InputError for a missing, unreadable or malformed database.
std::vector<Unit> readCompileDatabase(
    const std::string &BuildDir, const std::vector<std::string> &Paths,
    std::string &DatabaseDir, std::vector<std::string> *Unlisted = nullptr);

/// Splits a compile_commands.json "command" into words as a shell would.
std::vector<std::string> splitCommand(const std::string &Command);

/// True for a flag GCC accepts and clang rejects (the list in the .cpp).
bool isGccOnlyFlag(const std::string &Arg);

/// Removes GCC-only flags and what promotes warnings to errors (-Werror,
/// -Werror=..., -pedantic-errors) from \p Args; returns what it removed.
std::vector<std::string> sanitizeArguments(std::vector<std::string> &Args);

/// Writes \p Units, with their sanitised arguments, as
/// \p Dir/compile_commands.json: the database clang-tidy reads.
void writeCompileDatabase(const std::string &Dir,
                          const std::vector<Unit> &Units);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_COMPILEDATABASE_H
