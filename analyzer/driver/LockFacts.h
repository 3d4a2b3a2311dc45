//===--- LockFacts.h - the per-unit facts and their whole-program join ----===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Each translation unit's clang-tidy run writes its facts (docs/facts.md):
// the lock-order edges it saw ("holding A, acquires B") and, for every
// function it defines (keyed by USR), the locks it acquires, the blocking
// calls it makes and the calls it makes with the locks held at each.
// fearless-check reads every unit's file and joins them (WholeProgram.h):
// summaries across units, then cycles, self-deadlocks and blocking calls
// that no single unit can see. fearless-missing-guarded-by writes guard
// facts beside them, which fearless-check --fix joins (GuardFix.h).
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_DRIVER_LOCKFACTS_H
#define FEARLESS_DRIVER_LOCKFACTS_H

#include "Driver.h"

#include <map>

namespace fearless::driver {

/// One lock-order edge: while holding lock class From, To is acquired.
struct LockEdge {
  std::string From, To; ///< lock classes ("Bank::mu_")
  Location Held;        ///< where From was acquired
  Location Acquired;    ///< where To was acquired (or the call that does)
  std::string Function; ///< the function that nests them
  std::string Unit;     ///< the translation unit that saw it ("" if none)
  /// For an edge the join found: the calls down to the acquisition.
  std::vector<Note> Path;
};

/// A lock named in a function's facts.
struct LockRef {
  std::string Lock; ///< lock class
  Location At;
  bool Global = false;    ///< a global or static: one instance everywhere
  std::string Object;     ///< for a member of a global object, that object
  bool This = false;      ///< a member of the method's own object
  bool Recursive = false; ///< std::recursive_mutex and the like
};

struct BlockRef {
  std::string Call, Kind; ///< "std::thread::join", "waits for a thread"
  Location At;
  std::vector<std::string> Released; ///< lock classes unlocked before it
};

struct CallRef {
  std::string Usr, Name;
  /// A call through a callable slot (a std::function or function-pointer
  /// member or parameter) instead of Usr.
  std::string Slot;
  Location At;
  std::vector<LockRef> Held;
  bool This = false, Virtual = false;
  std::vector<std::string> Reacquirable, Released;
};

/// A callable stored into a slot: a function (Usr) or another slot (From).
struct StoreRef {
  std::string Slot, Usr, From;
  bool This = false; ///< a lambda capturing `this`, stored into this's slot
  Location At;
};

/// What one unit says of one function it defines.
struct FunctionRecord {
  std::string Usr, Name;
  Location At;
  std::string Unit;
  std::vector<LockRef> Acquires;
  std::vector<BlockRef> Blocks;
  std::vector<CallRef> Calls;
  std::vector<std::string> Overrides; ///< USRs of every overridden method
  std::vector<StoreRef> Stores;
};

/// Every unit's facts, as read.
struct Facts {
  std::vector<LockEdge> Edges;
  std::vector<FunctionRecord> Functions;
  /// Per unit, the checks it ran with ("fearless-blocking-under-lock").
  std::map<std::string, std::vector<std::string>> Checks;
};

/// A place where text goes, as the unit that saw it read the file.
struct Insertion {
  std::string File; ///< absolute path
  size_t Offset = 0;
  std::string After;               ///< what the file holds right before Offset
  std::string Text;                ///< for an include: the line to insert
  long long Size = -1, MTime = -1; ///< the file's, when it was read
};

/// A mutex a field or helper names.
struct MutexRef {
  std::string Usr, Name;
  bool Nameable = true; ///< false for a parameter
};

struct AccessFact {
  Location At;
  bool Write = false;
  std::string Function;
  std::string In;                ///< the function's USR
  std::vector<std::string> Held; ///< USRs of the candidates held
};

/// What one unit says of one field.
struct FieldFact {
  std::string Usr, Name;
  Location At;
  std::vector<MutexRef> Mutexes;
  std::vector<AccessFact> Accesses;
  bool HasInsert = false, HasInclude = false;
  Insertion Insert, Include;
};

/// What one unit says of one helper it calls.
struct HelperFact {
  std::string Usr, Name;
  Location At;
  std::vector<MutexRef> Requires; ///< held at all its calls in the unit
  std::vector<std::string> Acquires;
  bool HasInsert = false, HasInclude = false;
  Insertion Insert, Include;
};

struct GuardFacts {
  std::vector<FieldFact> Fields;
  std::vector<HelperFact> Helpers;
  size_t Units = 0; ///< units that wrote guard facts
};

/// Reads every *.json fact file in \p Dir into \p Out (version 1: edges
/// only; version 2: edges and functions). A malformed file throws InputError
/// naming it.
void readFacts(const std::string &Dir, Facts &Out);

/// Reads the guard facts of every unit under \p FactsDir (its guards/
/// folder, which fearless-missing-guarded-by writes; none is no facts) into
/// \p Out. A malformed file throws InputError naming it.
void readGuardFacts(const std::string &FactsDir, GuardFacts &Out);

} // namespace fearless::driver

#endif // FEARLESS_DRIVER_LOCKFACTS_H
