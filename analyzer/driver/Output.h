//===--- Output.h - text, JSON and SARIF reports --------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

#ifndef FEARLESS_DRIVER_OUTPUT_H
#define FEARLESS_DRIVER_OUTPUT_H

#include "Driver.h"

#include <functional>
#include <ostream>

namespace fearless::driver {

/// Findings grouped by file, then a table of findings per check and a
/// one-line summary. With a baseline, only new findings are listed.
void writeText(std::ostream &OS, const Report &R);

/// The summary table and line alone (stderr for JSON and SARIF runs).
void writeSummary(std::ostream &OS, const Report &R);
/// The run's errors that are not findings: .clang-tidy files clang-tidy
/// could not parse, then units not analysed; one line each.
void writeFailures(std::ostream &OS, const Report &R);

/// The JSON report; its format is documented in docs/driver.md.
void writeJson(std::ostream &OS, const Report &R);

/// A SARIF 2.1.0 log with rule metadata from docs/checks.
void writeSarif(std::ostream &OS, const Report &R);

/// The one-sentence summary of \p Check from its doc page, or "".
std::string checkSummary(const std::string &Check);

/// Throws InputError unless \p Path can be written (its folder exists and
/// is writable, and it is not a folder or a read-only file). \p What names
/// it in the message ("report", "baseline").
void checkWritable(const std::string &Path, const std::string &What);

/// Writes \p Path through a temporary file in its folder renamed over it:
/// a reader never sees half a report, and a failure leaves the old file.
/// The new file gets \p Mode, or by default what a new file gets (umask).
void writeFileAtomically(const std::string &Path, const std::string &What,
                         const std::function<void(std::ostream &)> &Write,
                         int Mode = -1);

/// \p Path with what may not appear in a URI path percent-encoded.
std::string uriPath(const std::string &Path);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_OUTPUT_H
