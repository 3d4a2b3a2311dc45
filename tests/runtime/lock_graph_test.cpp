// The lock-order graph on its own: lockdep's self-test scenarios at graph
// level, the read/write and one-thread rules, forgetting classes, and a
// randomized comparison with a brute-force oracle.
#include "fearless/detail/lock_graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

using fearless::detail::AddResult;
using fearless::detail::ClassId;
using fearless::detail::EdgeMode;
using fearless::detail::LockGraph;
using fearless::detail::ThreadId;

namespace {

constexpr EdgeMode X = EdgeMode::exclusive;
constexpr EdgeMode S = EdgeMode::shared;

// Thread t acquires the locks of `chain` in order, each while holding all the
// previous ones (as a nested sequence of guards), in the given modes. Returns
// true if any step reported a cycle.
bool run_chain(LockGraph &g, ThreadId t, std::vector<ClassId> chain,
               std::vector<EdgeMode> modes = {}) {
  modes.resize(chain.size(), X);
  bool cycle = false;
  for (std::size_t i = 1; i < chain.size(); ++i)
    for (std::size_t h = 0; h < i; ++h)
      cycle |= g.add_edge(chain[h], modes[h], chain[i], modes[i], t).cycle;
  EXPECT_EQ(g.check_invariants(), "");
  return cycle;
}

// Lockdep's scenario names: pairs of letters are "hold first, take second",
// each pair on its own thread; the last pair closes the cycle.
bool scenario(const std::string &pairs, EdgeMode mode = X) {
  LockGraph g;
  bool cycle = false;
  ThreadId t = 1;
  for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
    cycle |= run_chain(g, t++, {ClassId(pairs[i]), ClassId(pairs[i + 1])},
                       {mode, mode});
  return cycle;
}

TEST(LockGraph, SelfTestScenariosWithExclusiveLocks) {
  EXPECT_TRUE(scenario("ABBA"));
  EXPECT_TRUE(scenario("ABBCCA"));
  EXPECT_TRUE(scenario("ABBCCDDA"));
  EXPECT_TRUE(scenario("ABCDBDDA"));
  EXPECT_TRUE(scenario("ABCDBCDA"));
  EXPECT_FALSE(scenario("ABBCCD"));
  EXPECT_FALSE(scenario("ABACBC"));
}

TEST(LockGraph, AbcAbcIsACycleOnlyAcrossThreads) {
  LockGraph g;
  EXPECT_FALSE(run_chain(g, 1, {'A', 'B', 'C'}));
  EXPECT_FALSE(run_chain(g, 2, {'A', 'B', 'C'}));
  EXPECT_TRUE(run_chain(g, 3, {'C', 'A'}));
}

TEST(LockGraph, SharedSharedCycleIsNotADeadlock) {
  EXPECT_FALSE(scenario("ABBA", S));
  EXPECT_FALSE(scenario("ABBCCA", S));
}

TEST(LockGraph, ReadWriteMixesFollowTheStrongPathRule) {
  // T1 holds A for writing and takes B for reading; T2 holds B for reading
  // and takes A for writing: B is shared by both, no one waits on it.
  {
    LockGraph g;
    run_chain(g, 1, {'A', 'B'}, {X, S});
    EXPECT_FALSE(run_chain(g, 2, {'B', 'A'}, {S, X}));
  }
  // T1 writes A then writes B; T2 writes B then reads A: T2 waits for T1's
  // write lock on A while T1 waits for B.
  {
    LockGraph g;
    run_chain(g, 1, {'A', 'B'}, {X, X});
    EXPECT_TRUE(run_chain(g, 2, {'B', 'A'}, {X, S}));
  }
  // T1 reads A then writes B; T2 writes B then reads A: both read A.
  {
    LockGraph g;
    run_chain(g, 1, {'A', 'B'}, {S, X});
    EXPECT_FALSE(run_chain(g, 2, {'B', 'A'}, {X, S}));
  }
}

TEST(LockGraph, OneThreadsOwnHistoryIsNotReportedUntilAnotherJoins) {
  LockGraph g;
  EXPECT_FALSE(run_chain(g, 1, {'A', 'B'}));
  AddResult r = g.add_edge('B', X, 'A', X, 1);
  EXPECT_FALSE(r.cycle);
  EXPECT_TRUE(r.single_thread_cycle);
  // Thread 2 takes A then B: now A->B and B->A can run at the same time.
  r = g.add_edge('A', X, 'B', X, 2);
  EXPECT_TRUE(r.cycle);
  ASSERT_EQ(r.path.size(), 2u);
  EXPECT_EQ(r.path[0].from, ClassId('A'));
  EXPECT_EQ(r.path[0].to, ClassId('B'));
  EXPECT_EQ(r.path[1].from, ClassId('B'));
  EXPECT_EQ(r.path[1].to, ClassId('A'));
}

// Found by the randomized model test: thread 1 made D->A (X->X) and A->D
// (S->X), a cycle of its own; thread 2 then made D->A in another kind
// (X->S), which cannot close the cycle (it would enter A shared and leave
// it held shared). Still thread 1's cycle, in either order of events.
TEST(LockGraph, ASecondThreadInAnotherKindDoesNotMakeACycleConcurrent) {
  {
    LockGraph g;
    EXPECT_FALSE(g.add_edge('D', X, 'A', X, 1).cycle);
    EXPECT_FALSE(g.add_edge('A', S, 'D', X, 1).cycle);
    EXPECT_FALSE(g.add_edge('D', X, 'A', S, 2).cycle);
  }
  {
    LockGraph g;
    EXPECT_FALSE(g.add_edge('D', X, 'A', S, 2).cycle);
    EXPECT_FALSE(g.add_edge('D', X, 'A', X, 1).cycle);
    EXPECT_FALSE(g.add_edge('A', S, 'D', X, 1).cycle);
  }
  // Thread 2 making the same kind (X->X) does make it concurrent.
  LockGraph g;
  g.add_edge('D', X, 'A', X, 1);
  g.add_edge('A', S, 'D', X, 1);
  EXPECT_TRUE(g.add_edge('D', X, 'A', X, 2).cycle);
  EXPECT_EQ(g.check_invariants(), "");
}

// The dynamic topological order: edges of a hidden order, inserted in a
// random order, keep the graph acyclic and the order consistent; the first
// edge against the hidden order closes a cycle and is searched as before.
TEST(LockGraph, TopologicalOrderFollowsRandomInsertionsUntilACycle) {
  LockGraph g;
  std::mt19937 rng(7);
  std::vector<std::pair<ClassId, ClassId>> dag;
  for (ClassId a = 1; a <= 40; ++a)
    for (ClassId b = a + 1; b <= 40; ++b)
      if (rng() % 4 == 0)
        dag.emplace_back(a, b);
  std::shuffle(dag.begin(), dag.end(), rng);
  for (auto [a, b] : dag) {
    EXPECT_FALSE(g.add_edge(a, X, b, X, 1 + a % 2).cycle);
    ASSERT_EQ(g.check_invariants(), "") << a << "->" << b;
  }
  EXPECT_TRUE(g.acyclic());
  // 40 -> 1 closes a cycle if 1 reaches 40; find a pair that does.
  auto [a, b] = dag.front();
  EXPECT_TRUE(g.add_edge(b, X, a, X, 3).cycle);
  EXPECT_FALSE(g.acyclic());
  EXPECT_EQ(g.check_invariants(), "");
}

TEST(LockGraph, KnownEdgeFromTheSameThreadSearchesNothing) {
  LockGraph g;
  g.add_edge('A', X, 'B', X, 1);
  AddResult r = g.add_edge('A', X, 'B', X, 1);
  EXPECT_FALSE(r.new_edge);
  EXPECT_FALSE(r.changed);
}

TEST(LockGraph, ForgottenClassTakesItsEdgesAlong) {
  LockGraph g;
  run_chain(g, 1, {'A', 'B', 'C'});
  EXPECT_EQ(g.edge_count(), 3u);
  g.remove_class('B');
  EXPECT_EQ(g.check_invariants(), "");
  EXPECT_EQ(g.edge_count(), 1u);
  EXPECT_EQ(g.edge('A', 'B'), nullptr);
  // A new lock reusing B's identity starts clean: C->B is no inversion.
  EXPECT_FALSE(run_chain(g, 2, {'C', 'B'}));
}

TEST(LockGraph, LongCycleIsFoundWithItsWholePath) {
  LockGraph g;
  constexpr ClassId n = 20;
  for (ClassId i = 0; i + 1 < n; ++i)
    EXPECT_FALSE(g.add_edge(i, X, i + 1, X, i + 1).cycle);
  AddResult r = g.add_edge(n - 1, X, 0, X, 99);
  EXPECT_TRUE(r.cycle);
  EXPECT_EQ(r.path.size(), std::size_t(n));
}

// --- randomized model test ---------------------------------------------------
// The oracle enumerates every simple cycle of classes, every choice of edge
// kinds along it, and applies the definitions directly: strong at every node,
// and made by more than one thread.
struct OracleEdge {
  unsigned kinds = 0;
  std::set<ThreadId> threads;
};
using Oracle = std::map<std::pair<ClassId, ClassId>, OracleEdge>;

bool oracle_has_cycle(const Oracle &edges, ClassId n) {
  std::vector<ClassId> path;
  std::function<bool(ClassId)> dfs = [&](ClassId node) -> bool {
    for (ClassId next = 0; next < n; ++next) {
      if (!edges.count({node, next}))
        continue;
      if (next == path.front()) {
        // Try every kind assignment along the closed cycle.
        std::vector<ClassId> cyc = path;
        std::size_t k = cyc.size();
        std::function<bool(std::size_t, std::vector<std::pair<int, int>> &)>
            assign = [&](std::size_t i, std::vector<std::pair<int, int>> &kd) {
              if (i == k) {
                for (std::size_t j = 0; j < k; ++j) {
                  // node cyc[(j+1)%k]: entered by kd[j].acquired, left by
                  // kd[(j+1)%k].held.
                  if (kd[j].second == 1 && kd[(j + 1) % k].first == 1)
                    return false;
                }
                std::set<ThreadId> all;
                for (std::size_t j = 0; j < k; ++j) {
                  const auto &e = edges.at({cyc[j], cyc[(j + 1) % k]});
                  all.insert(e.threads.begin(), e.threads.end());
                }
                return all.size() >= 2;
              }
              const auto &e = edges.at({cyc[i], cyc[(i + 1) % k]});
              for (int h = 0; h < 2; ++h)
                for (int a = 0; a < 2; ++a)
                  if (e.kinds & (1u << (h * 2 + a))) {
                    kd.push_back({h, a});
                    if (assign(i + 1, kd))
                      return true;
                    kd.pop_back();
                  }
              return false;
            };
        std::vector<std::pair<int, int>> kd;
        if (assign(0, kd))
          return true;
        continue;
      }
      if (std::find(path.begin(), path.end(), next) != path.end())
        continue;
      path.push_back(next);
      if (dfs(next))
        return true;
      path.pop_back();
    }
    return false;
  };
  for (ClassId start = 0; start < n; ++start) {
    path = {start};
    if (dfs(start))
      return true;
  }
  return false;
}

TEST(LockGraph, RandomProgramsMatchTheBruteForceOracle) {
  std::mt19937 rng(20261122);
  int reported = 0, programs = 400;
  for (int p = 0; p < programs; ++p) {
    const ClassId classes = 2 + rng() % 4;
    const ThreadId threads = 1 + rng() % 3;
    LockGraph g;
    Oracle oracle;
    bool tracker_cycle = false;
    int steps = 1 + rng() % 8;
    for (int s = 0; s < steps; ++s) {
      ThreadId t = 1 + rng() % threads;
      // A nested acquisition sequence of distinct classes.
      std::vector<ClassId> chain;
      std::vector<EdgeMode> modes;
      int len = 2 + rng() % 2;
      while (int(chain.size()) < len) {
        ClassId c = rng() % classes;
        if (std::find(chain.begin(), chain.end(), c) != chain.end())
          break;
        chain.push_back(c);
        modes.push_back(rng() % 3 == 0 ? S : X);
      }
      for (std::size_t i = 1; i < chain.size(); ++i)
        for (std::size_t h = 0; h < i; ++h) {
          tracker_cycle |=
              g.add_edge(chain[h], modes[h], chain[i], modes[i], t).cycle;
          auto &e = oracle[{chain[h], chain[i]}];
          e.kinds |= fearless::detail::edge_kind_bit(modes[h], modes[i]);
          e.threads.insert(t);
        }
    }
    ASSERT_EQ(g.check_invariants(), "");
    bool expected = oracle_has_cycle(oracle, classes);
    ASSERT_EQ(tracker_cycle, expected) << "program " << p;
    reported += expected;
  }
  // The generator must exercise both verdicts, or the test proves nothing.
  EXPECT_GT(reported, programs / 10);
  EXPECT_LT(reported, programs - programs / 10);
}

} // namespace
