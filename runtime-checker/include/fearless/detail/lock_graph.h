// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/lock_graph.h - the lock-order graph, a pure data structure.
//
// Nodes are lock classes; an edge A -> B says "some thread acquired B while
// holding A". Each edge records in which modes (exclusive/shared) A was held
// and B acquired, and which threads created it. Adding an edge searches for a
// cycle through it (docs/runtime/tracker.md, lockdep's rules):
//
//  * Read/write: a cycle is a deadlock only along a *strong* path, one that
//    never enters a lock in shared mode and leaves it holding that lock in
//    shared mode: two readers of one lock never wait for each other. So a
//    cycle that only exists through shared-shared links is not reported.
//  * Threads: a cycle all of whose edges were made by one and the same thread
//    can never run concurrently with itself and is not reported; once a
//    second thread makes one of its edges, it is.
//
// While the graph has no cycle at all, a dynamic topological order (Pearce
// and Kelly) spares most new edges any search. No locking, no I/O, no
// allocation on lookups: the tracker serialises calls behind its graph
// lock. check_invariants() is for tests.
#ifndef FEARLESS_DETAIL_LOCK_GRAPH_H_
#define FEARLESS_DETAIL_LOCK_GRAPH_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace fearless::detail {

using ClassId = std::uint32_t;
using ThreadId = std::uint32_t;

/// How an end of an edge is held: exclusive (writer) or shared (reader).
enum class EdgeMode : std::uint8_t { exclusive = 0, shared = 1 };

/// Bit for an edge kind (mode of `from` when held, mode of `to` acquired).
constexpr unsigned edge_kind_bit(EdgeMode held, EdgeMode acquired) {
  return 1u << (static_cast<unsigned>(held) * 2 + static_cast<unsigned>(acquired));
}

/// What the graph remembers of an edge: enough to print both ends.
struct EdgeInfo {
  unsigned kinds = 0;          ///< edge_kind_bit()s seen
  ThreadId first_thread = 0;   ///< the thread that made it first
  bool several_threads = false;///< another thread made it too
  /// Per kind (index held * 2 + acquired): the thread that made it first,
  /// and (bit) whether another thread made that kind too. A cycle is
  /// judged on the kinds along it: a kind only one thread made, however
  /// many threads made the edge's other kinds, is that thread's.
  ThreadId kind_first[4] = {};
  unsigned kind_several = 0;
  std::uint32_t from_site = 0; ///< caller's site id of holding `from`
  std::uint32_t to_site = 0;   ///< caller's site id of acquiring `to`
};

/// One step of a cycle: from -> to, with the modes along the found path.
struct CycleStep {
  ClassId from;
  ClassId to;
  EdgeMode held;
  EdgeMode acquired;
};

/// Result of adding an edge.
struct AddResult {
  bool new_edge = false;    ///< the (from, to, kind) triple was not known
  bool changed = false;     ///< new edge, or a second thread made it
  bool cycle = false;       ///< a reportable cycle closes through it
  bool single_thread_cycle = false; ///< a cycle exists, but only in one thread
  std::vector<CycleStep> path;      ///< the cycle, starting with the new edge
};

class LockGraph {
public:
  /// Records that `thread` acquired `to` (in mode `acquired`) while holding
  /// `from` (in mode `held`), and searches for a cycle through that edge when
  /// the edge is new or gained a second thread. Self-edges are ignored (a
  /// re-lock of one instance is a double lock, and nesting two instances of
  /// one class is allowed only with nest annotations, decided by the caller).
  AddResult add_edge(ClassId from, EdgeMode held, ClassId to,
                     EdgeMode acquired, ThreadId thread,
                     std::uint32_t from_site = 0, std::uint32_t to_site = 0);

  /// Forgets a class and every edge into or out of it (a destroyed lock in
  /// per-instance mode: its address may be reused by an unrelated lock).
  void remove_class(ClassId c);

  /// The edge from -> to, or nullptr.
  const EdgeInfo *edge(ClassId from, ClassId to) const;

  std::size_t edge_count() const { return edge_count_; }
  std::size_t class_count() const { return out_.size(); }

  /// Bytes used, roughly (for the memory-per-class measurement).
  std::size_t memory_bytes() const;

  /// Checks the internal invariants (in/out adjacency agree, counts match);
  /// returns an empty string or a description of the first violation.
  std::string check_invariants() const;

  /// Calls f(from, to, info) for every edge (for DOT output).
  template <class F> void for_each_edge(F &&f) const {
    for (const auto &[from, outs] : out_)
      for (const auto &[to, info] : outs)
        f(from, to, info);
  }

  /// True while the graph, read/write modes and threads aside, has no
  /// cycle: then no edge can close a reportable one, and none is searched.
  bool acyclic() const { return acyclic_; }

private:
  // Pearce and Kelly's dynamic topological order ("A dynamic topological
  // sort algorithm for directed acyclic graphs", JEA 2006): while the graph
  // is acyclic, ord_[u] < ord_[v] for every edge u -> v, so an edge that
  // agrees with the order needs no search, and one that does not only
  // reorders the nodes between its ends. The first plain cycle (reportable
  // or not) ends the bookkeeping: from then on every change is searched.
  void place(ClassId c);
  bool reorder(ClassId from, ClassId to); // false: from is reachable from to

  bool find_cycle(ClassId from, EdgeMode held, ClassId to, EdgeMode acquired,
                  ThreadId thread, bool start_other, bool need_other_thread,
                  std::vector<CycleStep> &path) const;

  std::unordered_map<ClassId, std::unordered_map<ClassId, EdgeInfo>> out_;
  std::unordered_map<ClassId, std::vector<ClassId>> in_;
  std::size_t edge_count_ = 0;
  std::vector<std::uint32_t> ord_; // by ClassId; 0 = not a node yet
  std::uint32_t next_ord_ = 1;
  bool acyclic_ = true;
};

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_LOCK_GRAPH_H_
