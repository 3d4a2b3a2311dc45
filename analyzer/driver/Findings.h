//===--- Findings.h - fingerprints and the baseline -----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

#ifndef FEARLESS_DRIVER_FINDINGS_H
#define FEARLESS_DRIVER_FINDINGS_H

#include "Driver.h"

#include <set>

namespace fearless::driver {

/// Sorts \p Findings, drops duplicates (a header seen from several units)
/// and gives each one its fingerprint.
///
/// A fingerprint hashes the check, the file relative to \p Root, the message
/// with location-like numbers removed, and the text of the offending line
/// and of the nearest non-blank lines above and below it, whitespace
/// collapsed. It survives line shifts and edits elsewhere in the file; it
/// changes when the offending code or its immediate neighbours change.
/// Identical findings in one file are told apart by their order.
void finalizeFindings(std::vector<Finding> &Findings, const std::string &Root);

/// The message with "file:line:col"-like numbers replaced by '#'.
std::string normalizeMessage(const std::string &Message);

/// The fingerprints in baseline file \p Path. Throws InputError.
std::set<std::string> readBaseline(const std::string &Path);

/// Writes every finding of \p R to baseline file \p Path. Throws InputError.
void writeBaseline(const std::string &Path, const Report &R);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_FINDINGS_H
