//===--- CompileDatabase.h - reading compile_commands.json ----------------===//

#ifndef FEARLESS_DRIVER_COMPILEDATABASE_H
#define FEARLESS_DRIVER_COMPILEDATABASE_H

#include "Driver.h"

namespace fearless::driver {

/// The translation units of \p BuildDir/compile_commands.json (or of that
/// file when \p BuildDir names it), one per source file, in database order.
/// When \p Paths is not empty only files equal to or below one of them are
/// kept; a path that selects nothing is an error.
/// Throws InputError for a missing, unreadable or malformed database.
std::vector<Unit> readCompileDatabase(const std::string &BuildDir,
                                      const std::vector<std::string> &Paths,
                                      std::string &DatabaseDir);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_COMPILEDATABASE_H
