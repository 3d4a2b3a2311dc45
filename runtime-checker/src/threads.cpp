// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The thread registry (threads.h): thread records and clock slots.
#include "threads.h"

#include "fearless/thread.h"
#include "fearless/thread_safety.h"
#include "tracker_internal.h"

#include <algorithm>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <utility>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {

ThreadRecord g_threads[kMaxThreads];
std::atomic<std::size_t> g_threads_used{1};

namespace {

std::mutex &records_mu() {
  static std::mutex *mu = new std::mutex; // never destroyed: threads exit late
  return *mu;
}

thread_local bool t_dead = false; // trivially destructible: safe at exit

void set_name(ThreadRecord &r, std::string_view name) {
  std::size_t n = std::min(name.size(), sizeof(r.name) - 1);
  for (std::size_t i = 0; i < n; ++i)
    r.name[i].store(name[i], std::memory_order_relaxed);
  r.name[n].store('\0', std::memory_order_release);
}

// Owns the calling thread's record; its destructor is the thread-exit check.
struct RecordOwner {
  ThreadRecord *r = nullptr;

  RecordOwner() {
    std::lock_guard<std::mutex> lock(records_mu());
    for (std::size_t i = 1; i < kMaxThreads; ++i) {
      // Acquire: the last owner's accesses happen before ours.
      if (g_threads[i].in_use.load(std::memory_order_acquire))
        continue;
      ThreadRecord &t = g_threads[i];
      t.in_use.store(true, std::memory_order_relaxed);
      t.generation = (t.generation + 1) & 0xffff;
      if (t.generation == 0)
        t.generation = 1;
      t.id = ThreadId(i) | (ThreadId(t.generation) << 16);
      t.depth.store(0, std::memory_order_relaxed);
      t.batch = -1;
      t.overflow = 0;
      t.waiting_for.store(nullptr, std::memory_order_relaxed);
      t.running.store(nullptr, std::memory_order_relaxed);
      t.std_id.store(std::this_thread::get_id(), std::memory_order_relaxed);
      t.tid.store(int(gettid()), std::memory_order_relaxed);
      // The main thread has no name of its own; Rust calls it "main".
      std::string_view name = current_thread_name();
      set_name(t, name.empty() && gettid() == getpid() ? "main" : name);
      // A thread first seen now may have been handed anything made so far
      // (fearless::spawn narrows it: on_thread_start).
      t.knows.store(g_reach_clock.load(std::memory_order_relaxed),
                    std::memory_order_relaxed);
      t.wait_reach.store(0, std::memory_order_relaxed);
      t.or_wait = false;
      t_reach = &t.knows;
      t.live_id.store(t.id, std::memory_order_release);
      if (g_threads_used.load(std::memory_order_relaxed) <= i)
        g_threads_used.store(i + 1, std::memory_order_release);
      on_record_start(t);
      r = &t;
      return;
    }
  }

  ~RecordOwner() {
    t_dead = true;
    t_record = nullptr;
    t_reach = nullptr;
    if (!r)
      return;
    on_record_exit(*r);
    r->live_id.store(0, std::memory_order_release);
    r->depth.store(0, std::memory_order_relaxed);
    r->waiting_for.store(nullptr, std::memory_order_relaxed);
    r->running.store(nullptr, std::memory_order_relaxed);
    r->in_use.store(false, std::memory_order_release);
    recheck_after_exit(*r);
  }
};

FEARLESS_SLOW_PATH
ThreadRecord *make_record() {
  if (t_dead)
    return nullptr;
  thread_local RecordOwner owner;
  t_record = owner.r;
  return owner.r;
}

} // namespace

ThreadRecord *record_of(ThreadId id) {
  std::size_t index = id & 0xffff;
  if (id == 0 || index >= kMaxThreads)
    return nullptr;
  ThreadRecord *r = &g_threads[index];
  return r->live_id.load(std::memory_order_acquire) == id ? r : nullptr;
}

ThreadRecord *record() {
  ThreadRecord *r = t_record;
  return r ? r : make_record();
}

std::string thread_label(ThreadId id, const char *name) {
  std::string n;
  if (ThreadRecord *me = t_record; !name && me && me->id == id)
    n = std::string(current_thread_name()); // newer than the record's
  if (name) {
    n = name;
  } else if (!n.empty()) {
  } else if (ThreadRecord *r = record_of(id)) {
    for (const auto &c : r->name) {
      char ch = c.load(std::memory_order_relaxed);
      if (!ch)
        break;
      n += ch;
    }
  }
  return "'" + (n.empty() ? "T" + std::to_string(id & 0xffff) : n) + "'";
}

#if FEARLESS_RACE_DETECTION

namespace {

// Thread slots index the vector clocks. A slot is reused only after kFreshSlots
// threads have had one, and then the one freed longest ago: a reused slot's
// thread looks ordered after its predecessor's accesses (see "Limits" in
// docs/runtime/race.md), and the clocks stay short.
constexpr std::uint32_t kRaceSlots = 4096; // < 1 << 16 (the epoch's tid)
constexpr std::uint32_t kFreshSlots = 256;

struct Slot {
  bool in_use = false;
  std::uint64_t last = 0; // the clock its previous thread ended with
  std::string name;       // for reports, kept after the thread ended
  // The tracker's number of the thread ("T<number>" in every report when
  // it has no name), kept with the name.
  std::uint32_t number = 0;
};

struct Slots {
  std::mutex mu;
  Slot slots[kRaceSlots] FEARLESS_GUARDED_BY(mu); // [0] unused
  std::uint32_t next_fresh FEARLESS_GUARDED_BY(mu) = 1;
  std::deque<std::uint32_t> freed FEARLESS_GUARDED_BY(mu); // oldest first
};

Slots &slots() {
  static Slots *s = new Slots; // never destroyed: hooks may run at exit
  return *s;
}

} // namespace

std::uint32_t take_clock_slot(std::uint64_t *last) {
  // The name and number first: record() may take locks.
  std::string name(current_thread_name());
  if (name.empty() && gettid() == getpid())
    name = "main"; // as the records (and Rust) call it
  ThreadRecord *rec = record();
  auto &r = slots();
  std::lock_guard<std::mutex> lock(r.mu);
  std::uint32_t i = 0;
  if (r.next_fresh < kFreshSlots ||
      (r.freed.empty() && r.next_fresh < kRaceSlots)) {
    i = r.next_fresh++;
  } else if (!r.freed.empty()) {
    i = r.freed.front();
    r.freed.pop_front();
  } else {
    return 0; // kRaceSlots threads at once: this one is not checked
  }
  Slot &s = r.slots[i];
  s.in_use = true;
  s.name = std::move(name);
  s.number = rec ? std::uint32_t(rec->id & 0xffff) // as thread_label
                 : i;
  *last = s.last;
  return i;
}

void give_back_clock_slot(std::uint32_t slot, std::uint64_t last) {
  auto &r = slots();
  std::lock_guard<std::mutex> lock(r.mu);
  r.slots[slot].last = last;
  r.slots[slot].in_use = false;
  r.freed.push_back(slot);
}

std::string clock_slot_label(std::uint32_t slot, std::string name) {
  auto &r = slots();
  std::lock_guard<std::mutex> lock(r.mu);
  if (name.empty())
    name = r.slots[slot].name;
  return name.empty() ? "T" + std::to_string(r.slots[slot].number) : name;
}

#endif // FEARLESS_RACE_DETECTION

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING
