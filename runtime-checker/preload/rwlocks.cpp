// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The preload's reader-writer and spin lock interposers (locks.cpp has the
// mutexes and condvar waits, and where each kind's LockState lives).
#include "lock_hooks.h"

#include <cerrno>
#include <new>

namespace fearless::preload {
namespace {

// --- rwlocks -----------------------------------------------------------------

// glibc's rwlock kind for "writers first, and a reader may not read again".
constexpr unsigned kWriterNonRecursive =
    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP;

LockState *state_of(pthread_rwlock_t *rw, bool make) noexcept {
  if (rw->__data.__shared)
    return nullptr; // process-shared
#if defined(__x86_64__)
  auto *slot = reinterpret_cast<std::atomic<LockState *> *>(&rw->__data.__pad2);
  static_assert(sizeof(rw->__data.__pad2) == sizeof(LockState *));
  LockState *s = slot->load(std::memory_order_acquire);
  if (s || !make)
    return s;
  Inside in; // a program's allocator may take a pthread lock
  auto *fresh = new (std::nothrow) LockState;
  if (fresh &&
      !slot->compare_exchange_strong(s, fresh, std::memory_order_acq_rel)) {
    delete fresh; // another thread's first use won
    return s;
  }
  return fresh;
#else
  return fd::foreign_lock(rw, make);
#endif
}

void forget(pthread_rwlock_t *rw) noexcept {
#if defined(__x86_64__)
  auto *slot = reinterpret_cast<std::atomic<LockState *> *>(&rw->__data.__pad2);
  Inside in;
  delete slot->exchange(nullptr, std::memory_order_acq_rel);
#else
  fd::forget_foreign_lock(rw);
#endif
}

// Read locks a thread took again on a reader-preferring rwlock it already
// reads: glibc lets them through, the tracker sees the first one only.
struct Reread {
  const LockState *lock;
  int count;
};
constexpr int kRereads = 8;
// (Initial-exec, as every thread-local of the preload: its CMakeLists.)
thread_local Reread t_rereads[kRereads] = {};

// True if the calling thread already holds `s` for reading.
bool reads(const LockState &s) noexcept {
  const fd::ThreadRecord *t = fd::t_record;
  if (!t)
    return false;
  for (int i = t->depth.load(std::memory_order_relaxed) - 1; i >= 0; --i)
    if (t->held[i].lock.load(std::memory_order_relaxed) == &s)
      return LockMode(t->held[i].mode.load(std::memory_order_relaxed)) ==
             LockMode::shared;
  return false;
}

// Counts one more read of `s`; false if there is no room (then the tracker
// holds it twice, which is as exact).
bool count_reread(const LockState &s) noexcept {
  Reread *free_slot = nullptr;
  for (Reread &r : t_rereads) {
    if (r.lock == &s) {
      ++r.count;
      return true;
    }
    if (r.count == 0 && !free_slot)
      free_slot = &r;
  }
  if (!free_slot)
    return false;
  *free_slot = {&s, 1};
  return true;
}

// Takes back one counted read of `s`; false if none is counted.
bool uncount_reread(const LockState &s) noexcept {
  for (Reread &r : t_rereads)
    if (r.lock == &s && r.count > 0) {
      --r.count;
      return true;
    }
  return false;
}

} // namespace
} // namespace fearless::preload

using namespace fearless::preload;

// --- reader-writer locks -----------------------------------------------------

FEARLESS_PRELOAD_EXPORT int pthread_rwlock_init(pthread_rwlock_t *rw,
                                                const pthread_rwlockattr_t *a) {
  int rc = FEARLESS_REAL(rwlock_init)(rw, a);
  if (rc != 0 || bypass())
    return rc;
  if (LockState *s = state_of(rw, true)) {
    s->owner.store(0, std::memory_order_relaxed);
    s->cls.store(0, std::memory_order_relaxed);
    fd::class_from_code(*s, __builtin_return_address(0));
  }
  return rc;
}

FEARLESS_PRELOAD_EXPORT int pthread_rwlock_destroy(pthread_rwlock_t *rw) {
  if (bypass())
    return FEARLESS_REAL(rwlock_destroy)(rw);
  if (LockState *s = state_of(rw, false)) {
    if (s->cls.load(std::memory_order_relaxed) != 0)
      fd::on_destroy(*s);
    forget(rw);
  }
  return FEARLESS_REAL(rwlock_destroy)(rw);
}

namespace {

// A read lock (blocking, timed or try), with glibc's `lock` doing it; `ret`
// is the interposer's return address. Inlined, as cond_wait.
template <class Lock>
[[gnu::always_inline]] inline int
read_lock(pthread_rwlock_t *rw, LockState &s, const void *ret, bool blocking,
          bool timed_wait, Lock lock) noexcept {
  ensure_class(s, ret);
  const void *at = fd::user_caller(ret);
  if (rw->__data.__flags != kWriterNonRecursive && reads(s)) {
    int rc = lock(); // reader-preferring: never waits for itself
    if (rc == 0 && !count_reread(s))
      acquired(s, LockMode::shared, true, at);
    return rc;
  }
  if (!blocking) {
    int rc = lock();
    if (rc == 0)
      acquired(s, LockMode::shared, true, at);
    return rc;
  }
  auto try_read = [rw] { return FEARLESS_REAL(rwlock_tryrdlock)(rw); };
  if (timed_wait) {
    int rc = wait_for(s, WaitKind::rwlock_read, true, at, try_read, lock);
    if (rc == 0)
      acquired(s, LockMode::shared, true, at);
    return rc;
  }
  auto a = fd::on_acquire(s, LockMode::shared);
  int rc = a.held_elsewhere
               ? wait_for(s, WaitKind::rwlock_read, false, at, try_read, lock)
               : lock();
  if (rc == 0)
    acquired(s, LockMode::shared, a, at);
  return rc;
}

// A write lock (blocking, timed or try).
template <class Lock>
[[gnu::always_inline]] inline int
write_lock(pthread_rwlock_t *rw, LockState &s, const void *ret, bool blocking,
           bool timed_wait, Lock lock) noexcept {
  ensure_class(s, ret);
  const void *at = fd::user_caller(ret);
  if (!blocking) {
    int rc = lock();
    if (rc == 0)
      acquired(s, LockMode::exclusive, true, at);
    return rc;
  }
  auto try_write = [rw] { return FEARLESS_REAL(rwlock_trywrlock)(rw); };
  if (timed_wait) {
    int rc = wait_for(s, WaitKind::rwlock_write, true, at, try_write, lock);
    if (rc == 0)
      acquired(s, LockMode::exclusive, true, at);
    return rc;
  }
  auto a = fd::on_acquire(s, LockMode::exclusive);
  // Readers do not set the owner: a write lock always tries first.
  int rc = wait_for(s, WaitKind::rwlock_write, false, at, try_write, lock);
  if (rc == 0)
    acquired(s, LockMode::exclusive, a, at);
  return rc;
}

} // namespace

#define FEARLESS_RWLOCK_(fn, op, blocking, timed_wait, params, args)           \
  FEARLESS_PRELOAD_EXPORT int pthread_rwlock_##fn params {                     \
    LockState *s;                                                              \
    if (bypass() || !(s = state_of(rw, true)))                                 \
      return FEARLESS_REAL(rwlock_##fn) args;                                  \
    return op(rw, *s, __builtin_return_address(0), blocking, timed_wait,       \
              [&] { return FEARLESS_REAL(rwlock_##fn) args; });                \
  }

FEARLESS_RWLOCK_(rdlock, read_lock, true, false, (pthread_rwlock_t * rw), (rw))
FEARLESS_RWLOCK_(tryrdlock, read_lock, false, false, (pthread_rwlock_t * rw),
                 (rw))
FEARLESS_RWLOCK_(timedrdlock, read_lock, true, true,
                 (pthread_rwlock_t * rw, const timespec *t), (rw, t))
FEARLESS_RWLOCK_(clockrdlock, read_lock, true, true,
                 (pthread_rwlock_t * rw, clockid_t c, const timespec *t),
                 (rw, c, t))
FEARLESS_RWLOCK_(wrlock, write_lock, true, false, (pthread_rwlock_t * rw), (rw))
FEARLESS_RWLOCK_(trywrlock, write_lock, false, false, (pthread_rwlock_t * rw),
                 (rw))
FEARLESS_RWLOCK_(timedwrlock, write_lock, true, true,
                 (pthread_rwlock_t * rw, const timespec *t), (rw, t))
FEARLESS_RWLOCK_(clockwrlock, write_lock, true, true,
                 (pthread_rwlock_t * rw, clockid_t c, const timespec *t),
                 (rw, c, t))
#undef FEARLESS_RWLOCK_

FEARLESS_PRELOAD_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *rw) {
  LockState *s;
  if (bypass() || !(s = state_of(rw, false)) ||
      s->cls.load(std::memory_order_relaxed) == 0)
    return FEARLESS_REAL(rwlock_unlock)(rw);
  if (!uncount_reread(*s)) {
    // The tracker's owner is the exclusive holder: a write unlock.
    bool writer =
        my_id() != 0 && s->owner.load(std::memory_order_relaxed) == my_id();
    fd::on_release(*s, writer ? LockMode::exclusive : LockMode::shared);
  }
  return FEARLESS_REAL(rwlock_unlock)(rw);
}

// --- spin locks --------------------------------------------------------------

namespace {
// A spin lock (a volatile int) by its address.
const void *key(pthread_spinlock_t *l) noexcept { return const_cast<int *>(l); }
} // namespace

FEARLESS_PRELOAD_EXPORT int pthread_spin_init(pthread_spinlock_t *l,
                                              int pshared) {
  int rc = FEARLESS_REAL(spin_init)(l, pshared);
  if (rc != 0 || bypass() || pshared == PTHREAD_PROCESS_SHARED)
    return rc;
  if (LockState *s = fd::foreign_lock(key(l), true)) {
    s->owner.store(0, std::memory_order_relaxed);
    s->cls.store(0, std::memory_order_relaxed);
    fd::class_from_code(*s, __builtin_return_address(0));
  }
  return rc;
}

FEARLESS_PRELOAD_EXPORT int pthread_spin_destroy(pthread_spinlock_t *l) {
  if (bypass())
    return FEARLESS_REAL(spin_destroy)(l);
  if (LockState *s = fd::foreign_lock(key(l), false)) {
    if (s->cls.load(std::memory_order_relaxed) != 0)
      fd::on_destroy(*s);
    fd::forget_foreign_lock(key(l));
  }
  return FEARLESS_REAL(spin_destroy)(l);
}

// A spinning thread is running, so a spin deadlock is never a "deadlock"
// report; the inversion before it is.
FEARLESS_PRELOAD_EXPORT int pthread_spin_lock(pthread_spinlock_t *l) {
  if (bypass())
    return FEARLESS_REAL(spin_lock)(l);
  LockState *s = fd::foreign_lock(key(l), true);
  if (!s)
    return FEARLESS_REAL(spin_lock)(l);
  ensure_class(*s, __builtin_return_address(0));
  auto a = fd::on_acquire(*s, LockMode::exclusive, 0, /*shareable=*/false);
  int rc = FEARLESS_REAL(spin_lock)(l);
  if (rc == 0)
    acquired(*s, LockMode::exclusive, a,
             fd::user_caller(__builtin_return_address(0)));
  return rc;
}

FEARLESS_PRELOAD_EXPORT int pthread_spin_trylock(pthread_spinlock_t *l) {
  if (bypass())
    return FEARLESS_REAL(spin_trylock)(l);
  LockState *s = fd::foreign_lock(key(l), true);
  int rc = FEARLESS_REAL(spin_trylock)(l);
  if (rc == 0 && s) {
    ensure_class(*s, __builtin_return_address(0));
    acquired(*s, LockMode::exclusive, true,
             fd::user_caller(__builtin_return_address(0)));
  }
  return rc;
}

FEARLESS_PRELOAD_EXPORT int pthread_spin_unlock(pthread_spinlock_t *l) {
  if (bypass())
    return FEARLESS_REAL(spin_unlock)(l);
  LockState *s = fd::foreign_lock(key(l), false);
  if (s && s->cls.load(std::memory_order_relaxed) != 0) {
    fd::on_release(*s, LockMode::exclusive);
  }
  return FEARLESS_REAL(spin_unlock)(l);
}
