// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Real deadlocks: what blocked threads wait for (DESIGN.md section 8).
//
// Before a thread blocks on a fearless primitive without a timeout it
// publishes what it waits for (on_block), then checks whether it can ever
// wake up. From a snapshot of every tracked thread:
//
//  * a thread not blocked on a fearless primitive (running, sleeping, in a
//    timed wait, or blocked somewhere the tracker cannot see) can proceed;
//  * a lock wait (AND) can proceed when every holder of the lock can --
//    holders come from the threads' held stacks, readers of an RwLock
//    included; a reader also waits for the writers queued before it;
//  * a join can proceed when the thread it waits for can;
//  * a channel or condvar wait (OR: any thread might send, drop the last
//    handle or notify) can proceed when a thread that can proceed may
//    reach a handle of the other side, or the condvar: one whose reach
//    (race_hooks.h) is at least the stamp of the handle's making or last
//    move (of the condvar's construction). A handle passes from thread to
//    thread only through synchronisation -- spawn, a channel, a lock --
//    and the stamp travels along. Threads the tracker does not know may
//    reach anything. With FEARLESS_PARTIAL_DEADLOCKS=ignore any thread
//    that can proceed may end such a wait: the "every thread blocked"
//    backstop.
//
// The rules are applied until nothing changes; if the calling thread still
// cannot proceed, it is deadlocked. A snapshot is not atomic, so a suspected
// deadlock is checked again after a short pause before it is reported, with
// the stack every blocked thread recorded when it blocked.
#include "fearless/detail/channel_core.h"
#include "fearless/detail/hooks.h"
#include "fearless/thread.h"
#include "foreign_lock.h"
#include "reach.h"
#include "tracker_internal.h"

#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {
namespace {

bool is_lock_wait(WaitKind k) {
  return k == WaitKind::mutex || k == WaitKind::rwlock_read ||
         k == WaitKind::rwlock_write;
}

// A channel or condvar wait: any of several threads may end it.
bool is_or_wait(WaitKind k) { return !is_lock_wait(k) && k != WaitKind::join; }

// One tracked thread as the check sees it.
struct Snapshot {
  ThreadId id = 0;
  const void *waits = nullptr; // nullptr: not blocked
  WaitKind kind = WaitKind::mutex;
  ClassId cls = 0;
  const void *at = nullptr;
  const void *running = nullptr;
  std::vector<std::pair<const void *, LockMode>> held;
  std::uint32_t blocks = 0;
  int tid = 0;
  std::uint64_t knows = 0; ///< reach: newest stamp it may know of
  std::uint64_t reach = 0; ///< OR wait: who may end it knows this stamp
  std::string reach_note;  ///< OR wait: the other side, for the report
  bool proceeds = false;
};

// Who may end `s`'s channel or condvar wait (reach.h).
void read_reach(ThreadRecord &r, Snapshot &s, const Ranges *statics) {
  WaitReach w = wait_reach(r, s.waits, s.kind, statics);
  if (w.ended)
    s.waits = nullptr; // it left the wait, or the channel disconnected
  s.reach = w.stamp;
  s.reach_note = std::move(w.note);
}

std::vector<Snapshot> snapshot(const Ranges *statics) {
  std::vector<Snapshot> all;
  std::size_t used = g_threads_used.load(std::memory_order_acquire);
  for (std::size_t i = 1; i < used && i < kMaxThreads; ++i) {
    ThreadRecord &r = g_threads[i];
    ThreadId id = r.live_id.load(std::memory_order_acquire);
    if (id == 0)
      continue;
    Snapshot s;
    s.id = id;
    s.waits = r.waiting_for.load(std::memory_order_acquire);
    s.kind = WaitKind(r.wait_kind.load(std::memory_order_relaxed));
    s.cls = r.waiting_cls.load(std::memory_order_relaxed);
    s.at = r.blocked_at.load(std::memory_order_relaxed);
    s.running = r.running.load(std::memory_order_relaxed);
    s.blocks = r.blocks.load(std::memory_order_relaxed);
    s.tid = r.tid.load(std::memory_order_relaxed);
    // Without the locks another thread took from it (destroyed, released
    // elsewhere), with those beyond the inline stack.
    for (const Holder &h : held_by(r))
      s.held.emplace_back(h.lock, h.mode);
    s.knows = r.knows.load(std::memory_order_relaxed);
    if (s.waits && is_or_wait(s.kind))
      read_reach(r, s, statics);
    all.push_back(std::move(s));
  }
  return all;
}

// Set once the watchdog thread (below) runs: a thread that is not tracked.
std::atomic<bool> g_watchdog_running{false};

// Where each thread blocked: its stack, captured by the thread itself in
// on_block (it is about to sleep; a capture costs a microsecond or more,
// a repeat from the same place far less: capture_stack_again) and
// read by whichever thread reports the deadlock, which cannot unwind
// another thread's stack. One per thread record, indexed like g_threads.
// Symbolised only when a report prints it.
//
// Invariant: a seqlock. Only the record's thread writes, with seq odd while
// it does; a reader that sees seq odd or changed drops the copy (the thread
// was blocking anew, so it was not part of a deadlock anyway). Every field
// is atomic, so the concurrent read is no data race.
constexpr int kBlockedFrames = 32;
struct BlockedStack {
  std::atomic<std::uint32_t> seq{0};
  std::atomic<int> size{0};
  std::atomic<void *> frames[kBlockedFrames] = {};
};
BlockedStack g_blocked_stacks[kMaxThreads];

FEARLESS_SLOW_PATH
void record_blocked_stack(const ThreadRecord &t) {
  void *frames[kBlockedFrames];
  int n = capture_stack_again(frames, kBlockedFrames, 1);
  BlockedStack &b = g_blocked_stacks[&t - g_threads];
  std::uint32_t seq = b.seq.load(std::memory_order_relaxed);
  b.seq.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  for (int i = 0; i < n; ++i)
    b.frames[i].store(frames[i], std::memory_order_relaxed);
  b.size.store(n, std::memory_order_relaxed);
  b.seq.store(seq + 2, std::memory_order_release);
}

// The stack thread `id` recorded when it last blocked (empty if unknown).
Stack blocked_stack(ThreadId id) {
  ThreadRecord *r = record_of(id);
  if (!r)
    return {};
  const BlockedStack &b = g_blocked_stacks[r - g_threads];
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::uint32_t seq = b.seq.load(std::memory_order_acquire);
    if (seq & 1)
      continue;
    int n = b.size.load(std::memory_order_relaxed);
    Stack stack;
    for (int i = 0; i < n && i < kBlockedFrames; ++i)
      stack.push_back(b.frames[i].load(std::memory_order_relaxed));
    std::atomic_thread_fence(std::memory_order_acquire);
    if (b.seq.load(std::memory_order_relaxed) == seq)
      return stack;
  }
  return {};
}

// Threads of this process, from the kernel (0 if unknown).
std::size_t os_thread_count() {
  std::size_t n = 0;
  if (DIR *d = opendir("/proc/self/task")) {
    while (dirent *e = readdir(d))
      n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

// True if the kernel says thread `tid` is running or runnable: a thread
// woken from its wait (or not asleep yet) that has not cleared its wait.
bool runnable(int tid) {
  char path[64], buf[256];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  FILE *f = std::fopen(path, "r");
  if (!f)
    return false; // gone: it proceeds no further
  std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char *close = std::strrchr(buf, ')'); // the name may hold spaces
  return close && close[1] == ' ' && close[2] == 'R';
}

// Threads `s` waits for, for an AND wait; `ok` false for an OR wait.
std::vector<std::size_t> waited_for(const std::vector<Snapshot> &all,
                                    const Snapshot &s, bool &and_wait) {
  std::vector<std::size_t> out;
  and_wait = true;
  if (is_lock_wait(s.kind)) {
    for (std::size_t j = 0; j < all.size(); ++j) {
      for (const auto &[lock, mode] : all[j].held)
        if (lock == s.waits &&
            (s.kind != WaitKind::rwlock_read || mode == LockMode::exclusive)) {
          out.push_back(j);
          break;
        }
      // Writer preference: a reader also waits for the queued writers.
      if (s.kind == WaitKind::rwlock_read && &all[j] != &s &&
          all[j].waits == s.waits && all[j].kind == WaitKind::rwlock_write)
        out.push_back(j);
    }
    return out;
  }
  if (s.kind == WaitKind::join) {
    // Nobody runs it: the thread has finished (or not started yet, and
    // will): the join does not wait forever.
    for (std::size_t j = 0; j < all.size(); ++j)
      if (all[j].running == s.waits)
        out.push_back(j);
    return out;
  }
  and_wait = false; // channels, condvars, scopes
  return out;
}

// Marks every thread that can proceed; true if `me` cannot. With
// `ask_kernel`, a thread that looks blocked but that the kernel runs (or
// is about to) proceeds too. `*unknown` (if given) is set when threads the
// tracker does not know were all that let a channel or condvar wait
// proceed: once they end, the answer may change.
bool stuck(std::vector<Snapshot> &all, std::size_t me, bool ask_kernel,
           bool me_runs, bool *unknown = nullptr) {
  bool others_unknown = false, counted = false;
  for (std::size_t i = 0; i < all.size(); ++i)
    all[i].proceeds =
        all[i].waits == nullptr ||
        (ask_kernel && !(i == me && me_runs) && runnable(all[i].tid));
  for (bool changed = true; changed;) {
    changed = false;
    for (auto &s : all) {
      if (s.proceeds)
        continue;
      bool and_wait = true;
      std::vector<std::size_t> on = waited_for(all, s, and_wait);
      bool ok = true;
      if (and_wait) {
        for (std::size_t j : on)
          ok = ok && all[j].proceeds;
      } else {
        // A thread that can proceed ends the wait only if it may reach
        // the other side's handles, or the condvar.
        bool partial = g_partial_deadlocks.load(std::memory_order_relaxed);
        ok = false;
        for (const auto &o : all)
          ok = ok || (o.proceeds && (!partial || o.knows >= s.reach));
        if (!ok) {
          if (!counted) {
            // A thread the tracker never saw may send, notify or drop.
            others_unknown =
                os_thread_count() - g_watchdog_running.load() != all.size();
            counted = true;
          }
          ok = others_unknown;
          if (ok && unknown)
            *unknown = true;
        }
      }
      if (ok) {
        s.proceeds = true;
        changed = true;
      }
    }
  }
  return !all[me].proceeds;
}

std::string wait_words(const Snapshot &s) {
  switch (s.kind) {
  case WaitKind::mutex:
  case WaitKind::rwlock_write:
    return "'" + class_name_locked(s.cls) + "' (exclusive)";
  case WaitKind::rwlock_read:
    return "'" + class_name_locked(s.cls) + "' (shared)";
  case WaitKind::condvar:
    return "a condvar notification";
  case WaitKind::channel_send:
    return "room in a channel (send)";
  case WaitKind::channel_recv:
    return "a message on a channel (receive)";
  case WaitKind::join:
    return "the end of a thread";
  }
  return "?";
}

// The report: the calling thread first, then whom it waits for, and so on
// along the waits; then the other blocked threads. `partial`: some thread
// still runs.
std::string deadlock_details(const std::vector<Snapshot> &all, std::size_t me,
                             std::vector<std::string> &locks, bool &only_locks,
                             bool &partial) {
  std::string d;
  std::vector<bool> shown(all.size(), false);
  std::vector<std::size_t> order{me};
  shown[me] = true;
  for (std::size_t k = 0; k < order.size(); ++k) {
    bool and_wait = true;
    for (std::size_t j : waited_for(all, all[order[k]], and_wait))
      if (!shown[j] && !all[j].proceeds) {
        shown[j] = true;
        order.push_back(j);
      }
  }
  for (std::size_t j = 0; j < all.size(); ++j)
    if (!shown[j] && !all[j].proceeds)
      order.push_back(j);
  only_locks = true;
  for (std::size_t k : order) {
    const Snapshot &s = all[k];
    only_locks =
        only_locks && (is_lock_wait(s.kind) || s.kind == WaitKind::join);
    d += "  thread " + thread_label(s.id, nullptr) + " waits for " +
         wait_words(s);
    if (is_lock_wait(s.kind))
      locks.push_back(class_name_locked(s.cls));
    if (s.at && k != me)
      d += " at " + describe_address(const_cast<void *>(s.at));
    bool and_wait = true;
    std::vector<std::size_t> on = waited_for(all, s, and_wait);
    if (and_wait && !on.empty()) {
      d += s.kind == WaitKind::join ? " (" : ", held by thread ";
      for (std::size_t i = 0; i < on.size(); ++i)
        d += (i ? ", " : "") + thread_label(all[on[i]].id, nullptr);
      d += s.kind == WaitKind::join ? ")" : "";
    }
    d += "\n";
    if (!s.reach_note.empty())
      d += "    " + s.reach_note + "\n";
  }
  std::size_t running = 0;
  for (const auto &s : all)
    running += s.proceeds;
  partial = running != 0 && !only_locks;
  if (only_locks)
    d += "  every thread in this cycle is blocked and none can proceed\n";
  else if (partial)
    d += "  " + std::to_string(running) +
         " other thread(s) still run, but none can end these waits: none "
         "was started by, or synchronised through a fearless primitive "
         "with, a thread that held what they wait for since it was made "
         "(FEARLESS_PARTIAL_DEADLOCKS=ignore if a handle travels another "
         "way)\n";
  else
    d += "  every thread of the process is blocked and none can proceed\n";
  // Each blocked thread's stack, as it recorded it when it blocked.
  for (std::size_t k : order) {
    std::string lines = format_stack(blocked_stack(all[k].id), "    ");
    d += "  stack of thread " + thread_label(all[k].id, nullptr) + ":\n" +
         (lines.empty() ? "    (not recorded)\n" : lines);
  }
  return d;
}

// Looks again 20 ms after `all` was taken: true if nobody blocked anew or
// woke up, and `subject` is still stuck with the kernel's word on who runs.
bool still_stuck(const std::vector<Snapshot> &all, std::vector<Snapshot> &again,
                 ThreadId subject, std::size_t &me, bool subject_runs,
                 const Ranges *statics) {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  again = snapshot(statics);
  if (again.size() != all.size())
    return false;
  me = again.size();
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (again[i].id != all[i].id || again[i].blocks != all[i].blocks ||
        again[i].waits != all[i].waits)
      return false;
    if (again[i].id == subject)
      me = i;
  }
  return me < again.size() && stuck(again, me, true, subject_runs);
}

void report_deadlock(const std::vector<Snapshot> &all, std::size_t me) {
  std::vector<std::string> locks;
  bool only_locks = true, partial = false;
  std::string d = deadlock_details(all, me, locks, only_locks, partial);
  deliver({Report{ReportKind::deadlock,
                  only_locks ? "threads wait for each other's locks"
                  : partial  ? "a thread is blocked forever"
                             : "every thread is blocked",
                  std::move(d), ""},
           std::move(locks)});
}

// Channel and condvar waits are judged by a watchdog thread, not by the
// blocking thread: that one is queued on the channel already and may be
// woken at any moment, which it cannot see from inside on_block. The
// watchdog reports when two pictures 20 ms apart agree that threads are
// asleep in fearless waits that none of them, and no thread that still
// runs, can end. While some thread still runs (a partial deadlock) the
// verdict must also hold for 300 ms, with the stuck thread not woken in
// between: a handle on its way through a hand-off fearless sees only at
// its end has that long to arrive.
//
// It looks when a thread blocks in such a wait (with every other thread
// blocked, if partial deadlocks are not reported), when a channel handle
// is dropped while one is blocked so, and when a tracked thread exits
// while one is (the wait may have been for it: a condvar's only notifier,
// a sender's last user). Threads the tracker does not know may send or
// notify; while only they keep a wait alive, the watchdog looks again with
// a growing pause (20 ms to 1 s), so that a deadlock left behind when such
// a thread ends is reported too, and no thread is ever woken for it. A
// lock or join wait whose cycle the blocking thread saw but could not
// confirm (a thread in it had not gone to sleep yet) is handed to the
// watchdog the same way.
std::atomic<std::uint32_t> g_suspicions{0};

enum class Verdict { reported, not_stuck, unknown, pending };

// True if, in a snapshot judged by stuck(), a stuck channel or condvar
// wait is part of it while some thread still runs.
bool partial_deadlock(const std::vector<Snapshot> &all) {
  bool runs = false, or_stuck = false;
  for (const auto &s : all) {
    runs = runs || s.proceeds;
    or_stuck = or_stuck || (!s.proceeds && s.waits && is_or_wait(s.kind));
  }
  return runs && or_stuck;
}

// The watchdog's own memory (a local of its thread): waits already
// reported, and partial deadlocks seen once, each keyed by the thread and
// its on_block count (a new wait is a new key).
struct WaitKey {
  ThreadId id;
  std::uint32_t blocks;
  bool operator==(const WaitKey &) const = default;
};
struct Sighting {
  WaitKey key;
  std::chrono::steady_clock::time_point first;
};
struct Memory {
  std::vector<WaitKey> reported;
  std::vector<Sighting> sightings;
};
constexpr auto kPartialHold = std::chrono::milliseconds(300);

// True if `again` (confirmed stuck at `me`) is partial and was not seen,
// with the same waits, kPartialHold ago: it is recorded, and reported at a
// later look.
bool hold_partial(Memory &m, const std::vector<Snapshot> &again,
                  std::size_t me) {
  if (!partial_deadlock(again))
    return false;
  auto now = std::chrono::steady_clock::now();
  WaitKey key{again[me].id, again[me].blocks};
  for (auto it = m.sightings.begin(); it != m.sightings.end(); ++it)
    if (it->key.id == key.id) {
      if (it->key == key)
        return now - it->first < kPartialHold;
      m.sightings.erase(it);
      break;
    }
  m.sightings.push_back({key, now});
  return true;
}

void remember_reported(Memory &m, const std::vector<Snapshot> &again) {
  for (const auto &s : again)
    if (!s.proceeds) {
      std::erase_if(m.reported, [&](const WaitKey &k) { return k.id == s.id; });
      m.reported.push_back({s.id, s.blocks});
    }
  std::erase_if(m.sightings, [&](const Sighting &v) {
    return std::find(m.reported.begin(), m.reported.end(), v.key) !=
           m.reported.end();
  });
}

bool already_reported(const Memory &m, const Snapshot &s) {
  return std::find(m.reported.begin(), m.reported.end(),
                   WaitKey{s.id, s.blocks}) != m.reported.end();
}

// One look at every blocked thread. A wait the threads' published waits
// say can never end, but that the kernel still runs a party of (it has
// published its wait and not gone to sleep yet, or was woken and has not
// cleared it), is undecided: look again. A thread preempted between
// publishing and sleeping may stay runnable for long on a loaded machine;
// judging from one look would leave a real deadlock unreported.
Verdict examine(Memory &m) {
  Ranges statics = static_storage();
  std::vector<Snapshot> all = snapshot(&statics), again;
  bool undecided = false, pending = false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (!all[i].waits || already_reported(m, all[i]))
      continue;
    bool unknown = false;
    if (!stuck(all, i, false, false, &unknown)) {
      undecided = undecided || unknown;
      continue;
    }
    std::size_t me = 0;
    if (!stuck(all, i, true, false, &unknown) ||
        !still_stuck(all, again, all[i].id, me, false, &statics)) {
      undecided = true;
      continue;
    }
    if (hold_partial(m, again, me)) {
      pending = true;
      continue;
    }
    report_deadlock(again, me);
    remember_reported(m, again);
    return Verdict::reported;
  }
  return pending     ? Verdict::pending
         : undecided ? Verdict::unknown
                     : Verdict::not_stuck;
}

[[noreturn]] void watchdog() {
  Memory memory;
  for (;;) {
    g_suspicions.wait(0, std::memory_order_acquire);
    auto pause = std::chrono::milliseconds(20);
    for (;;) {
      g_suspicions.store(0, std::memory_order_relaxed);
      std::this_thread::sleep_for(pause);
      Verdict v = examine(memory);
      if (v == Verdict::reported || v == Verdict::not_stuck)
        break;
      if (v == Verdict::pending)
        pause = std::chrono::milliseconds(100); // confirm it soon
      else if (g_suspicions.load(std::memory_order_acquire) != 0)
        pause = std::chrono::milliseconds(20); // news: look soon
      else
        pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    }
  }
}

FEARLESS_SLOW_PATH
void suspect_every_thread_blocked() {
  static std::once_flag started;
  std::call_once(started, [] {
    g_watchdog_running.store(true, std::memory_order_release);
    std::thread(watchdog).detach();
  });
  if (g_suspicions.exchange(1, std::memory_order_acq_rel) == 0)
    g_suspicions.notify_one(); // a system call: only when it sleeps
}

FEARLESS_SLOW_PATH
void check_deadlock(ThreadRecord &t, WaitKind kind) {
  // Cheap first: a channel or condvar wait needs every other thread
  // blocked; a lock or join wait needs some other thread blocked.
  bool or_wait = is_or_wait(kind);
  bool any_blocked = false, any_free = false;
  std::size_t used = g_threads_used.load(std::memory_order_acquire);
  for (std::size_t i = 1; i < used && i < kMaxThreads; ++i) {
    ThreadRecord &r = g_threads[i];
    if (&r == &t || r.live_id.load(std::memory_order_acquire) == 0)
      continue;
    (r.waiting_for.load(std::memory_order_acquire) ? any_blocked : any_free) =
        true;
  }
  if (or_wait) {
    if (!any_free || g_partial_deadlocks.load(std::memory_order_relaxed))
      suspect_every_thread_blocked();
    return;
  }
  if (!any_blocked)
    return;
  // A lock or join wait: what it waits for is visible, so the blocking
  // thread can judge it itself.
  std::vector<Snapshot> all = snapshot(nullptr), again;
  std::size_t me = 0;
  while (me < all.size() && all[me].id != t.id)
    ++me;
  if (me == all.size() || !stuck(all, me, false, true))
    return;
  if (!stuck(all, me, true, true) ||
      !still_stuck(all, again, t.id, me, true, nullptr) ||
      partial_deadlock(again)) {
    // The published waits close a cycle but a thread in it still runs:
    // it may be on its way to sleep, so the watchdog looks again. So it
    // does when the cycle holds a channel or condvar wait while some
    // thread runs: that needs the watchdog's hold.
    suspect_every_thread_blocked();
    return;
  }
  report_deadlock(again, me);
}

} // namespace

FEARLESS_SLOW_PATH
void recheck_after_exit(const ThreadRecord &exiting) {
  std::size_t used = g_threads_used.load(std::memory_order_acquire);
  for (std::size_t i = 1; i < used && i < kMaxThreads; ++i) {
    const ThreadRecord &r = g_threads[i];
    if (&r == &exiting || r.live_id.load(std::memory_order_acquire) == 0 ||
        !r.waiting_for.load(std::memory_order_acquire))
      continue;
    auto kind = WaitKind(r.wait_kind.load(std::memory_order_relaxed));
    if (is_or_wait(kind)) {
      suspect_every_thread_blocked();
      return;
    }
  }
}

namespace {

void copy_name(ThreadRecord &r) {
  std::string_view name = current_thread_name();
  if (name.empty())
    return; // keeps "main"
  std::size_t n = std::min(name.size(), sizeof(r.name) - 1);
  for (std::size_t i = 0; i < n; ++i)
    if (r.name[i].load(std::memory_order_relaxed) != name[i])
      r.name[i].store(name[i], std::memory_order_relaxed);
  r.name[n].store('\0', std::memory_order_relaxed);
}

} // namespace

namespace {

// `reach`: for a condvar wait, the stamp of the condvar (0 when it is not a
// fearless::Condvar: a std::condition_variable under the preload may be
// notified by any thread).
void block_at(const void *object, WaitKind kind, bool timed, const void *at,
              std::uint64_t reach) noexcept {
  Inside in;
  ThreadRecord *t = record();
  if (!t)
    return;
  copy_name(*t);
  t->blocks.fetch_add(1, std::memory_order_relaxed);
  t->blocked_at.store(at, std::memory_order_relaxed);
  if (timed) // a wait with a timeout is not a deadlock
    return;
  if (kind == WaitKind::join &&
      t->running.load(std::memory_order_relaxed) == object) {
    misuse("join of oneself",
           "  a thread waits for itself to finish: it never will\n", t);
    return;
  }
  record_blocked_stack(*t);
  if (is_or_wait(kind)) {
    // Who may end the wait: the condvar's reach stamp (channels are read
    // from their registry when judged).
    t->wait_reach.store(reach, std::memory_order_relaxed);
    t->or_wait = true;
    g_or_waiters.fetch_add(1, std::memory_order_relaxed);
  }
  t->waiting_cls.store(is_lock_wait(kind)
                           ? static_cast<const LockState *>(object)->cls.load(
                                 std::memory_order_relaxed)
                           : 0,
                       std::memory_order_relaxed);
  t->wait_kind.store(std::uint8_t(kind), std::memory_order_relaxed);
  t->waiting_for.store(object, std::memory_order_release);
  // Two threads blocking at once each publish, then read the other's
  // wait: without a full fence both may read the other's old value (a
  // store-load reordering) and neither would see the cycle.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  check_deadlock(*t, kind);
}

} // namespace

void on_block(const void *object, WaitKind kind, bool timed) noexcept {
  block_at(object, kind, timed, __builtin_return_address(0),
           kind == WaitKind::condvar
               ? static_cast<const ReachStamp *>(object)->value
               : 0);
}

void on_block_at(const void *object, WaitKind kind, bool timed,
                 const void *at) noexcept {
  block_at(object, kind, timed, at, 0);
}

void on_unblock(const void *) noexcept {
  ThreadRecord *t = t_record;
  if (!t)
    return;
  t->waiting_for.store(nullptr, std::memory_order_seq_cst);
  if (t->or_wait) {
    t->or_wait = false;
    g_or_waiters.fetch_sub(1, std::memory_order_relaxed);
    // A reader inside the channel this thread waited on (Pin): the
    // channel must outlive it.
    while (t->pinned.load(std::memory_order_seq_cst) != 0)
      std::this_thread::yield();
  }
}

void on_handle_dropped_slow() noexcept {
  Inside in;
  suspect_every_thread_blocked();
}

void on_thread_start(const void *handle) noexcept {
  Inside in;
  // The handle stands for this thread while it runs (lockdep's trick for
  // flushes): a join waits for whoever runs it.
  if (ThreadRecord *t = record()) {
    t->running.store(handle, std::memory_order_release);
    // What it may reach comes from its spawner, through the thread state's
    // RaceSyncCell (thread.h acquires it next), not from when it started.
    t->knows.store(0, std::memory_order_relaxed);
  }
}

void on_thread_end(const void *) noexcept {
  if (ThreadRecord *t = t_record)
    t->running.store(nullptr, std::memory_order_release);
}

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING
