// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- LockOrderGraph.cpp - lock classes and their acquisition order ----===//

#include "LockOrderGraph.h"

#include <algorithm>
#include <deque>

namespace clang::tidy::fearless {

bool LockOrderGraph::addEdge(const std::string &From, const std::string &To,
                             unsigned Site) {
  if (From == To)
    return false;
  bool New = Edges.emplace(std::make_pair(From, To), Site).second;
  Succ[From].insert(To);
  return New;
}

std::vector<std::vector<std::string>> LockOrderGraph::cycles() const {
  std::vector<std::vector<std::string>> Out;
  std::set<std::vector<std::string>> Seen;
  // Latest site first: a cycle is reported from the edge that closed it.
  std::vector<std::pair<std::string, std::string>> Order;
  for (const auto &[E, Site] : Edges)
    Order.push_back(E);
  std::stable_sort(
      Order.begin(), Order.end(),
      [&](const auto &A, const auto &B) { return Edges.at(A) > Edges.at(B); });
  for (const auto &[From, To] : Order) {
    std::map<std::string, std::string> Parent{{To, ""}};
    std::deque<std::string> Queue{To};
    while (!Queue.empty() && !Parent.count(From)) {
      std::string N = Queue.front();
      Queue.pop_front();
      auto It = Succ.find(N);
      if (It == Succ.end())
        continue;
      for (const std::string &S : It->second)
        if (Parent.emplace(S, N).second)
          Queue.push_back(S);
    }
    if (!Parent.count(From))
      continue;
    std::vector<std::string> Back;
    for (std::string N = From; N != To; N = Parent[N])
      Back.push_back(Parent[N]);
    std::vector<std::string> Cycle{From};
    Cycle.insert(Cycle.end(), Back.rbegin(), Back.rend());
    std::vector<std::string> Key = Cycle;
    std::rotate(Key.begin(), std::min_element(Key.begin(), Key.end()),
                Key.end());
    if (Seen.insert(Key).second)
      Out.push_back(Cycle);
  }
  return Out;
}

} // namespace clang::tidy::fearless
