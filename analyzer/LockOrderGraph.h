// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- LockOrderGraph.h - lock classes and their acquisition order ------===//
//
// A pure graph (no AST, no I/O): nodes are lock classes by name, an edge
// A -> B says "B was acquired while A was held" and carries an opaque id of
// its first site. Used by fearless-lock-order for one translation unit; the
// driver merges the same edges from every unit (analyzer/driver/LockFacts).
//
//=== ---------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_LOCKORDERGRAPH_H
#define FEARLESS_ANALYZER_LOCKORDERGRAPH_H

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace clang::tidy::fearless {

class LockOrderGraph {
public:
  /// Adds From -> To; returns false if the edge was already there (the
  /// first site is kept). Self edges are ignored.
  bool addEdge(const std::string &From, const std::string &To, unsigned Site);

  /// The site of From -> To; the edge must exist.
  unsigned site(const std::string &From, const std::string &To) const {
    return Edges.at({From, To});
  }

  /// Every elementary cycle found by closing each edge with a shortest path
  /// back, each reported once (as the list of its nodes, starting at the
  /// node of the edge that closed it), in a deterministic order.
  std::vector<std::vector<std::string>> cycles() const;

  const std::map<std::pair<std::string, std::string>, unsigned> &edges() const {
    return Edges;
  }

private:
  std::map<std::pair<std::string, std::string>, unsigned> Edges;
  std::map<std::string, std::set<std::string>> Succ;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_LOCKORDERGRAPH_H
