// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Held-lock bookkeeping that stays exact under misuse (issue 23).
//
// A thread's inline held stack (ThreadRecord::held, kMaxHeld entries) is
// written only by that thread. Two things need more:
//
//  * locks beyond kMaxHeld: kept here, in a list of the thread's own, so
//    that releasing, destroying or exiting with them is accounted exactly
//    (they add no lock-order edges: their chain hash is not kept);
//  * a lock removed from a thread's held locks by *another* thread -- a
//    lock destroyed while someone holds it, or released by a thread that
//    does not hold it. The other thread posts a drop here; the owner
//    applies it at its next slow path (and at exit), and whoever reads the
//    owner's held locks meanwhile (deadlock checks, reports) skips it.
//
// Invariant: a Side's mutex is taken after global().mu, never before it.
#include "tracker_internal.h"

#include "fearless/thread_safety.h"

#include <algorithm>
#include <mutex>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {
namespace {

struct Side {
  std::mutex mu;
  /// Set while `drops` is not empty: the owner's cheap check.
  std::atomic<bool> pending{false};
  std::vector<const LockState *> drops FEARLESS_GUARDED_BY(mu);
  std::vector<ExtraHeld> extras FEARLESS_GUARDED_BY(mu);
};

// One per thread record, indexed like g_threads; never destroyed (hooks
// run at exit, after static destructors).
Side &side(const ThreadRecord &t) {
  static Side *sides = new Side[kMaxThreads];
  return sides[&t - g_threads];
}

LockMode mode_of(const HeldLock &h) {
  return LockMode(h.mode.load(std::memory_order_relaxed));
}

// How many of `lock`'s entries in `s` are dropped but not yet applied.
int dropped_count(const Side &s, const LockState *lock)
    FEARLESS_REQUIRES(s.mu) {
  return int(std::count(s.drops.begin(), s.drops.end(), lock));
}

} // namespace

void reset_held_extras(const ThreadRecord &t) {
  Side &s = side(t);
  std::lock_guard<std::mutex> lock(s.mu);
  s.drops.clear();
  s.extras.clear();
  s.pending.store(false, std::memory_order_relaxed);
}

void remove_held(ThreadRecord &t, int i) {
  int depth = t.depth.load(std::memory_order_relaxed);
  // The locks above move down; their chain hashes are recomputed.
  for (int j = i; j + 1 < depth; ++j) {
    HeldLock &to = t.held[j], &from = t.held[j + 1];
    to.lock.store(from.lock.load(std::memory_order_relaxed),
                  std::memory_order_relaxed);
    to.mode.store(from.mode.load(std::memory_order_relaxed),
                  std::memory_order_relaxed);
    to.subclass = from.subclass;
    to.tried = from.tried;
    to.cls = from.cls;
    to.pc.store(from.pc.load(std::memory_order_relaxed),
                std::memory_order_relaxed);
    to.ret.store(from.ret.load(std::memory_order_relaxed),
                 std::memory_order_relaxed);
    t.chain[j + 1] = chain_step(t.chain[j], to.cls, to.subclass, mode_of(to));
  }
  t.depth.store(depth - 1, std::memory_order_release);
}

void apply_drops(ThreadRecord &t) {
  Side &s = side(t);
  if (!s.pending.load(std::memory_order_acquire))
    return;
  std::lock_guard<std::mutex> lock(s.mu);
  for (const LockState *l : s.drops) {
    // The oldest entry: a lock at a reused address, taken since, is newer.
    int depth = t.depth.load(std::memory_order_relaxed), i = 0;
    while (i < depth && t.held[i].lock.load(std::memory_order_relaxed) != l)
      ++i;
    if (i < depth) {
      remove_held(t, i);
      continue;
    }
    auto it = std::find_if(s.extras.begin(), s.extras.end(),
                           [&](const ExtraHeld &e) { return e.lock == l; });
    if (it != s.extras.end())
      s.extras.erase(it);
  }
  s.drops.clear();
  s.pending.store(false, std::memory_order_relaxed);
}

void push_extra(const ThreadRecord &t, const ExtraHeld &e) {
  Side &s = side(t);
  std::lock_guard<std::mutex> lock(s.mu);
  s.extras.push_back(e);
}

bool pop_extra(const ThreadRecord &t, const LockState *l, LockMode *mode) {
  Side &s = side(t);
  std::lock_guard<std::mutex> lock(s.mu);
  for (auto it = s.extras.rbegin(); it != s.extras.rend(); ++it)
    if (it->lock == l) {
      *mode = it->mode;
      s.extras.erase(std::next(it).base());
      return true;
    }
  return false;
}

bool holds_extra(const ThreadRecord &t, const LockState *l, LockMode *mode) {
  Side &s = side(t);
  std::lock_guard<std::mutex> lock(s.mu);
  for (const ExtraHeld &e : s.extras)
    if (e.lock == l) {
      *mode = e.mode;
      return true;
    }
  return false;
}

std::vector<ExtraHeld> extras_of(const ThreadRecord &t) {
  Side &s = side(t);
  std::lock_guard<std::mutex> lock(s.mu);
  return s.extras;
}

std::vector<Holder> held_by(const ThreadRecord &r) {
  std::vector<Holder> out;
  ThreadId id = r.live_id.load(std::memory_order_acquire);
  if (id == 0)
    return out;
  Side &s = side(r);
  std::lock_guard<std::mutex> lock(s.mu);
  std::vector<const LockState *> skip = s.drops;
  auto skipped = [&](const LockState *l) {
    auto it = std::find(skip.begin(), skip.end(), l);
    if (it == skip.end())
      return false;
    skip.erase(it); // the oldest entry is the dropped one
    return true;
  };
  int depth = r.depth.load(std::memory_order_acquire);
  for (int j = 0; j < depth && j < kMaxHeld; ++j) {
    const HeldLock &h = r.held[j];
    const LockState *l = h.lock.load(std::memory_order_relaxed);
    if (!skipped(l))
      out.push_back({id, l, mode_of(h), h.pc.load(std::memory_order_relaxed),
                     h.ret.load(std::memory_order_relaxed)});
  }
  for (const ExtraHeld &e : s.extras)
    if (!skipped(e.lock))
      out.push_back({id, e.lock, e.mode, e.pc, e.ret});
  return out;
}

std::vector<Holder> holders_of(const LockState *lock) {
  std::vector<Holder> out;
  std::size_t used = g_threads_used.load(std::memory_order_acquire);
  for (std::size_t i = 1; i < used && i < kMaxThreads; ++i)
    for (const Holder &h : held_by(g_threads[i]))
      if (h.lock == lock)
        out.push_back(h);
  return out;
}

void drop_held(ThreadId holder, const LockState *lock) {
  ThreadRecord *r = record_of(holder);
  if (!r)
    return;
  if (r == t_record) {
    int depth = r->depth.load(std::memory_order_relaxed);
    for (int i = 0; i < depth; ++i)
      if (r->held[i].lock.load(std::memory_order_relaxed) == lock) {
        remove_held(*r, i);
        return;
      }
    LockMode mode;
    pop_extra(*r, lock, &mode);
    return;
  }
  Side &s = side(*r);
  std::lock_guard<std::mutex> guard(s.mu);
  // Held as often as dropped already: nothing left to drop.
  int held = 0;
  int depth = r->depth.load(std::memory_order_acquire);
  for (int j = 0; j < depth && j < kMaxHeld; ++j)
    held += r->held[j].lock.load(std::memory_order_relaxed) == lock;
  for (const ExtraHeld &e : s.extras)
    held += e.lock == lock;
  if (held <= dropped_count(s, lock))
    return;
  s.drops.push_back(lock);
  s.pending.store(true, std::memory_order_release);
}

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING
