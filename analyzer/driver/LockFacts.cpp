//===--- LockFacts.cpp - reading the per-unit facts -----------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

#include "LockFacts.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace fearless::driver {

namespace {

Location readLocation(const json &J) {
  return {J.at("file").get<std::string>(), J.at("line").get<unsigned>(),
          J.at("column").get<unsigned>()};
}

std::vector<std::string> readNames(const json &J, const char *Key) {
  std::vector<std::string> Out;
  if (J.contains(Key))
    for (const json &N : J.at(Key))
      Out.push_back(N.get<std::string>());
  return Out;
}

LockRef readLock(const json &J) {
  LockRef L;
  L.Lock = J.at("lock").get<std::string>();
  L.At = readLocation(J.at("at"));
  if (J.contains("global")) {
    const json &G = J.at("global");
    L.Global = G.is_string() || G.get<bool>();
    if (G.is_string())
      L.Object = G.get<std::string>();
  }
  L.This = J.value("this", false);
  L.Recursive = J.value("recursive", false);
  return L;
}

FunctionRecord readFunction(const json &J, const std::string &Unit) {
  FunctionRecord F;
  F.Usr = J.at("usr").get<std::string>();
  F.Name = J.at("name").get<std::string>();
  F.At = readLocation(J.at("at"));
  F.Unit = Unit;
  if (J.contains("acquires"))
    for (const json &A : J.at("acquires"))
      F.Acquires.push_back(readLock(A));
  if (J.contains("blocks"))
    for (const json &B : J.at("blocks"))
      F.Blocks.push_back({B.at("call").get<std::string>(),
                          B.at("kind").get<std::string>(),
                          readLocation(B.at("at")), readNames(B, "released")});
  if (J.contains("calls"))
    for (const json &C : J.at("calls")) {
      CallRef R;
      if (C.contains("slot"))
        R.Slot = C.at("slot").get<std::string>();
      else
        R.Usr = C.at("usr").get<std::string>();
      R.Name = C.at("name").get<std::string>();
      R.At = readLocation(C.at("at"));
      if (C.contains("held"))
        for (const json &H : C.at("held"))
          R.Held.push_back(readLock(H));
      R.This = C.value("this", false);
      R.Virtual = C.value("virtual", false);
      R.Reacquirable = readNames(C, "reacquirable");
      R.Released = readNames(C, "released");
      F.Calls.push_back(std::move(R));
    }
  F.Overrides = readNames(J, "overrides");
  if (J.contains("stores"))
    for (const json &St : J.at("stores"))
      F.Stores.push_back({St.at("slot").get<std::string>(),
                          St.value("usr", std::string()),
                          St.value("from", std::string()),
                          St.value("this", false), readLocation(St.at("at"))});
  return F;
}

// The *.json files of \p Dir, sorted (deterministic output).
std::vector<fs::path> factFiles(const fs::path &Dir) {
  std::error_code EC;
  std::vector<fs::path> Files;
  for (const fs::directory_entry &E : fs::directory_iterator(Dir, EC))
    if (E.path().extension() == ".json")
      Files.push_back(E.path());
  std::sort(Files.begin(), Files.end());
  return Files;
}

Insertion readPlace(const json &W) {
  Insertion I;
  I.File = W.at("file").get<std::string>();
  I.Offset = W.at("offset").get<size_t>();
  I.After = W.at("after").get<std::string>();
  I.Text = W.value("text", std::string());
  I.Size = W.at("size").get<long long>();
  I.MTime = W.at("mtime").get<long long>();
  return I;
}

// "insert" of a field or helper, and the "include" its file needs.
void readInsertion(const json &J, bool &Has, Insertion &I, bool &HasInclude,
                   Insertion &Include) {
  if (!J.contains("insert"))
    return;
  const json &W = J.at("insert");
  Has = true;
  I = readPlace(W);
  if (W.contains("include")) {
    HasInclude = true;
    Include = readPlace(W.at("include"));
  }
}

std::vector<MutexRef> readMutexes(const json &J, const char *Key) {
  std::vector<MutexRef> Out;
  for (const json &M : J.at(Key))
    Out.push_back({M.at("usr").get<std::string>(),
                   M.at("name").get<std::string>(), M.value("nameable", true)});
  return Out;
}

} // namespace

void readFacts(const std::string &Dir, Facts &Out) {
  std::error_code EC;
  if (!fs::is_directory(Dir, EC))
    throw InputError("no lock-order facts directory '" + Dir + "'");
  for (const fs::path &P : factFiles(Dir)) {
    try {
      std::ifstream In(P);
      json J = json::parse(In);
      int Version = J.at("version").get<int>();
      if (Version != 1 && Version != 2)
        throw InputError("facts '" + P.string() + "' have version " +
                         std::to_string(Version) +
                         ", which this fearless-check does not read (1 or 2)");
      std::string Unit = J.at("unit").get<std::string>();
      for (const json &E : J.at("edges"))
        Out.Edges.push_back(
            {E.at("from").get<std::string>(), E.at("to").get<std::string>(),
             readLocation(E.at("held")), readLocation(E.at("acquired")),
             E.value("function", std::string()), Unit, {}});
      if (Version < 2)
        continue;
      Out.Checks[Unit] = readNames(J, "checks");
      for (const json &F : J.at("functions"))
        Out.Functions.push_back(readFunction(F, Unit));
    } catch (const json::exception &E) {
      throw InputError("malformed lock-order facts '" + P.string() +
                       "': " + E.what());
    }
  }
}

void readGuardFacts(const std::string &FactsDir, GuardFacts &Out) {
  fs::path Dir = fs::path(FactsDir) / "guards";
  std::error_code EC;
  if (!fs::is_directory(Dir, EC))
    return;
  for (const fs::path &P : factFiles(Dir)) {
    try {
      std::ifstream In(P);
      json J = json::parse(In);
      if (J.at("version").get<int>() != 1)
        throw InputError("guard facts '" + P.string() + "' have version " +
                         std::to_string(J.at("version").get<int>()) +
                         ", which this fearless-check does not read (1)");
      ++Out.Units;
      for (const json &F : J.at("fields")) {
        FieldFact R;
        R.Usr = F.at("usr").get<std::string>();
        R.Name = F.at("name").get<std::string>();
        R.At = readLocation(F.at("at"));
        R.Mutexes = readMutexes(F, "mutexes");
        for (const json &A : F.at("accesses")) {
          AccessFact X{readLocation(A.at("at")),
                       A.at("write").get<bool>(),
                       A.at("function").get<std::string>(),
                       A.value("in", std::string()),
                       {}};
          for (const json &H : A.at("held")) {
            size_t I = H.get<size_t>();
            if (I >= R.Mutexes.size())
              throw InputError("malformed guard facts '" + P.string() +
                               "': a held mutex index out of range");
            X.Held.push_back(R.Mutexes[I].Usr);
          }
          R.Accesses.push_back(std::move(X));
        }
        readInsertion(F, R.HasInsert, R.Insert, R.HasInclude, R.Include);
        Out.Fields.push_back(std::move(R));
      }
      for (const json &H : J.at("helpers")) {
        HelperFact R;
        R.Usr = H.at("usr").get<std::string>();
        R.Name = H.at("name").get<std::string>();
        R.At = readLocation(H.at("at"));
        R.Requires = readMutexes(H, "requires");
        for (const json &A : H.at("acquires"))
          R.Acquires.push_back(A.get<std::string>());
        readInsertion(H, R.HasInsert, R.Insert, R.HasInclude, R.Include);
        Out.Helpers.push_back(std::move(R));
      }
    } catch (const json::exception &E) {
      throw InputError("malformed guard facts '" + P.string() +
                       "': " + E.what());
    }
  }
}

} // namespace fearless::driver
