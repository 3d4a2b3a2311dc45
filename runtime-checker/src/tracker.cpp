// The lock-order and deadlock tracker: implements the hooks of
// detail/hooks.h (DESIGN.md section 8).
//
// Fast path (an acquisition whose chain of held lock classes was validated
// before): a lock-free lookup of the lock's class, a scan of the thread's
// held stack for a double lock, and a lock-free lookup of the chain hash.
// No global lock and no shared counter. Only a new chain takes graph_mu,
// adds its edges to the LockGraph and searches for a cycle.
#include "fearless/tracker.h"

#include "fearless/detail/hooks.h"
#include "fearless/detail/lock_graph.h"
#include "fearless/report.h"
#include "fearless/thread.h"
#include "stacktrace.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fearless {
namespace detail {
namespace {

// Slow paths stay out of line: inlined, their locals would make every hook
// set up a large stack frame.
#define FEARLESS_SLOW_PATH [[gnu::noinline, gnu::cold]]

constexpr int kMaxHeld = 48;           // lockdep's limit
constexpr std::size_t kMaxThreads = 4096;
constexpr std::size_t kRegistrySlots = 1u << 16;
constexpr std::size_t kChainSlots = 1u << 16;
constexpr int kProbes = 16;
constexpr std::uintptr_t kTombstone = 1;

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 29);
}

EdgeMode edge_mode(LockMode m) {
  return m == LockMode::shared ? EdgeMode::shared : EdgeMode::exclusive;
}

// --- threads -----------------------------------------------------------------
// The part of a thread other threads read: never freed, slots are recycled.
// Invariant: `id` is the slot index in the low 16 bits plus a generation, so
// a stale id never matches a recycled slot.
struct ThreadSlot {
  std::atomic<ThreadId> id{0};
  std::atomic<const void *> waiting_for{nullptr};
  std::atomic<void *> blocked_at{nullptr};
  std::atomic<bool> in_use{false};
  std::uint32_t generation = 0;
  char name[40] = {};
};
ThreadSlot g_threads[kMaxThreads];

ThreadSlot *slot_of(ThreadId id) {
  std::size_t index = id & 0xffff;
  if (index == 0 || index >= kMaxThreads)
    return nullptr;
  ThreadSlot *s = &g_threads[index];
  return s->id.load(std::memory_order_acquire) == id ? s : nullptr;
}

// --- lock instances ----------------------------------------------------------
struct InstanceSlot {
  std::atomic<std::uintptr_t> key{0};
  std::atomic<ClassId> cls{0};
  std::atomic<ThreadId> owner{0};
};
InstanceSlot g_instances[kRegistrySlots];

// Fibonacci hashing of the address: one multiply on the fast path.
std::size_t slot_hash(std::uintptr_t key, std::size_t slots) {
  return std::size_t(((key >> 4) * 0x9e3779b97f4a7c15ull) >> 40) & (slots - 1);
}

InstanceSlot *find_instance(const void *lock) {
  auto key = reinterpret_cast<std::uintptr_t>(lock);
  std::size_t i = slot_hash(key, kRegistrySlots);
  for (int p = 0; p < kProbes; ++p, i = (i + 1) & (kRegistrySlots - 1)) {
    std::uintptr_t k = g_instances[i].key.load(std::memory_order_acquire);
    if (k == key)
      return &g_instances[i];
    if (k == 0)
      return nullptr;
  }
  return nullptr;
}

InstanceSlot *insert_instance(const void *lock, ClassId cls) {
  auto key = reinterpret_cast<std::uintptr_t>(lock);
  std::size_t i = slot_hash(key, kRegistrySlots);
  for (int p = 0; p < kProbes; ++p, i = (i + 1) & (kRegistrySlots - 1)) {
    std::uintptr_t k = g_instances[i].key.load(std::memory_order_acquire);
    if (k == key)
      return &g_instances[i]; // re-created without a destroy: reuse
    if ((k == 0 || k == kTombstone) &&
        g_instances[i].key.compare_exchange_strong(k, key)) {
      g_instances[i].owner.store(0, std::memory_order_relaxed);
      g_instances[i].cls.store(cls, std::memory_order_release);
      return &g_instances[i];
    }
  }
  return nullptr; // table crowded here: this lock is not tracked
}

// --- validated chains ----------------------------------------------------------
struct ChainSlot {
  std::atomic<std::uint64_t> key{0};
  // The one thread that validated the chain, or 0 once two threads have:
  // until then a second thread must take the slow path, so that a cycle
  // made by one thread alone is reported when another thread joins it.
  std::atomic<ThreadId> owner{0};
};
ChainSlot g_chains[kChainSlots];

ChainSlot *find_chain(std::uint64_t key, bool insert, ThreadId owner) {
  key |= 1; // 0 means empty
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
  return nullptr;
}

// --- configuration -------------------------------------------------------------
std::atomic<Policy> g_policy{Policy::report};
std::atomic<ClassMode> g_class_mode{ClassMode::site};
std::string g_json_path; // set once at start-up
std::string g_dot_path;

// --- the slow-path state, behind graph_mu ---------------------------------------
struct ClassInfo {
  std::string name;
  bool per_instance = false;
};

struct Global {
  std::mutex mu;
  LockGraph graph;                         // guarded by mu
  std::vector<ClassInfo> classes{{"?", false}}; // guarded by mu; [0] unused
  std::map<std::tuple<std::string, unsigned, unsigned>, ClassId> sites;
  std::map<std::string, ClassId> names;    // guarded by mu
  std::vector<Stack> stacks{{}};            // guarded by mu; [0] = none
  std::set<std::vector<ClassId>> reported_cycles; // guarded by mu
  std::set<std::string> reported_once;      // guarded by mu
  std::atomic<std::size_t> slow_paths{0};
  std::atomic<std::size_t> reports{0};
  std::mutex thread_mu; // slot allocation
};

Global &global() {
  static Global *g = new Global; // never destroyed: hooks may run at exit
  return *g;
}

std::string class_name(ClassId c) {
  auto &g = global();
  return c < g.classes.size() ? g.classes[c].name : "?";
}

// --- per thread ----------------------------------------------------------------
struct HeldLock {
  const void *lock;
  InstanceSlot *instance;
  ClassId cls;
  LockMode mode;
  bool tried;
  void *site; // return address of the acquiring call
};

thread_local bool t_dead = false; // trivially destructible: safe at exit

struct TrackedThread {
  ThreadSlot *slot = nullptr;
  ThreadId id = 0;
  HeldLock held[kMaxHeld];
  int depth = 0;
  int overflow = 0;
  // chain[i]: hash of the classes and modes of held[0..i); chain[depth] is
  // the current chain, so releasing the top lock costs nothing.
  std::uint64_t chain[kMaxHeld + 1] = {};
  const void *pending_lock = nullptr; // on_acquire -> on_acquired
  InstanceSlot *pending_instance = nullptr;
  // Depth at which lock_all's batch began: no edges among held[batch..]
  // and the new lock. -1 outside a batch.
  int batch = -1;

  TrackedThread() {
    auto &g = global();
    std::lock_guard<std::mutex> lock(g.thread_mu);
    for (std::size_t i = 1; i < kMaxThreads; ++i) {
      bool expected = false;
      if (g_threads[i].in_use.compare_exchange_strong(expected, true)) {
        slot = &g_threads[i];
        slot->generation = (slot->generation + 1) & 0xffff;
        if (slot->generation == 0)
          slot->generation = 1;
        id = ThreadId(i) | (ThreadId(slot->generation) << 16);
        slot->waiting_for.store(nullptr);
        slot->id.store(id, std::memory_order_release);
        break;
      }
    }
  }
  ~TrackedThread();

  // Recomputes chain[from + 1 ..= depth] after held[from..] changed.
  void rehash(int from) {
    for (int i = from; i < depth; ++i)
      chain[i + 1] = mix(chain[i], (std::uint64_t(held[i].cls) << 1) |
                                       (held[i].mode == LockMode::shared));
  }
};

// The thread's state: a trivially initialised pointer, so the fast path pays
// one thread-local load; the object is made on first use and destroyed (with
// the exit check) by a second thread_local that owns it.
thread_local TrackedThread *t_state = nullptr;

FEARLESS_SLOW_PATH
TrackedThread *make_state() {
  if (t_dead)
    return nullptr;
  thread_local std::unique_ptr<TrackedThread> owner(new TrackedThread);
  t_state = owner->id ? owner.get() : nullptr;
  return t_state;
}

inline TrackedThread *state() {
  TrackedThread *ts = t_state;
  return ts ? ts : make_state();
}

// --- reports -------------------------------------------------------------------
std::string json_escape(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += c;
      }
    }
  }
  return out;
}

const char *severity(ReportKind kind) {
  return kind == ReportKind::possible_deadlock ? "warning" : "error";
}

// A report with the machine-readable parts the JSON form carries.
struct TrackerReport {
  Report report;
  std::vector<std::string> locks; // classes involved, in cycle order
};

void deliver(TrackerReport tr) {
  global().reports.fetch_add(1, std::memory_order_relaxed);
  Policy p = g_policy.load();
  if (p == Policy::ignore)
    return;
  if (tr.report.thread.empty())
    tr.report.thread = std::string(current_thread_name());
  if (!g_json_path.empty()) {
    static std::mutex json_mu;
    std::lock_guard<std::mutex> lock(json_mu);
    if (FILE *f = std::fopen(g_json_path.c_str(), "a")) {
      std::string locks;
      for (const auto &l : tr.locks)
        locks += (locks.empty() ? "\"" : ",\"") + json_escape(l) + "\"";
      std::fprintf(f,
                   "{\"kind\":\"%s\",\"severity\":\"%s\",\"title\":\"%s\","
                   "\"thread\":\"%s\",\"locks\":[%s],\"text\":\"%s\"}\n",
                   std::string(to_string(tr.report.kind)).c_str(),
                   severity(tr.report.kind),
                   json_escape(tr.report.title).c_str(),
                   json_escape(tr.report.thread).c_str(), locks.c_str(),
                   json_escape(tr.report.to_string()).c_str());
      std::fclose(f);
    }
  }
  emit_report(std::move(tr.report));
  if (p == Policy::abort)
    std::abort();
}

FEARLESS_SLOW_PATH
void misuse(const std::string &title, std::string details, TrackedThread *ts,
            std::vector<std::string> locks = {}) {
  if (ts && ts->depth > 0) {
    details += "  locks held by this thread:\n";
    for (int i = 0; i < ts->depth; ++i)
      details += "    '" + [&] {
        std::lock_guard<std::mutex> lock(global().mu);
        return class_name(ts->held[i].cls);
      }() + "' acquired at " + describe_address(ts->held[i].site) + "\n";
  }
  details += "  stack:\n" + format_stack(capture_stack(0), "    ");
  deliver({Report{ReportKind::misuse, title, std::move(details), ""},
           std::move(locks)});
}

// --- classes -------------------------------------------------------------------
ClassId new_class_locked(std::string name, bool per_instance) {
  auto &g = global();
  g.classes.push_back({std::move(name), per_instance});
  return ClassId(g.classes.size() - 1);
}

// A construction site inside the standard library (std::make_shared and
// friends call the constructor) says nothing about which lock it is.
bool is_library_site(const char *file) {
  std::string_view f = file;
  return f.find("/include/c++/") != std::string_view::npos ||
         f.rfind("/usr/include/", 0) == 0 || f.rfind("/usr/lib/", 0) == 0;
}

FEARLESS_SLOW_PATH
ClassId class_for_site(const void *lock, const LockSite &site) {
  auto &g = global();
  std::lock_guard<std::mutex> guard(g.mu);
  bool per_instance = g_class_mode.load() == ClassMode::instance;
  if (site.name && !per_instance) {
    auto [it, inserted] = g.names.try_emplace(site.name, 0);
    if (inserted)
      it->second = new_class_locked(site.name, false);
    return it->second;
  }
  if (site.where.line() != 0 && !per_instance &&
      !is_library_site(site.where.file_name())) {
    std::string file = site.where.file_name();
    auto key = std::make_tuple(file, unsigned(site.where.line()),
                               unsigned(site.where.column()));
    auto [it, inserted] = g.sites.try_emplace(key, 0);
    if (inserted) {
      std::size_t cut = file.rfind('/');
      std::string shortname =
          (cut == std::string::npos ? file : file.substr(cut + 1)) + ":" +
          std::to_string(site.where.line());
      it->second = new_class_locked(shortname, false);
    }
    return it->second;
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s@%p", site.name ? site.name : "lock", lock);
  return new_class_locked(buf, true);
}

InstanceSlot *instance_of(const void *lock) {
  if (InstanceSlot *s = find_instance(lock))
    return s;
  // A lock the tracker was not told about: a class of its own.
  return insert_instance(lock, class_for_site(lock, LockSite{}));
}

// --- lock-order inversion ------------------------------------------------------
std::string mode_word(EdgeMode m) {
  return m == EdgeMode::shared ? "shared" : "exclusive";
}

std::string lock_word(EdgeMode m) {
  return m == EdgeMode::shared ? "read_lock" : "lock";
}

// Builds the report for a cycle. Called with global().mu held.
TrackerReport inversion_report(const AddResult &r, TrackedThread &ts,
                               std::uint32_t this_stack) {
  auto &g = global();
  const CycleStep &first = r.path.front();
  std::string a = class_name(first.from), b = class_name(first.to);
  std::string d;
  std::string me = std::string(current_thread_name());
  d += "  thread '" + (me.empty() ? "T" + std::to_string(ts.id & 0xffff) : me) +
       "' is trying to acquire '" + b + "' (" + mode_word(first.acquired) +
       ")\n";
  d += "  while already holding '" + a + "' (" + mode_word(first.held) + ")";
  for (int i = 0; i < ts.depth; ++i)
    if (ts.held[i].cls == first.from) {
      d += ", acquired at " + describe_address(ts.held[i].site);
      break;
    }
  d += "\n\n  which closes this cycle of lock classes:\n    ";
  for (const CycleStep &s : r.path)
    d += "'" + class_name(s.from) + "' --> ";
  d += "'" + a + "'\n\n  the existing dependency chain (holding --> acquiring):\n";
  for (std::size_t i = 1; i < r.path.size(); ++i) {
    const CycleStep &s = r.path[i];
    const EdgeInfo *e = g.graph.edge(s.from, s.to);
    d += "    '" + class_name(s.from) + "' (" + mode_word(s.held) + ") --> '" +
         class_name(s.to) + "' (" + mode_word(s.acquired) + ")";
    if (e) {
      d += ", first by thread T" + std::to_string(e->first_thread & 0xffff) +
           "\n";
      if (e->from_site && e->from_site < g.stacks.size() &&
          !g.stacks[e->from_site].empty())
        d += "      holding '" + class_name(s.from) + "' acquired at " +
             describe_address(g.stacks[e->from_site].front()) + "\n";
      if (e->to_site && e->to_site < g.stacks.size()) {
        d += "      acquiring '" + class_name(s.to) + "' at:\n";
        d += format_stack(g.stacks[e->to_site], "        ");
      }
    } else {
      d += "\n";
    }
  }
  d += "\n  this acquisition of '" + b + "':\n";
  d += format_stack(g.stacks[this_stack], "    ");

  std::string last = class_name(r.path.back().from);
  auto cell = [](const std::string &s) {
    return s + std::string(s.size() < 30 ? 30 - s.size() : 1, ' ');
  };
  d += "\n  possible unsafe locking scenario:\n\n";
  d += "        " + cell("Thread A") + "Thread B\n";
  d += "        " + cell("--------") + "--------\n";
  d += "        " + lock_word(first.held) + "(" + a + ");\n";
  d += "        " + cell("") + lock_word(r.path[1].held) + "(" + b + ");\n";
  if (r.path.size() > 2)
    d += "        " + cell("") + "... (through '" + last + "')\n";
  d += "        " + cell("") + lock_word(r.path.back().acquired) + "(" + a +
       ");\n";
  d += "        " + lock_word(first.acquired) + "(" + b + ");\n";
  d += "\n   *** DEADLOCK ***\n\n";
  d += "  locks held by this thread:\n";
  for (int i = 0; i < ts.depth; ++i)
    d += "    '" + class_name(ts.held[i].cls) + "' (" +
         mode_word(edge_mode(ts.held[i].mode)) + ")" +
         (ts.held[i].tried ? " by try_lock" : "") + ", acquired at " +
         describe_address(ts.held[i].site) + "\n";

  TrackerReport tr{Report{ReportKind::possible_deadlock, "lock-order inversion",
                          std::move(d), ""},
                   {}};
  for (const CycleStep &s : r.path)
    tr.locks.push_back(class_name(s.from));
  return tr;
}

FEARLESS_SLOW_PATH
void slow_path(TrackedThread &ts, ClassId cls, LockMode mode, std::uint64_t key,
               ChainSlot *chain) {
  auto &g = global();
  std::vector<TrackerReport> reports;
  {
    std::lock_guard<std::mutex> guard(g.mu);
    g.slow_paths.fetch_add(1, std::memory_order_relaxed);
    auto this_stack = std::uint32_t(g.stacks.size());
    g.stacks.push_back(capture_stack(0));
    int held_before = ts.batch >= 0 ? ts.batch : ts.depth;
    for (int i = 0; i < held_before; ++i) {
      const HeldLock &h = ts.held[i];
      if (h.cls == cls) {
        // Two locks of one class nested: an ABBA between two instances is
        // one lock order away. lock_all() takes them in a safe order.
        std::string key = "nest:" + std::to_string(cls);
        if (g.reported_once.insert(key).second)
          reports.push_back(
              {Report{ReportKind::possible_deadlock, "same-class nesting",
                      "  thread '" + std::string(current_thread_name()) +
                          "' acquires a second lock of class '" +
                          class_name(cls) + "' while holding one, acquired at " +
                          describe_address(h.site) +
                          "\n  two threads doing this with the instances in "
                          "opposite orders deadlock; use fearless::lock_all()\n"
                          "  this acquisition:\n" +
                          format_stack(g.stacks[this_stack], "    "),
                      ""},
               {class_name(cls)}});
        continue;
      }
      auto from_site = std::uint32_t(g.stacks.size());
      g.stacks.push_back(Stack{h.site});
      AddResult r = g.graph.add_edge(h.cls, edge_mode(h.mode), cls,
                                     edge_mode(mode), ts.id, from_site,
                                     this_stack);
      if (!r.new_edge)
        g.stacks.pop_back();
      if (r.cycle) {
        std::vector<ClassId> key;
        for (const CycleStep &s : r.path)
          key.push_back(s.from);
        std::sort(key.begin(), key.end());
        if (g.reported_cycles.insert(key).second)
          reports.push_back(inversion_report(r, ts, this_stack));
      }
    }
    if (!chain)
      find_chain(key, true, ts.id);
    else if (chain->owner.load(std::memory_order_relaxed) != ts.id)
      chain->owner.store(0, std::memory_order_relaxed);
  }
  for (auto &r : reports)
    deliver(std::move(r));
}

// --- real deadlocks --------------------------------------------------------------
struct WaitLink {
  ThreadId thread;   // the owner of `lock`
  const void *lock;  // what the previous thread waits for
  bool operator==(const WaitLink &o) const {
    return thread == o.thread && lock == o.lock;
  }
};

// Follows "waits for lock, which thread X owns, which waits for ..." from
// `lock`; true if it comes back to `me`.
bool wait_cycle(ThreadId me, const void *lock, std::vector<WaitLink> &chain) {
  chain.clear();
  for (int hops = 0; hops < 64 && lock; ++hops) {
    InstanceSlot *inst = find_instance(lock);
    ThreadId owner = inst ? inst->owner.load(std::memory_order_acquire) : 0;
    if (!owner)
      return false;
    chain.push_back({owner, lock});
    if (owner == me)
      return true;
    ThreadSlot *s = slot_of(owner);
    if (!s)
      return false;
    lock = s->waiting_for.load(std::memory_order_acquire);
  }
  return false;
}

FEARLESS_SLOW_PATH
void check_deadlock(TrackedThread &ts, const void *object) {
  std::vector<WaitLink> chain, again;
  if (!wait_cycle(ts.id, object, chain))
    return;
  // A real deadlock is permanent; a snapshot taken while another thread was
  // between its unlock and its bookkeeping is not. Look twice.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!wait_cycle(ts.id, object, again) || again != chain)
    return;
  std::string d, me = std::string(current_thread_name());
  std::vector<std::string> locks;
  {
    std::lock_guard<std::mutex> guard(global().mu);
    ThreadId waiter = ts.id;
    for (const WaitLink &l : chain) {
      ThreadSlot *ws = slot_of(waiter);
      std::string wname = ws && ws->name[0] ? ws->name
                                            : "T" + std::to_string(waiter & 0xffff);
      InstanceSlot *inst = find_instance(l.lock);
      ClassId lcls = inst ? inst->cls.load() : 0;
      std::string lname = lcls ? class_name(lcls) : "the end of a thread";
      locks.push_back(lname);
      d += "  thread '" + wname + "' waits for " +
           (lcls ? "'" + lname + "'" : lname);
      if (ws && waiter != ts.id)
        if (void *at = ws->blocked_at.load())
          d += " at " + describe_address(at);
      ThreadSlot *os = slot_of(l.thread);
      d += ", held by thread '" +
           (os && os->name[0] ? std::string(os->name)
                              : "T" + std::to_string(l.thread & 0xffff)) +
           "'\n";
      waiter = l.thread;
    }
  }
  d += "  every thread in this cycle is blocked and none can proceed\n";
  d += "  stack of thread '" + me + "':\n" + format_stack(capture_stack(0), "    ");
  deliver({Report{ReportKind::deadlock, "threads wait for each other's locks",
                  std::move(d), ""},
           std::move(locks)});
}

TrackedThread::~TrackedThread() {
  if (depth > 0) {
    std::string locks;
    {
      std::lock_guard<std::mutex> guard(global().mu);
      for (int i = 0; i < depth; ++i)
        locks += "    '" + class_name(held[i].cls) + "' acquired at " +
                 describe_address(held[i].site) + "\n";
    }
    deliver({Report{ReportKind::misuse, "thread exited while holding locks",
                    "  the locks stay locked forever:\n" + locks, ""},
             {}});
  }
  t_dead = true;
  t_state = nullptr;
  if (slot) {
    slot->id.store(0, std::memory_order_release);
    slot->waiting_for.store(nullptr);
    slot->in_use.store(false, std::memory_order_release);
  }
}

// --- start-up ---------------------------------------------------------------------
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

// --- hooks ---------------------------------------------------------------------------
void on_create(const void *lock, const LockSite &site) noexcept {
  insert_instance(lock, class_for_site(lock, site));
}

void on_destroy(const void *lock) noexcept {
  InstanceSlot *inst = find_instance(lock);
  if (!inst)
    return;
  ThreadId owner = inst->owner.load(std::memory_order_acquire);
  ClassId cls = inst->cls.load();
  if (owner)
    misuse("destroying a locked lock",
           "  '" + [&] {
             std::lock_guard<std::mutex> guard(global().mu);
             return class_name(cls);
           }() + "' is still held by thread T" + std::to_string(owner & 0xffff) +
               "\n",
           state());
  {
    auto &g = global();
    std::lock_guard<std::mutex> guard(g.mu);
    if (cls < g.classes.size() && g.classes[cls].per_instance)
      g.graph.remove_class(cls); // its address may be reused
  }
  inst->owner.store(0, std::memory_order_relaxed);
  inst->key.store(kTombstone, std::memory_order_release);
}

bool on_acquire(const void *lock, LockMode mode) noexcept {
  TrackedThread *ts = state();
  if (!ts)
    return false;
  InstanceSlot *inst = instance_of(lock);
  ts->pending_lock = lock;
  ts->pending_instance = inst;
  if (!inst)
    return false;
  ThreadId owner = inst->owner.load(std::memory_order_relaxed);
  bool held_elsewhere = owner != 0 && owner != ts->id;
  ClassId cls = inst->cls.load(std::memory_order_relaxed);
  for (int i = 0; i < ts->depth; ++i) {
    if (ts->held[i].lock != lock)
      continue;
    if (mode == LockMode::shared && ts->held[i].mode == LockMode::shared)
      misuse("recursive read lock",
             "  a writer waiting in between makes the second read wait for "
             "the first: fearless locks are writer-preferring\n",
             ts);
    else
      misuse("double lock",
             "  the thread already holds this lock and would wait for itself "
             "forever\n",
             ts);
    return held_elsewhere;
  }
  if (ts->depth == 0 || ts->depth == ts->batch)
    return held_elsewhere; // nothing held (before this batch): no edge
  std::uint64_t key = mix(ts->chain[ts->depth],
                         (std::uint64_t(cls) << 1) | (mode == LockMode::shared));
  if (ts->batch >= 0) // a batch validates fewer edges: a chain of its own
    key = mix(key, 0xba7c4u + std::uint64_t(ts->batch));
  ChainSlot *chain = find_chain(key, false, 0);
  if (chain) {
    ThreadId validator = chain->owner.load(std::memory_order_relaxed);
    if (validator == 0 || validator == ts->id)
      return held_elsewhere; // validated before: the fast path
  }
  slow_path(*ts, cls, mode, key, chain);
  return held_elsewhere;
}

void on_acquired(const void *lock, LockMode mode, bool tried) noexcept {
  TrackedThread *ts = state();
  if (!ts)
    return;
  InstanceSlot *inst =
      ts->pending_lock == lock ? ts->pending_instance : instance_of(lock);
  ts->pending_lock = nullptr;
  if (!inst)
    return;
  ClassId cls = inst->cls.load(std::memory_order_relaxed);
  if (mode == LockMode::exclusive)
    inst->owner.store(ts->id, std::memory_order_release);
  if (ts->depth == kMaxHeld) {
    if (ts->overflow++ == 0)
      misuse("too many locks held",
             "  more than 48 locks held at once; the deeper ones are not "
             "tracked\n",
             ts);
    return;
  }
  int d = ts->depth++;
  ts->held[d] = {lock, inst, cls, mode, tried, __builtin_return_address(0)};
  ts->chain[d + 1] =
      mix(ts->chain[d], (std::uint64_t(cls) << 1) | (mode == LockMode::shared));
}

void on_release(const void *lock) noexcept {
  TrackedThread *ts = state();
  if (!ts)
    return;
  for (int i = ts->depth - 1; i >= 0; --i) {
    if (ts->held[i].lock != lock)
      continue;
    if (ts->held[i].mode == LockMode::exclusive)
      ts->held[i].instance->owner.store(0, std::memory_order_release);
    for (int j = i; j + 1 < ts->depth; ++j)
      ts->held[j] = ts->held[j + 1];
    --ts->depth;
    ts->rehash(i); // nothing to do when the top lock was released
    return;
  }
  if (ts->overflow > 0) {
    --ts->overflow;
    return;
  }
  InstanceSlot *inst = find_instance(lock);
  if (!inst)
    return;
  ThreadId owner = inst->owner.load(std::memory_order_acquire);
  if (owner && owner != ts->id) {
    misuse("lock released by a thread that does not hold it",
           "  thread T" + std::to_string(owner & 0xffff) +
               " locked it; a guard was moved to another thread "
               "(fearless-guard-not-send finds this at compile time)\n",
           ts);
    inst->owner.store(0, std::memory_order_release);
  } else if (!owner) {
    misuse("unlock of a lock that is not held",
           "  '" + [&] {
             std::lock_guard<std::mutex> guard(global().mu);
             return class_name(inst->cls.load());
           }() + "' is not locked by this thread (double unlock?)\n",
           ts);
  }
}

void on_block(const void *object, WaitKind kind, bool timed) noexcept {
  TrackedThread *ts = state();
  if (!ts)
    return;
  std::string_view name = current_thread_name();
  std::size_t n = std::min(name.size(), sizeof(ts->slot->name) - 1);
  std::memcpy(ts->slot->name, name.data(), n);
  ts->slot->name[n] = '\0';
  ts->slot->blocked_at.store(__builtin_return_address(0));
  if (timed) // a wait with a timeout is not a deadlock
    return;
  ts->slot->waiting_for.store(object, std::memory_order_release);
  if (kind == WaitKind::join) {
    InstanceSlot *inst = find_instance(object);
    if (inst && inst->owner.load(std::memory_order_acquire) == ts->id) {
      misuse("join of oneself",
             "  a thread waits for itself to finish: it never will\n", ts);
      return;
    }
  }
  if (kind == WaitKind::mutex || kind == WaitKind::rwlock_write ||
      kind == WaitKind::rwlock_read || kind == WaitKind::join)
    check_deadlock(*ts, object);
}

void on_batch_begin() noexcept {
  if (TrackedThread *ts = state())
    ts->batch = ts->depth;
}

void on_batch_end() noexcept {
  if (TrackedThread *ts = state())
    ts->batch = -1;
}

void on_thread_start(const void *handle) noexcept {
  TrackedThread *ts = state();
  if (!ts)
    return;
  // The handle is a pseudo-lock the thread holds while it runs (lockdep's
  // trick for flushes): joining it waits for its owner.
  if (InstanceSlot *inst = insert_instance(handle, 0))
    inst->owner.store(ts->id, std::memory_order_release);
}

void on_thread_end(const void *handle) noexcept {
  if (InstanceSlot *inst = find_instance(handle)) {
    inst->owner.store(0, std::memory_order_relaxed);
    inst->key.store(kTombstone, std::memory_order_release);
  }
}

void on_unblock(const void *) noexcept {
  if (TrackedThread *ts = state())
    ts->slot->waiting_for.store(nullptr, std::memory_order_release);
}

} // namespace detail

// --- public API ----------------------------------------------------------------------
Policy set_policy(Policy p) noexcept { return detail::g_policy.exchange(p); }
Policy policy() noexcept { return detail::g_policy.load(); }
ClassMode set_class_mode(ClassMode m) noexcept {
  return detail::g_class_mode.exchange(m);
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
  g.graph.for_each_edge([&](detail::ClassId from, detail::ClassId to,
                            const detail::EdgeInfo &e) {
    std::string label;
    for (int h = 0; h < 2; ++h)
      for (int a = 0; a < 2; ++a)
        if (e.kinds & (1u << (h * 2 + a)))
          label += std::string(label.empty() ? "" : ",") + (h ? "S" : "X") +
                   "->" + (a ? "S" : "X");
    dot += "  \"" + detail::json_escape(detail::class_name(from)) + "\" -> \"" +
           detail::json_escape(detail::class_name(to)) + "\" [label=\"" +
           label + "\"];\n";
  });
  return dot + "}\n";
}

} // namespace fearless

#else // FEARLESS_LOCK_TRACKING

namespace fearless {
Policy set_policy(Policy p) noexcept { return p; }
Policy policy() noexcept { return Policy::ignore; }
ClassMode set_class_mode(ClassMode m) noexcept { return m; }
TrackerStats tracker_stats() { return {}; }
std::string lock_graph_dot() { return "digraph fearless_lock_order {\n}\n"; }
} // namespace fearless

#endif // FEARLESS_LOCK_TRACKING
