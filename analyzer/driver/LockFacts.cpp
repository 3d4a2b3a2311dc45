//===--- LockFacts.cpp - merging per-unit lock-order facts ----------------===//

#include "LockFacts.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;
using nlohmann::json;

namespace fearless::driver {

static Location readLocation(const json &J) {
  return {J.at("file").get<std::string>(), J.at("line").get<unsigned>(),
          J.at("column").get<unsigned>()};
}

std::vector<LockEdge> readLockFacts(const std::string &Dir) {
  std::vector<LockEdge> Edges;
  std::error_code EC;
  if (!fs::is_directory(Dir, EC))
    throw InputError("no lock-order facts directory '" + Dir + "'");
  std::vector<fs::path> Files;
  for (const fs::directory_entry &E : fs::directory_iterator(Dir, EC))
    if (E.path().extension() == ".json")
      Files.push_back(E.path());
  std::sort(Files.begin(), Files.end()); // deterministic output
  for (const fs::path &P : Files) {
    try {
      std::ifstream In(P);
      json J = json::parse(In);
      if (J.at("version").get<int>() != 1)
        throw InputError("lock-order facts '" + P.string() +
                         "' have an unknown version");
      std::string Unit = J.at("unit").get<std::string>();
      for (const json &E : J.at("edges"))
        Edges.push_back(
            {E.at("from").get<std::string>(), E.at("to").get<std::string>(),
             readLocation(E.at("held")), readLocation(E.at("acquired")),
             E.value("function", std::string()), Unit});
    } catch (const json::exception &E) {
      throw InputError("malformed lock-order facts '" + P.string() +
                       "': " + E.what());
    }
  }
  return Edges;
}

std::vector<Finding> crossUnitCycles(const std::vector<LockEdge> &Edges,
                                     const std::string &Root) {
  // One representative edge per (From, To): the first seen in each unit.
  std::map<std::pair<std::string, std::string>, std::vector<const LockEdge *>>
      ByPair;
  std::map<std::string, std::set<std::string>> Succ;
  for (const LockEdge &E : Edges) {
    if (E.From == E.To)
      continue; // self-deadlock is the per-unit check's business
    auto &V = ByPair[{E.From, E.To}];
    if (std::none_of(V.begin(), V.end(),
                     [&](const LockEdge *X) { return X->Unit == E.Unit; }))
      V.push_back(&E);
    Succ[E.From].insert(E.To);
  }

  std::vector<Finding> Findings;
  std::set<std::vector<std::string>> Reported;
  for (const auto &[Pair, _] : ByPair) {
    // Shortest path To -> ... -> From closes a cycle with From -> To.
    const auto &[From, To] = Pair;
    std::map<std::string, std::string> Parent;
    std::deque<std::string> Queue{To};
    Parent[To] = "";
    while (!Queue.empty() && !Parent.count(From)) {
      std::string N = Queue.front();
      Queue.pop_front();
      for (const std::string &S : Succ[N])
        if (!Parent.count(S)) {
          Parent[S] = N;
          Queue.push_back(S);
        }
    }
    if (!Parent.count(From))
      continue;
    std::vector<std::string> Cycle{From}; // From, To, ..., (back to From)
    std::vector<std::string> Back;
    for (std::string N = From; N != To; N = Parent[N])
      Back.push_back(Parent[N]);
    Cycle.insert(Cycle.end(), Back.rbegin(), Back.rend());
    // The same cycle starting elsewhere is the same inversion.
    std::vector<std::string> Key = Cycle;
    std::rotate(Key.begin(), std::min_element(Key.begin(), Key.end()),
                Key.end());
    if (!Reported.insert(Key).second)
      continue;

    // Pick, for each edge of the cycle, a site; the cycle spans units when
    // no single unit has all of its edges.
    std::vector<const LockEdge *> Chosen;
    std::set<std::string> UnitsWithAll;
    bool First = true;
    for (size_t I = 0; I < Cycle.size(); ++I) {
      const auto &V = ByPair[{Cycle[I], Cycle[(I + 1) % Cycle.size()]}];
      Chosen.push_back(V.front());
      std::set<std::string> Units;
      for (const LockEdge *E : V)
        Units.insert(E->Unit);
      if (First)
        UnitsWithAll = Units;
      else {
        std::set<std::string> Both;
        std::set_intersection(UnitsWithAll.begin(), UnitsWithAll.end(),
                              Units.begin(), Units.end(),
                              std::inserter(Both, Both.end()));
        UnitsWithAll = Both;
      }
      First = false;
    }
    if (!UnitsWithAll.empty())
      continue; // one unit sees the whole cycle: the check reported it

    std::string Order;
    for (const std::string &C : Cycle)
      Order += "'" + C + "' -> ";
    Order += "'" + Cycle.front() + "'";
    Finding F;
    F.Check = "fearless-lock-order";
    F.Loc = Chosen.front()->Acquired;
    F.Message = "lock-order inversion across translation units: " + Order;
    for (const LockEdge *E : Chosen) {
      std::string In = E->Function.empty() ? "" : " in '" + E->Function + "'";
      F.Notes.push_back({E->Held, "'" + E->From + "' acquired here" + In +
                                      " (" + relativeTo(E->Unit, Root) + ")"});
      F.Notes.push_back({E->Acquired, "then '" + E->To +
                                          "' acquired here while holding '" +
                                          E->From + "'"});
    }
    Findings.push_back(F);
  }
  return Findings;
}

} // namespace fearless::driver
