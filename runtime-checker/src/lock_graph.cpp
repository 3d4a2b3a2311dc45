// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The lock-order graph: cycle search along strong paths (lockdep's rules).
#include "fearless/detail/lock_graph.h"

#include <algorithm>
#include <deque>

namespace fearless::detail {

namespace {

// A search state: a class, whether the path entered it in shared mode, and
// whether the path so far has an edge made by a thread other than the one
// adding the new edge.
struct State {
  ClassId node;
  bool entered_shared;
  bool other_thread;
  bool operator==(const State &o) const {
    return node == o.node && entered_shared == o.entered_shared &&
           other_thread == o.other_thread;
  }
};

struct StateHash {
  std::size_t operator()(const State &s) const {
    return std::hash<std::uint64_t>()((std::uint64_t(s.node) << 2) |
                                      (s.entered_shared << 1) | s.other_thread);
  }
};

struct Pred {
  State prev;
  EdgeMode held;
  EdgeMode acquired;
};

// True if kind `k` of `e` was made by a thread other than `thread`.
bool made_by_other(const EdgeInfo &e, unsigned k, ThreadId thread) {
  return (e.kind_several & (1u << k)) || e.kind_first[k] != thread;
}

} // namespace

AddResult LockGraph::add_edge(ClassId from, EdgeMode held, ClassId to,
                              EdgeMode acquired, ThreadId thread,
                              std::uint32_t from_site, std::uint32_t to_site) {
  AddResult result;
  if (from == to)
    return result;
  out_.try_emplace(to); // every class is a node, also one with no out-edges
  place(to);
  place(from);
  auto &outs = out_[from];
  auto [it, inserted] = outs.try_emplace(to);
  EdgeInfo &e = it->second;
  unsigned bit = edge_kind_bit(held, acquired);
  if (inserted) {
    in_[to].push_back(from);
    ++edge_count_;
    e.first_thread = thread;
    e.from_site = from_site;
    e.to_site = to_site;
  }
  unsigned k = static_cast<unsigned>(held) * 2 + static_cast<unsigned>(acquired);
  if (!(e.kinds & bit)) {
    e.kinds |= bit;
    e.kind_first[k] = thread;
    result.new_edge = true;
  } else if (!(e.kind_several & bit) && e.kind_first[k] != thread) {
    e.kind_several |= bit;
    result.changed = true;
  }
  if (!e.several_threads && e.first_thread != thread)
    e.several_threads = true;
  result.changed |= result.new_edge;
  if (!result.changed)
    return result;

  // While the graph is acyclic, a new edge either agrees with the order,
  // is placed by reordering, or makes the first plain cycle.
  if (acyclic_ && (!inserted || ord_[from] < ord_[to] || reorder(from, to)))
    return result;
  acyclic_ = false;

  // A cycle through the new edge is a path back from `to` to `from`. It is
  // reportable if any edge on it, the new one included, was made by a
  // thread other than `thread`.
  bool new_edge_other = made_by_other(e, k, thread);
  if (find_cycle(from, held, to, acquired, thread, new_edge_other, true,
                 result.path)) {
    result.cycle = true;
  } else if (find_cycle(from, held, to, acquired, thread, new_edge_other,
                        false, result.path)) {
    result.single_thread_cycle = true;
  }
  return result;
}

bool LockGraph::find_cycle(ClassId from, EdgeMode held, ClassId to,
                           EdgeMode acquired, ThreadId thread,
                           bool start_other, bool need_other_thread,
                           std::vector<CycleStep> &path) const {
  path.clear();
  std::unordered_map<State, Pred, StateHash> pred;
  std::deque<State> queue;
  State start{to, acquired == EdgeMode::shared, start_other};
  pred.emplace(start, Pred{start, held, acquired});
  queue.push_back(start);
  while (!queue.empty()) {
    State s = queue.front();
    queue.pop_front();
    auto outs = out_.find(s.node);
    if (outs == out_.end())
      continue;
    for (const auto &[next, info] : outs->second) {
      for (int h = 0; h < 2; ++h) {
        // Strong path: do not leave a lock held shared that was entered
        // shared (two readers of one lock do not wait for each other).
        if (h == 1 && s.entered_shared)
          continue;
        for (int a = 0; a < 2; ++a) {
          auto hm = static_cast<EdgeMode>(h), am = static_cast<EdgeMode>(a);
          if (!(info.kinds & edge_kind_bit(hm, am)))
            continue;
          State n{next, am == EdgeMode::shared,
                  s.other_thread ||
                      made_by_other(info, unsigned(h * 2 + a), thread)};
          if (next == from) {
            // Closing the cycle: `from` was entered in mode am and the new
            // edge leaves it held in mode `held`.
            bool strong = !(am == EdgeMode::shared && held == EdgeMode::shared);
            if (strong && (n.other_thread || !need_other_thread)) {
              std::vector<CycleStep> back{{s.node, next, hm, am}};
              for (State cur = s; !(cur == start);) {
                const Pred &p = pred.at(cur);
                back.push_back({p.prev.node, cur.node, p.held, p.acquired});
                cur = p.prev;
              }
              path.push_back({from, to, held, acquired});
              path.insert(path.end(), back.rbegin(), back.rend());
              return true;
            }
            continue;
          }
          if (pred.emplace(n, Pred{s, hm, am}).second)
            queue.push_back(n);
        }
      }
    }
  }
  return false;
}

void LockGraph::place(ClassId c) {
  if (ord_.size() <= c)
    ord_.resize(std::size_t(c) + 1, 0);
  if (ord_[c] == 0)
    ord_[c] = next_ord_++;
}

bool LockGraph::reorder(ClassId from, ClassId to) {
  const std::uint32_t lower = ord_[to], upper = ord_[from];
  // Forward from `to` through nodes ordered before `from`; reaching `from`
  // is a cycle.
  std::vector<ClassId> forward, backward, stack{to};
  std::unordered_map<ClassId, bool> seen{{to, true}};
  while (!stack.empty()) {
    ClassId n = stack.back();
    stack.pop_back();
    forward.push_back(n);
    for (const auto &[next, info] : out_[n]) {
      if (next == from)
        return false;
      if (ord_[next] < upper && seen.emplace(next, true).second)
        stack.push_back(next);
    }
  }
  // Backward from `from` through nodes ordered after `to`.
  stack = {from};
  seen.emplace(from, true);
  while (!stack.empty()) {
    ClassId n = stack.back();
    stack.pop_back();
    backward.push_back(n);
    if (auto ins = in_.find(n); ins != in_.end())
      for (ClassId prev : ins->second)
        if (ord_[prev] > lower && seen.emplace(prev, true).second)
          stack.push_back(prev);
  }
  // The backward set goes first, then the forward set, each in its old
  // order, into the same order slots.
  auto by_ord = [&](ClassId a, ClassId b) { return ord_[a] < ord_[b]; };
  std::sort(forward.begin(), forward.end(), by_ord);
  std::sort(backward.begin(), backward.end(), by_ord);
  std::vector<std::uint32_t> slots;
  for (ClassId n : backward)
    slots.push_back(ord_[n]);
  for (ClassId n : forward)
    slots.push_back(ord_[n]);
  std::sort(slots.begin(), slots.end());
  std::size_t i = 0;
  for (ClassId n : backward)
    ord_[n] = slots[i++];
  for (ClassId n : forward)
    ord_[n] = slots[i++];
  return true;
}

void LockGraph::remove_class(ClassId c) {
  if (auto it = out_.find(c); it != out_.end()) {
    for (const auto &[to, info] : it->second) {
      auto &ins = in_[to];
      ins.erase(std::remove(ins.begin(), ins.end(), c), ins.end());
      --edge_count_;
    }
    out_.erase(it);
  }
  if (auto it = in_.find(c); it != in_.end()) {
    for (ClassId from : it->second) {
      auto outs = out_.find(from);
      if (outs != out_.end() && outs->second.erase(c))
        --edge_count_;
    }
    in_.erase(it);
  }
}

const EdgeInfo *LockGraph::edge(ClassId from, ClassId to) const {
  auto it = out_.find(from);
  if (it == out_.end())
    return nullptr;
  auto e = it->second.find(to);
  return e == it->second.end() ? nullptr : &e->second;
}

std::size_t LockGraph::memory_bytes() const {
  std::size_t bytes = sizeof(*this) + ord_.capacity() * sizeof(std::uint32_t);
  for (const auto &[from, outs] : out_)
    bytes += sizeof(from) + sizeof(outs) + 32 +
             outs.size() * (sizeof(ClassId) + sizeof(EdgeInfo) + 24) +
             outs.bucket_count() * sizeof(void *);
  for (const auto &[to, ins] : in_)
    bytes += sizeof(to) + sizeof(ins) + 32 + ins.capacity() * sizeof(ClassId);
  return bytes;
}

std::string LockGraph::check_invariants() const {
  std::size_t edges = 0;
  for (const auto &[from, outs] : out_) {
    for (const auto &[to, info] : outs) {
      ++edges;
      if (from == to)
        return "self-edge on class " + std::to_string(from);
      if (info.kinds == 0 || info.kinds > 15)
        return "edge with invalid kinds";
      if (!out_.count(to))
        return "edge into a class that is not a node";
      auto ins = in_.find(to);
      if (ins == in_.end() ||
          std::count(ins->second.begin(), ins->second.end(), from) != 1)
        return "out-edge " + std::to_string(from) + "->" + std::to_string(to) +
               " missing from in-list";
    }
  }
  for (const auto &[to, ins] : in_)
    for (ClassId from : ins)
      if (!edge(from, to))
        return "in-edge " + std::to_string(from) + "->" + std::to_string(to) +
               " missing from out-list";
  if (acyclic_)
    for (const auto &[from, outs] : out_)
      for (const auto &[to, info] : outs)
        if (from >= ord_.size() || to >= ord_.size() ||
            ord_[from] >= ord_[to])
          return "edge " + std::to_string(from) + "->" + std::to_string(to) +
                 " against the topological order";
  if (edges != edge_count_)
    return "edge count " + std::to_string(edge_count_) + " but " +
           std::to_string(edges) + " edges";
  return "";
}

} // namespace fearless::detail
