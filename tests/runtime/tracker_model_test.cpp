// A randomized model test of the lock-order tracker: random lock programs
// (several threads, nested acquisitions of a few lock classes, read/write
// modes, try-locks) run through the hooks; the tracker's verdict ("some
// lock-order inversion was reported") is compared with a brute-force oracle
// that enumerates every simple cycle of the resulting class graph and every
// choice of edge kinds along it. Zero mismatches allowed.
//
// The oracle's rules are the documented ones (docs/runtime/tracker.md):
//  * an edge A -> B is made when a thread takes B (not by try_lock) while
//    holding A (held by lock or try_lock);
//  * a cycle is a deadlock only along a strong path: at no lock does the
//    path enter in shared mode and leave holding it in shared mode;
//  * a cycle whose edges were all made by one and the same thread is not.
#include "fearless/detail/hooks.h"
#include "fearless/report.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fd = fearless::detail;
using fd::LockMode;

namespace {

constexpr int kClasses = 5;
constexpr int kThreads = 3;

struct Step {
  int lock;
  LockMode mode;
  bool tried;
};
// One critical section: locks taken in order, released in reverse.
using Section = std::vector<Step>;
using Program = std::vector<std::vector<Section>>; // [thread][section]

Program random_program(std::mt19937 &rng) {
  Program p(kThreads);
  for (auto &thread : p) {
    int sections = 1 + int(rng() % 3);
    for (int s = 0; s < sections; ++s) {
      Section sec;
      int depth = 1 + int(rng() % 3);
      std::set<int> used;
      for (int d = 0; d < depth; ++d) {
        int l = int(rng() % kClasses);
        if (!used.insert(l).second)
          continue; // never the same lock twice (that is a double lock)
        sec.push_back({l,
                       rng() % 3 == 0 ? LockMode::shared : LockMode::exclusive,
                       rng() % 5 == 0});
      }
      thread.push_back(sec);
    }
  }
  return p;
}

// --- the oracle -------------------------------------------------------------
struct EdgeFacts {
  unsigned kinds = 0;       // bit held*2 + acquired (0 = exclusive, 1 = shared)
  std::set<int> threads[4]; // per kind: who made it
};
using Graph = std::array<std::array<EdgeFacts, kClasses>, kClasses>;

Graph edges_of(const Program &p) {
  Graph g{};
  for (int t = 0; t < kThreads; ++t)
    for (const Section &sec : p[t])
      for (std::size_t i = 0; i < sec.size(); ++i) {
        if (sec[i].tried)
          continue; // a try_lock adds no edge
        for (std::size_t h = 0; h < i; ++h) {
          EdgeFacts &e = g[sec[h].lock][sec[i].lock];
          int k = (sec[h].mode == LockMode::shared) * 2 +
                  (sec[i].mode == LockMode::shared);
          e.kinds |= 1u << k;
          e.threads[k].insert(t);
        }
      }
  return g;
}

// Every simple cycle v0 -> v1 -> ... -> v0, every kind per edge.
bool oracle(const Graph &g) {
  std::vector<int> path;
  std::vector<bool> on(kClasses, false);
  bool found = false;
  // Checks the cycle in `path`: some choice of one kind per edge that is
  // strong and whose kinds were made by at least two threads in all.
  auto check = [&] {
    std::size_t n = path.size();
    std::vector<int> kind(n, 0);
    for (;;) { // odometer over kinds 0..3 per edge
      bool valid = true, strong = true;
      for (std::size_t i = 0; i < n && valid; ++i)
        valid = g[path[i]][path[(i + 1) % n]].kinds & (1u << kind[i]);
      for (std::size_t i = 0; i < n && valid && strong; ++i) {
        bool entered_shared = kind[i] & 1;        // acquired mode of edge i
        bool held_shared = kind[(i + 1) % n] & 2; // held mode of edge i+1
        strong = !(entered_shared && held_shared);
      }
      if (valid && strong) {
        std::set<int> threads;
        for (std::size_t i = 0; i < n; ++i)
          for (int t : g[path[i]][path[(i + 1) % n]].threads[kind[i]])
            threads.insert(t);
        if (threads.size() >= 2)
          return true;
      }
      std::size_t i = 0;
      while (i < n && ++kind[i] == 4)
        kind[i++] = 0;
      if (i == n)
        return false;
    }
  };
  auto dfs = [&](auto &self, int start, int v) -> void {
    for (int w = start; w < kClasses && !found; ++w) {
      if (!g[v][w].kinds)
        continue;
      if (w == start) {
        found = check();
      } else if (!on[w]) {
        on[w] = true;
        path.push_back(w);
        self(self, start, w);
        path.pop_back();
        on[w] = false;
      }
    }
  };
  for (int s = 0; s < kClasses && !found; ++s) {
    path = {s};
    on.assign(kClasses, false);
    on[s] = true;
    dfs(dfs, s, s);
  }
  return found;
}

// --- the tracker ------------------------------------------------------------
struct Lock {
  explicit Lock(const std::string &name) : name_(name) {
    fd::on_create(state, fd::LockSite{name_.c_str()});
  }
  ~Lock() { fd::on_destroy(state); }
  std::string name_;
  fd::LockState state;
};

bool tracker_reports(const Program &p, int round) {
  std::vector<fearless::Report> seen;
  std::mutex mu;
  auto old = fearless::set_report_handler([&](const fearless::Report &r) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(r);
  });
  std::vector<std::unique_ptr<Lock>> locks;
  for (int i = 0; i < kClasses; ++i)
    locks.push_back(std::make_unique<Lock>("model." + std::to_string(round) +
                                           "." + std::to_string(i)));
  for (const auto &thread : p)
    std::thread([&] {
      for (const Section &sec : thread) {
        for (const Step &s : sec) {
          fd::LockState &st = locks[s.lock]->state;
          if (s.tried) {
            fd::on_acquired(st, s.mode, true);
          } else {
            auto a = fd::on_acquire(st, s.mode);
            fd::on_acquired(st, s.mode, a);
          }
        }
        for (auto it = sec.rbegin(); it != sec.rend(); ++it)
          fd::on_release(locks[it->lock]->state, it->mode);
      }
    }).join();
  fearless::set_report_handler(old);
  bool inversion = false;
  for (const auto &r : seen) {
    EXPECT_NE(r.kind, fearless::ReportKind::misuse) << r.to_string();
    inversion |= r.title == "lock-order inversion";
  }
  return inversion;
}

std::string describe(const Program &p) {
  std::string out;
  for (int t = 0; t < kThreads; ++t) {
    out += "T" + std::to_string(t) + ":";
    for (const Section &sec : p[t]) {
      out += " [";
      for (const Step &s : sec)
        out += std::string(1, char('A' + s.lock)) +
               (s.mode == LockMode::shared ? "r" : "w") + (s.tried ? "?" : "");
      out += "]";
    }
    out += "\n";
  }
  return out;
}

TEST(TrackerModel, RandomProgramsMatchTheOracle) {
  std::mt19937 rng(20261122);
  int mismatches = 0, cycles = 0;
  constexpr int rounds = 400;
  for (int round = 0; round < rounds; ++round) {
    Program p = random_program(rng);
    bool expected = oracle(edges_of(p));
    bool got = tracker_reports(p, round);
    cycles += expected;
    if (got != expected && ++mismatches <= 5)
      ADD_FAILURE() << "round " << round << ": oracle " << expected
                    << ", tracker " << got << "\n"
                    << describe(p);
  }
  EXPECT_EQ(mismatches, 0);
  // The generator must exercise both verdicts to mean anything.
  EXPECT_GT(cycles, rounds / 10);
  EXPECT_LT(cycles, rounds - rounds / 10);
}

} // namespace

#endif // FEARLESS_LOCK_TRACKING
