// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The race detector's threads: a slot (the vector clocks' index) for each
// thread, given back at its exit, and the names reports use for slots.
#include "race_internal.h"

#include "fearless/thread.h"

#include <deque>
#include <mutex>
#include <string>
#include <unistd.h>
#include <utility>

#if FEARLESS_RACE_DETECTION

namespace fearless::detail::race {
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
  Slot slots[kRaceSlots];          // guarded by mu; [0] unused
  std::uint32_t next_fresh = 1;    // guarded by mu
  std::deque<std::uint32_t> freed; // guarded by mu; oldest first
};

Slots &slots() {
  static Slots *s = new Slots; // never destroyed: hooks may run at exit
  return *s;
}

thread_local bool t_race_dead = false; // trivially destructible

// Owns the calling thread's slot; gives it back at thread exit.
struct RaceThreadOwner {
  FullThread t;
  bool ok = false;

  RaceThreadOwner() {
    std::string name(current_thread_name());
    if (name.empty() && gettid() == getpid())
      name = "main";              // as the tracker (and Rust) call it
    ThreadRecord *rec = record(); // outside the slots' mutex: it may take locks
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
      return; // kRaceSlots threads at once: this one is not checked
    }
    Slot &s = r.slots[i];
    s.in_use = true;
    s.name = std::move(name);
    s.number = rec ? std::uint32_t(rec->id & 0xffff) // as thread_label
                   : i;
    t.tid = i;
    // Invariant: a slot's clock only grows, so the epochs of the thread
    // that had it before stay below this one's.
    t.clock.set(i, s.last);
    t.tick();
    ok = true;
  }
  ~RaceThreadOwner() {
    t_race_dead = true;
    t_race = nullptr;
    t_epoch = kNoEpoch;
    if (!ok)
      return;
    auto &r = slots();
    std::lock_guard<std::mutex> lock(r.mu);
    r.slots[t.tid].last = t.clock.get(t.tid);
    r.slots[t.tid].in_use = false;
    r.freed.push_back(t.tid);
  }
};

} // namespace

FEARLESS_SLOW_PATH
FullThread *make_race_thread() {
  if (t_race_dead)
    return nullptr;
  thread_local RaceThreadOwner owner;
  if (!owner.ok)
    return nullptr;
  t_race = &owner.t;
  return &owner.t;
}

std::string slot_thread(std::uint32_t tid, std::string name) {
  auto &r = slots();
  std::lock_guard<std::mutex> lock(r.mu);
  if (name.empty())
    name = r.slots[tid].name;
  return name.empty() ? "T" + std::to_string(r.slots[tid].number) : name;
}

} // namespace fearless::detail::race

#endif // FEARLESS_RACE_DETECTION
