// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The lock-order tracker: the out-of-line half of detail/hooks.h (DESIGN.md
// section 8). The inline fast path (detail/tracker_fast.h) handles a chain
// of held lock classes validated before; everything else lands here:
// classes, new chains (the graph lock, edges, the cycle search), misuse,
// configuration and the public API. Real deadlocks (what blocked threads
// wait for) are in deadlock.cpp, the text of lock-order reports in
// tracker_report.cpp, thread records in threads.cpp.
#include "fearless/tracker.h"

#include "fearless/detail/hooks.h"
#include "fearless/thread.h"
#include "foreign_lock.h"
#include "tracker_internal.h"
#include "tracker_report.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fearless {
namespace detail {

ChainSlot g_chains[kChainSlots];

// FEARLESS_PARTIAL_DEADLOCKS (deadlock.cpp reads it).
std::atomic<bool> g_partial_deadlocks{true};

namespace {

constexpr int kProbes = 16;

LockMode held_mode(const HeldLock &h) {
  return LockMode(h.mode.load(std::memory_order_relaxed));
}

// Full lookup (and insertion) in the validated-chain cache; the inline
// fast path only looks at the first slot.
ChainSlot *find_chain(std::uint64_t key, bool insert, ThreadId owner) {
  std::size_t i = key & (kChainSlots - 1);
  for (int p = 0; p < kProbes; ++p, i = (i + 1) & (kChainSlots - 1)) {
    std::uint64_t k = g_chains[i].key.load(std::memory_order_acquire);
    if (k == key)
      return &g_chains[i];
    if (k == 0) {
      if (!insert)
        return nullptr;
      g_chains[i].owner.store(owner, std::memory_order_relaxed);
      if (g_chains[i].key.compare_exchange_strong(k, key,
                                                  std::memory_order_acq_rel))
        return &g_chains[i];
      if (k == key)
        return &g_chains[i];
    }
  }
  return nullptr; // crowded: the chain is validated again next time
}

// --- configuration -------------------------------------------------------------
std::atomic<Policy> g_policy{Policy::report};
std::atomic<ClassMode> g_class_mode{ClassMode::site};
std::atomic<bool> g_single_thread_cycles{false};
// Set once at start-up; never destroyed, since reports are made by static
// destructors too (a global lock destroyed while held) and must reach the
// JSON file as well as stderr.
std::string &g_json_path = *new std::string;
std::string &g_dot_path = *new std::string;
std::mutex &g_json_mu = *new std::mutex;
// The report file could not be opened, and it was said.
bool g_json_error_said FEARLESS_GUARDED_BY(g_json_mu) = false;

// --- classes -------------------------------------------------------------------
ClassId new_class_locked(Global &g, std::string name, bool per_instance)
    FEARLESS_REQUIRES(g.mu) {
  ClassInfo info;
  info.name = std::move(name);
  info.per_instance = per_instance;
  g.classes.push_back(std::move(info));
  auto id = ClassId(g.classes.size() - 1);
  g.classes[id].base = id;
  g.classes[id].levels[0] = id;
  return id;
}

// The graph node of class `base` taken at nest level `subclass` (lockdep
// prints those as "name/1"). Called with global().mu held.
ClassId level_class(Global &g, ClassId base, unsigned subclass)
    FEARLESS_REQUIRES(g.mu) {
  if (subclass == 0 || base >= g.classes.size())
    return base;
  if (ClassId c = g.classes[base].levels[subclass])
    return c;
  ClassId c =
      new_class_locked(g, g.classes[base].name + "/" + std::to_string(subclass),
                       g.classes[base].per_instance);
  g.classes[c].base = base;
  g.classes[base].levels[subclass] = c;
  return c;
}

ClassId node_of(Global &g, const HeldLock &h) FEARLESS_REQUIRES(g.mu) {
  return level_class(g, h.cls, h.subclass);
}

// A construction site inside the standard library (std::make_shared and
// friends call the constructor) says nothing about which lock it is.
bool is_library_site(const char *file) {
  std::string_view f = file;
  return f.find("/include/c++/") != std::string_view::npos ||
         f.rfind("/usr/include/", 0) == 0 || f.rfind("/usr/lib/", 0) == 0;
}

// "name:column" (just "name" without a column), and each nest level's
// "name:column/n".
void name_site_class_locked(Global &g, ClassId c, const std::string &name,
                            unsigned column) FEARLESS_REQUIRES(g.mu) {
  ClassInfo &info = g.classes[c];
  info.name = column ? name + ":" + std::to_string(column) : name;
  for (unsigned s = 1; s <= kMaxSubclass; ++s)
    if (ClassId level = info.levels[s])
      g.classes[level].name = info.name + "/" + std::to_string(s);
}

// The class of the locks made at `file`:`line`:`column`: one class per
// construction site, as a lockdep key. Named "basename:line" while it is
// the only class there, "basename:line:column" once another site has the
// same basename and line (two locks declared on one line): the first one
// is renamed then, so every report from then on tells them apart.
ClassId site_class_locked(Global &g, const std::string &file, unsigned line,
                          unsigned column) FEARLESS_REQUIRES(g.mu) {
  auto [it, inserted] =
      g.sites.try_emplace(std::make_tuple(file, line, column), 0);
  if (inserted) {
    std::size_t cut = file.rfind('/');
    std::string shortname =
        (cut == std::string::npos ? file : file.substr(cut + 1)) + ":" +
        std::to_string(line);
    auto &same_line = g.site_lines[shortname];
    it->second = new_class_locked(g, shortname, false);
    same_line.emplace_back(it->second, column);
    if (same_line.size() > 1)
      for (const auto &[cls, col] : same_line)
        name_site_class_locked(g, cls, shortname, col);
  }
  return it->second;
}

// The class named `name`.
ClassId named_class_locked(Global &g, const std::string &name)
    FEARLESS_REQUIRES(g.mu) {
  auto [it, inserted] = g.names.try_emplace(name, 0);
  if (inserted)
    it->second = new_class_locked(g, name, false);
  return it->second;
}

FEARLESS_SLOW_PATH
ClassId class_for_site(const void *lock, const LockSite &site) {
  auto &g = global();
  std::lock_guard<std::mutex> guard(g.mu);
  bool per_instance = g_class_mode.load() == ClassMode::instance;
  if (site.name && !per_instance)
    return named_class_locked(g, site.name);
  if (site.where.line() != 0 && !per_instance &&
      !is_library_site(site.where.file_name()))
    return site_class_locked(g, site.where.file_name(),
                             unsigned(site.where.line()),
                             unsigned(site.where.column()));
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s@%p", site.name ? site.name : "lock", lock);
  return new_class_locked(g, buf, true);
}

// The lock's class; a lock the tracker was not told about (constructed
// before the tracker could run, or by hand) becomes a class of its own.
ClassId class_of(LockState &lock) {
  ClassId cls = lock.cls.load(std::memory_order_acquire);
  if (cls != 0)
    return cls;
  ClassId fresh = class_for_site(&lock, LockSite{});
  if (lock.cls.compare_exchange_strong(cls, fresh, std::memory_order_acq_rel))
    return fresh;
  return cls; // another thread classed it first
}

std::vector<RawHeld> copy_held(Global &g, const ThreadRecord &t)
    FEARLESS_REQUIRES(g.mu) {
  std::vector<RawHeld> out;
  int depth = t.depth.load(std::memory_order_relaxed);
  for (int i = 0; i < depth; ++i) {
    const HeldLock &h = t.held[i];
    out.push_back({class_name(g, node_of(g, h)), held_mode(h), h.tried,
                   h.pc.load(std::memory_order_relaxed),
                   h.ret.load(std::memory_order_relaxed)});
  }
  for (const ExtraHeld &e : extras_of(t))
    out.push_back({class_name(g, level_class(g, e.cls, e.subclass)), e.mode,
                   e.tried, e.pc, e.ret});
  return out;
}

// Copies what inversion_report() prints. Called with global().mu held.
RawInversion copy_inversion(Global &g, const AddResult &r,
                            const ThreadRecord &t, std::uint32_t this_stack)
    FEARLESS_REQUIRES(g.mu) {
  RawInversion raw;
  raw.thread = t.id;
  int depth = t.depth.load(std::memory_order_relaxed);
  for (int i = 0; i < depth; ++i)
    if (node_of(g, t.held[i]) == r.path.front().from) {
      raw.first_pc = t.held[i].pc.load(std::memory_order_relaxed);
      raw.first_ret = t.held[i].ret.load(std::memory_order_relaxed);
      raw.has_first_site = true;
      break;
    }
  for (std::size_t i = 0; i < r.path.size(); ++i) {
    const CycleStep &s = r.path[i];
    RawStep step;
    step.from = class_name(g, s.from);
    step.to = class_name(g, s.to);
    step.held = s.held;
    step.acquired = s.acquired;
    if (const EdgeInfo *e = i > 0 ? g.graph.edge(s.from, s.to) : nullptr) {
      step.known = true;
      step.first_thread = e->first_thread;
      if (e->from_site && e->from_site < g.stacks.size() &&
          g.stacks[e->from_site].size() == 2) {
        step.from_pc = g.stacks[e->from_site][0];
        step.from_ret = g.stacks[e->from_site][1];
        step.has_from_site = true;
      }
      // Only the steps printed with stacks need theirs copied.
      if (e->to_site && e->to_site < g.stacks.size() && i <= kStepsWithStacks)
        step.to_stack = g.stacks[e->to_site];
    }
    raw.path.push_back(std::move(step));
  }
  raw.this_stack = g.stacks[this_stack];
  raw.held = copy_held(g, t);
  return raw;
}

// A new chain: the edges from every lock held (since lock_all's batch
// began, none among the batch) to `cls` at `subclass`, each searched for a
// cycle; then the chain goes into the cache. However many cycles the
// acquisition closes, it makes one inversion report: the first cycle in
// full, the others by name.
FEARLESS_SLOW_PATH
void new_chain(ThreadRecord &t, ClassId cls, unsigned subclass, LockMode mode,
               std::uint64_t key, ChainSlot *chain) {
  auto &g = global();
  std::vector<RawNesting> nestings;
  std::optional<RawInversion> inversion;
  // Captured before the lock: unwinding takes microseconds.
  Stack this_frames = capture_stack(0);
  {
    std::lock_guard<std::mutex> guard(g.mu);
    g.slow_paths.fetch_add(1, std::memory_order_relaxed);
    ClassId node = level_class(g, cls, subclass);
    auto this_stack = std::uint32_t(g.stacks.size());
    g.stacks.push_back(std::move(this_frames));
    int held_before =
        t.batch >= 0 ? t.batch : t.depth.load(std::memory_order_relaxed);
    for (int i = 0; i < held_before; ++i) {
      const HeldLock &h = t.held[i];
      ClassId from = node_of(g, h);
      if (from == node) {
        // Two locks of one class nested: an ABBA between two instances is
        // one lock order away. lock_all() or lock_nested() say it is safe.
        std::string once = "nest:" + std::to_string(node);
        if (g.reported_once.insert(once).second)
          nestings.push_back(
              {t.id, class_name(g, node), h.pc.load(std::memory_order_relaxed),
               h.ret.load(std::memory_order_relaxed), g.stacks[this_stack]});
        continue;
      }
      auto from_site = std::uint32_t(g.stacks.size());
      g.stacks.push_back(
          Stack{const_cast<void *>(h.pc.load(std::memory_order_relaxed)),
                const_cast<void *>(h.ret.load(std::memory_order_relaxed))});
      AddResult r =
          g.graph.add_edge(from, edge_mode(held_mode(h)), node, edge_mode(mode),
                           t.id, from_site, this_stack);
      if (!r.new_edge)
        g.stacks.pop_back();
      if (r.cycle || (r.single_thread_cycle &&
                      g_single_thread_cycles.load(std::memory_order_relaxed))) {
        std::vector<ClassId> cycle;
        for (const CycleStep &s : r.path)
          cycle.push_back(s.from);
        std::sort(cycle.begin(), cycle.end());
        if (!g.reported_cycles.insert(cycle).second)
          continue;
        if (!inversion) {
          inversion = copy_inversion(g, r, t, this_stack);
        } else {
          std::vector<std::string> names;
          for (const CycleStep &s : r.path)
            names.push_back(class_name(g, s.from));
          inversion->more.push_back(std::move(names));
        }
      }
    }
    if (!chain)
      find_chain(key, true, t.id);
    else if (chain->owner.load(std::memory_order_relaxed) != t.id)
      chain->owner.store(0, std::memory_order_relaxed);
  }
  for (const RawNesting &n : nestings)
    deliver(nesting_report(n));
  if (inversion)
    deliver(inversion_report(*inversion));
}

// --- start-up ---------------------------------------------------------------------
// An ignore|report variable: sets `on`; anything else is an error (exit 2).
void report_switch(const char *name, std::atomic<bool> &on) {
  const char *v = std::getenv(name);
  if (!v)
    return;
  std::string s = v;
  if (s != "report" && s != "ignore") {
    std::fprintf(stderr,
                 "fearless: error: %s must be ignore or report, got '%s'\n",
                 name, v);
    std::exit(2);
  }
  on = s == "report";
}

struct StartUp {
  StartUp() {
    if (const char *v = std::getenv("FEARLESS_ON_DEADLOCK")) {
      std::string s = v;
      if (s == "ignore")
        g_policy = Policy::ignore;
      else if (s == "report")
        g_policy = Policy::report;
      else if (s == "abort")
        g_policy = Policy::abort;
      else {
        std::fprintf(stderr,
                     "fearless: error: FEARLESS_ON_DEADLOCK must be ignore, "
                     "report or abort, got '%s'\n",
                     v);
        std::exit(2);
      }
    }
    report_switch("FEARLESS_SINGLE_THREAD_CYCLES", g_single_thread_cycles);
    report_switch("FEARLESS_PARTIAL_DEADLOCKS", g_partial_deadlocks);
    if (const char *v = std::getenv("FEARLESS_REPORT_JSON")) {
      if (!*v) {
        std::fprintf(stderr, "fearless: error: FEARLESS_REPORT_JSON is set "
                             "but empty (expected a file path)\n");
        std::exit(2);
      }
      g_json_path = v;
    }
    if (const char *v = std::getenv("FEARLESS_LOCK_GRAPH")) {
      if (!*v) {
        std::fprintf(stderr, "fearless: error: FEARLESS_LOCK_GRAPH is set "
                             "but empty (expected a .dot file path)\n");
        std::exit(2);
      }
      g_dot_path = v;
      std::atexit([] {
        std::string dot = lock_graph_dot();
        if (FILE *f = std::fopen(g_dot_path.c_str(), "w")) {
          std::fwrite(dot.data(), 1, dot.size(), f);
          std::fclose(f);
        } else {
          std::fprintf(stderr, "fearless: cannot write the lock graph to '%s'\n",
                       g_dot_path.c_str());
        }
      });
    }
  }
} g_start_up;

} // namespace

// --- shared with deadlock.cpp ----------------------------------------------------
// Called by the registry (threads.cpp) when thread record `t` is taken.
void on_record_start(const ThreadRecord &t) { reset_held_extras(t); }

// Called by the registry when the thread of record `r` exits: it must not
// hold a lock any more.
void on_record_exit(ThreadRecord &record) {
  ThreadRecord *r = &record;
  apply_drops(*r);
  if (r->depth.load(std::memory_order_relaxed) > 0 || !extras_of(*r).empty())
    deliver({Report{ReportKind::misuse, "thread exited while holding locks",
                    "  the locks stay locked forever:\n" + held_lines(*r), ""},
             {}});
  reset_held_extras(*r);
}

Global &global() {
  static Global *g = new Global; // never destroyed: hooks may run at exit
  return *g;
}

std::string class_name(const Global &g, ClassId c) {
  return c < g.classes.size() ? g.classes[c].name : "?";
}

ClassId class_at_line(const std::string &file, unsigned line) {
  auto &g = global();
  std::lock_guard<std::mutex> guard(g.mu);
  return site_class_locked(g, file, line, 0);
}

ClassId class_named(const std::string &name) {
  auto &g = global();
  std::lock_guard<std::mutex> guard(g.mu);
  return named_class_locked(g, name);
}

std::string class_name_locked(ClassId c) {
  auto &g = global();
  std::lock_guard<std::mutex> guard(g.mu);
  return class_name(g, c);
}

std::string describe_site(const void *pc, const void *ret) {
  return describe_code_site(const_cast<void *>(pc), const_cast<void *>(ret));
}

std::string held_lines(const ThreadRecord &t) {
  std::vector<RawHeld> held;
  {
    auto &g = global();
    std::lock_guard<std::mutex> guard(g.mu);
    held = copy_held(g, t);
  }
  std::string out; // symbolised outside the lock
  for (const RawHeld &h : held)
    out +=
        "    '" + h.name + "' acquired at " + describe_site(h.pc, h.ret) + "\n";
  return out;
}

void deliver(TrackerReport tr) {
  global().reports.fetch_add(1, std::memory_order_relaxed);
  Policy p = g_policy.load();
  if (p == Policy::ignore)
    return;
  if (tr.report.thread.empty())
    tr.report.thread = std::string(current_thread_name());
  if (!g_json_path.empty()) {
    std::lock_guard<std::mutex> lock(g_json_mu);
    FILE *f = std::fopen(g_json_path.c_str(), "a");
    if (!f) {
      if (!std::exchange(g_json_error_said, true))
        std::fprintf(stderr, "fearless: error: cannot append reports to '%s' "
                             "(FEARLESS_REPORT_JSON): %s\n",
                     g_json_path.c_str(), std::strerror(errno));
    } else {
      const std::string line = report_json(tr) + "\n";
      std::fwrite(line.data(), 1, line.size(), f);
      std::fclose(f);
    }
  }
  emit_report(std::move(tr.report));
  if (p == Policy::abort)
    std::abort();
}

FEARLESS_SLOW_PATH
void misuse(const std::string &title, std::string details,
            const ThreadRecord *t, std::vector<std::string> locks) {
  if (std::string held = t ? held_lines(*t) : ""; !held.empty())
    details += "  locks held by this thread:\n" + held;
  details += "  stack:\n" + format_stack(capture_stack(0), "    ");
  deliver({Report{ReportKind::misuse, title, std::move(details), ""},
           std::move(locks)});
}

// --- hooks: slow paths ------------------------------------------------------------
void on_create(LockState &lock, const LockSite &site) noexcept {
  Inside in;
  lock.owner.store(0, std::memory_order_relaxed);
  lock.cls.store(class_for_site(&lock, site), std::memory_order_release);
}

void on_destroy(LockState &lock) noexcept {
  Inside in;
  ThreadRecord *t = record();
  if (t)
    apply_drops(*t);
  ThreadId owner = lock.owner.load(std::memory_order_acquire);
  ClassId cls = lock.cls.load(std::memory_order_acquire);
  // Every holder, readers of an RwLock included; each loses the lock from
  // its held locks now, so nothing is reported about it afterwards.
  std::vector<Holder> holders = holders_of(&lock);
  if (!holders.empty() || owner) {
    std::string name = class_name_locked(cls), d;
    for (const Holder &h : holders)
      d += "  '" + name + "' is still held by thread " +
           thread_label(h.id, nullptr) + " (" +
           (h.mode == LockMode::shared ? "shared" : "exclusive") +
           "), acquired at " + describe_site(h.pc, h.ret) + "\n";
    if (holders.empty()) // a thread already gone (the process is exiting)
      d += "  '" + name + "' is still held by thread " +
           thread_label(owner, nullptr) + "\n";
    for (const Holder &h : holders)
      drop_held(h.id, &lock);
    lock.owner.store(0, std::memory_order_relaxed);
    misuse("destroying a locked lock", d, t, {name});
  }
  auto &g = global();
  std::lock_guard<std::mutex> guard(g.mu);
  if (cls != 0 && cls < g.classes.size() && g.classes[cls].per_instance) {
    // Its address may be reused by an unrelated lock: forget its edges.
    for (ClassId level : g.classes[cls].levels)
      if (level != 0)
        g.graph.remove_class(level);
  }
}

bool acquire_slow(LockState &lock, LockMode mode, unsigned subclass,
                  const void *, const void *) noexcept {
  Inside in;
  ThreadRecord *t = record();
  if (!t)
    return false;
  apply_drops(*t);
  ClassId cls = class_of(lock);
  ThreadId owner = lock.owner.load(std::memory_order_relaxed);
  bool held_elsewhere = owner != 0 && owner != t->id;
  int depth = t->depth.load(std::memory_order_relaxed);
  for (int i = 0; i <= depth; ++i) {
    LockMode was = LockMode::exclusive;
    if (i < depth) {
      if (t->held[i].lock.load(std::memory_order_relaxed) != &lock)
        continue;
      was = held_mode(t->held[i]);
    } else if (!holds_extra(*t, &lock, &was)) {
      break;
    }
    if (mode == LockMode::shared && was == LockMode::shared)
      misuse("recursive read lock",
             "  a writer waiting in between makes the second read wait for "
             "the first: fearless locks are writer-preferring\n",
             t, {class_name_locked(cls)});
    else
      misuse("double lock",
             "  the thread already holds this lock and would wait for itself "
             "forever\n",
             t, {class_name_locked(cls)});
    return held_elsewhere;
  }
  if (depth == 0 || depth == t->batch)
    return held_elsewhere; // nothing held (before this batch): no edge
  std::uint64_t key = chain_step(t->chain[depth], cls, subclass, mode) | 1;
  if (t->batch >= 0) // a batch validates fewer edges: a chain of its own
    key = chain_step(key, 0xba7c4u + ClassId(t->batch), 0, mode) | 1;
  ChainSlot *chain = find_chain(key, false, 0);
  if (chain) {
    ThreadId validator = chain->owner.load(std::memory_order_relaxed);
    if (validator == 0 || validator == t->id)
      return held_elsewhere; // validated before, in another cache slot
  }
  new_chain(*t, cls, subclass, mode, key, chain);
  return held_elsewhere;
}

void acquired_slow(LockState &lock, LockMode mode, bool tried,
                   unsigned subclass, const void *pc, const void *ret) noexcept {
  Inside in;
  ThreadRecord *t = record();
  if (!t)
    return;
  apply_drops(*t);
  ClassId cls = class_of(lock);
  int d = t->depth.load(std::memory_order_relaxed);
  if (d == kMaxHeld) {
    // Held exactly (released, destroyed, at exit), but with no chain hash:
    // locks taken while these are held get no edges from them.
    if (mode == LockMode::exclusive)
      lock.owner.store(t->id, std::memory_order_relaxed);
    push_extra(*t, {&lock, mode, cls, subclass, tried, pc, ret});
    if (t->overflow == 0) {
      t->overflow = 1;
      misuse("too many locks held",
             "  more than 48 locks held at once; the deeper ones add no "
             "lock-order edges\n",
             t);
    }
    return;
  }
  push_held(*t, d, lock, mode, tried, subclass, cls,
            chain_step(t->chain[d], cls, subclass, mode), pc, ret);
}

void release_slow(LockState &lock) noexcept {
  Inside in;
  ThreadRecord *t = record();
  if (!t)
    return;
  apply_drops(*t);
  int depth = t->depth.load(std::memory_order_relaxed);
  for (int i = depth - 1; i >= 0; --i) {
    if (t->held[i].lock.load(std::memory_order_relaxed) != &lock)
      continue;
    if (held_mode(t->held[i]) == LockMode::exclusive)
      lock.owner.store(0, std::memory_order_relaxed);
    remove_held(*t, i); // released out of order
    return;
  }
  LockMode was;
  if (pop_extra(*t, &lock, &was)) {
    if (was == LockMode::exclusive)
      lock.owner.store(0, std::memory_order_relaxed);
    return;
  }
  // Not held by this thread: a guard moved to another thread, or a double
  // unlock. The holder (if any) loses it, so that it is not reported as
  // held at its exit nor locked twice when it takes it again.
  std::vector<Holder> holders = holders_of(&lock);
  ThreadId owner = lock.owner.load(std::memory_order_acquire);
  if (!holders.empty() || (owner && owner != t->id)) {
    ThreadId holder = holders.empty() ? owner : holders.front().id;
    std::string site;
    if (!holders.empty())
      site = ", acquired at " +
             describe_site(holders.front().pc, holders.front().ret);
    misuse("lock released by a thread that does not hold it",
           "  thread " + thread_label(holder, nullptr) + " locked it" + site +
               "; a guard was moved to another thread, or held across a "
               "co_await that resumed elsewhere (fearless-guard-not-send and "
               "fearless-guard-across-await find these at compile time)\n",
           t, {class_name_locked(lock.cls.load())});
    if (!holders.empty())
      drop_held(holder, &lock);
    if (holders.empty() || holders.front().mode == LockMode::exclusive)
      lock.owner.store(0, std::memory_order_release);
  } else {
    misuse("unlock of a lock that is not held",
           "  '" + class_name_locked(lock.cls.load()) +
               "' is not locked by this thread (double unlock?)\n",
           t);
  }
}

void on_batch_begin() noexcept {
  Inside in;
  if (ThreadRecord *t = record())
    t->batch = t->depth.load(std::memory_order_relaxed);
}

void on_batch_end() noexcept {
  Inside in;
  if (ThreadRecord *t = record())
    t->batch = -1;
}

} // namespace detail

// --- public API ----------------------------------------------------------------------
Policy set_policy(Policy p) noexcept { return detail::g_policy.exchange(p); }
Policy policy() noexcept { return detail::g_policy.load(); }
ClassMode set_class_mode(ClassMode m) noexcept {
  return detail::g_class_mode.exchange(m);
}
bool set_report_single_thread_cycles(bool report) noexcept {
  return detail::g_single_thread_cycles.exchange(report);
}
bool set_report_partial_deadlocks(bool report) noexcept {
  return detail::g_partial_deadlocks.exchange(report);
}

TrackerStats tracker_stats() {
  auto &g = detail::global();
  std::lock_guard<std::mutex> guard(g.mu);
  TrackerStats s;
  s.classes = g.classes.size() - 1;
  s.edges = g.graph.edge_count();
  s.graph_bytes = g.graph.memory_bytes();
  s.slow_paths = g.slow_paths.load();
  s.reports = g.reports.load();
  return s;
}

std::string lock_graph_dot() {
  auto &g = detail::global();
  std::lock_guard<std::mutex> guard(g.mu);
  std::string dot = "digraph fearless_lock_order {\n  node [shape=box];\n";
  // The edges first, then their text: a lambda's body is not seen to run
  // under `guard` by the thread-safety analysis.
  std::vector<std::tuple<detail::ClassId, detail::ClassId, unsigned>> edges;
  g.graph.for_each_edge(
      [&](detail::ClassId from, detail::ClassId to, const detail::EdgeInfo &e) {
        edges.emplace_back(from, to, e.kinds);
      });
  for (const auto &[from, to, kinds] : edges) {
    std::string label;
    for (int h = 0; h < 2; ++h)
      for (int a = 0; a < 2; ++a)
        if (kinds & (1u << (h * 2 + a)))
          label += std::string(label.empty() ? "" : ",") + (h ? "S" : "X") +
                   "->" + (a ? "S" : "X");
    dot += "  \"" + detail::json_escape(detail::class_name(g, from)) +
           "\" -> \"" + detail::json_escape(detail::class_name(g, to)) +
           "\" [label=\"" + label + "\"];\n";
  }
  return dot + "}\n";
}

} // namespace fearless

#else // FEARLESS_LOCK_TRACKING

namespace fearless {
Policy set_policy(Policy p) noexcept { return p; }
Policy policy() noexcept { return Policy::ignore; }
ClassMode set_class_mode(ClassMode m) noexcept { return m; }
bool set_report_single_thread_cycles(bool) noexcept { return false; }
bool set_report_partial_deadlocks(bool) noexcept { return false; }
TrackerStats tracker_stats() { return {}; }
std::string lock_graph_dot() { return "digraph fearless_lock_order {\n}\n"; }
} // namespace fearless

#endif // FEARLESS_LOCK_TRACKING
