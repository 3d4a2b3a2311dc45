// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The preload's lock interposers: pthread mutexes, reader-writer locks,
// spin locks and the condvar waits, fed to the tracker as fearless::Mutex,
// RwLock and Condvar feed it (mutex.h, rwlock.h, condvar.h): on_acquire
// before a lock that may wait, on_block only when it will (another thread
// holds it), on_acquired once held, on_release before the unlock.
//
// Where a lock's LockState lives (its class and owner, 16 bytes):
//
//  * a mutex: inside the pthread_mutex_t, in the 16 bytes glibc keeps for
//    the robust-mutex list (__data.__list), unused by every other kind.
//    The static initialisers and pthread_mutex_init zero them, so a mutex
//    made again at a reused address -- std::mutex never calls
//    pthread_mutex_destroy -- starts with no class, as it should. Robust
//    and process-shared mutexes are passed to glibc untracked;
//  * a reader-writer lock: a LockState of its own, its address in
//    __data.__pad2 (zero in a fresh lock, unused by glibc), freed by
//    pthread_rwlock_destroy (std::shared_mutex calls it);
//  * a spin lock (an int): by address, in the table user locks use.
//
// x86-64's layouts; elsewhere mutexes and rwlocks go by address too.
//
// The kinds glibc gives meaning to are kept: a recursive mutex relocked by
// its owner, and an error-checking mutex relocked or unlocked by a thread
// that does not own it, are glibc's to count or refuse (EDEADLK, EPERM):
// the tracker sees the outermost lock only. A reader-preferring rwlock
// (glibc's default) may be read-locked again by a reader: counted here,
// not reported; a writer-preferring one (PTHREAD_RWLOCK_PREFER_WRITER_
// NONRECURSIVE_NP) reports it, as fearless::RwLock does.
#include "preload.h"

#include "foreign_lock.h"

#include <cerrno>
#include <new>

namespace fd = fearless::detail;
using fd::LockMode;
using fd::LockState;
using fd::WaitKind;

namespace fearless::preload {
namespace {

// glibc's mutex kind bits (nptl/pthreadP.h): the type, then flags.
constexpr int kTypeMask = 3, kRobust = 16, kProcessShared = 128;

// The mutex's LockState, nullptr for a kind the tracker leaves alone (and
// for a destroyed mutex: glibc sets its kind to -1).
LockState *state_of(pthread_mutex_t *m) noexcept {
  int kind = m->__data.__kind;
  if (kind & (kRobust | kProcessShared))
    return nullptr;
#if defined(__x86_64__)
  static_assert(sizeof(m->__data.__list) >= sizeof(LockState) &&
                alignof(decltype(m->__data.__list)) >= alignof(LockState));
  return reinterpret_cast<LockState *>(&m->__data.__list);
#else
  return fd::foreign_lock(m, true);
#endif
}

// A recursive or error-checking mutex the calling thread already holds:
// glibc counts the relock or refuses it.
[[gnu::always_inline]] inline bool glibc_handles(const pthread_mutex_t *m,
                                                 const LockState &s) noexcept {
  int type = m->__data.__kind & kTypeMask;
  if (type != PTHREAD_MUTEX_RECURSIVE && type != PTHREAD_MUTEX_ERRORCHECK)
      [[likely]]
    return false;
  return my_id() != 0 && s.owner.load(std::memory_order_relaxed) == my_id();
}

[[gnu::always_inline]] inline void ensure_class(LockState &s,
                                                const void *ret) noexcept {
  if (s.cls.load(std::memory_order_relaxed) == 0) [[unlikely]]
    fd::class_from_code(s, ret);
}

// The tracker's on_acquired, with `at` (user_caller of the interposer's
// return address) as where the user took the lock: the interposer's own
// frame, and the standard library's between it and the user's code
// (std::lock_guard's constructor at -O0), say nothing.
template <class How>
[[gnu::always_inline]] inline void
acquired(LockState &s, LockMode mode, const How &how, const void *at) noexcept {
  fd::acquired_at(s, mode, how, 0, nullptr, at);
}

// Try once, and if the lock is taken, tell the tracker this thread is about
// to wait at `at` (its deadlock check; `timed`: a wait that cannot last
// forever) and wait. Out of line: the uncontended path stays small.
template <class Try, class Wait>
[[gnu::noinline]] int wait_for(LockState &s, WaitKind kind, bool timed,
                               const void *at, Try try_lock,
                               Wait lock) noexcept {
  int rc = try_lock();
  if (rc != EBUSY)
    return rc;
  fd::on_block_at(&s, kind, timed, at);
  rc = lock();
  fd::on_unblock(&s);
  return rc;
}

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

// --- mutexes ---------------------------------------------------------------

FEARLESS_PRELOAD_EXPORT int pthread_mutex_init(pthread_mutex_t *m,
                                               const pthread_mutexattr_t *a) {
  int rc = FEARLESS_REAL(mutex_init)(m, a);
  if (rc != 0 || bypass())
    return rc;
  if (LockState *s = state_of(m)) {
    // glibc zeroed the mutex: the class is this call's place.
    s->owner.store(0, std::memory_order_relaxed);
    s->cls.store(0, std::memory_order_relaxed);
    fd::class_from_code(*s, __builtin_return_address(0));
  }
  return rc;
}

FEARLESS_PRELOAD_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m) {
  if (bypass())
    return FEARLESS_REAL(mutex_destroy)(m);
  if (LockState *s = state_of(m);
      s && s->cls.load(std::memory_order_relaxed) != 0) {
    fd::on_destroy(*s); // reports it if held, and forgets the holders
    // No class: the tracker knows nothing of it any more. If glibc refuses
    // (EBUSY: it is locked), its unlock then goes to glibc alone.
    s->cls.store(0, std::memory_order_relaxed);
    s->owner.store(0, std::memory_order_relaxed);
  }
  return FEARLESS_REAL(mutex_destroy)(m);
}

FEARLESS_PRELOAD_EXPORT int pthread_mutex_lock(pthread_mutex_t *m) {
  LockState *s;
  if (bypass() || !(s = state_of(m)) || glibc_handles(m, *s)) [[unlikely]]
    return FEARLESS_REAL(mutex_lock)(m);
  ensure_class(*s, __builtin_return_address(0));
  const void *at = fd::user_caller(__builtin_return_address(0));
  // Only `held_elsewhere` is kept across the wait: acquired_at recomputes
  // the rest, cheaper than keeping it in registers across glibc's call.
  bool contended =
      fd::on_acquire(*s, LockMode::exclusive, 0, /*shareable=*/false)
          .held_elsewhere;
  int rc = contended ? wait_for(
                           *s, WaitKind::mutex, false, at,
                           [m] { return FEARLESS_REAL(mutex_trylock)(m); },
                           [m] { return FEARLESS_REAL(mutex_lock)(m); })
                     : FEARLESS_REAL(mutex_lock)(m);
  if (rc == 0)
    acquired(*s, LockMode::exclusive, false, at);
  return rc;
}

FEARLESS_PRELOAD_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m) {
  LockState *s;
  if (bypass() || !(s = state_of(m)) || glibc_handles(m, *s)) [[unlikely]]
    return FEARLESS_REAL(mutex_trylock)(m);
  ensure_class(*s, __builtin_return_address(0));
  int rc = FEARLESS_REAL(mutex_trylock)(m);
  if (rc == 0)
    acquired(*s, LockMode::exclusive, true,
             fd::user_caller(__builtin_return_address(0)));
  return rc;
}

FEARLESS_PRELOAD_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m,
                                                    const timespec *t) {
  LockState *s;
  if (bypass() || !(s = state_of(m)) || glibc_handles(m, *s))
    return FEARLESS_REAL(mutex_timedlock)(m, t);
  ensure_class(*s, __builtin_return_address(0));
  const void *at = fd::user_caller(__builtin_return_address(0));
  int rc = wait_for(
      *s, WaitKind::mutex, true, at,
      [m] { return FEARLESS_REAL(mutex_trylock)(m); },
      [m, t] { return FEARLESS_REAL(mutex_timedlock)(m, t); });
  if (rc == 0)
    acquired(*s, LockMode::exclusive, true, at);
  return rc;
}

FEARLESS_PRELOAD_EXPORT int
pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t c, const timespec *t) {
  LockState *s;
  if (bypass() || !(s = state_of(m)) || glibc_handles(m, *s))
    return FEARLESS_REAL(mutex_clocklock)(m, c, t);
  ensure_class(*s, __builtin_return_address(0));
  const void *at = fd::user_caller(__builtin_return_address(0));
  int rc = wait_for(
      *s, WaitKind::mutex, true, at,
      [m] { return FEARLESS_REAL(mutex_trylock)(m); },
      [m, c, t] { return FEARLESS_REAL(mutex_clocklock)(m, c, t); });
  if (rc == 0)
    acquired(*s, LockMode::exclusive, true, at);
  return rc;
}

FEARLESS_PRELOAD_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m) {
  LockState *s;
  if (bypass() || !(s = state_of(m)) ||
      s->cls.load(std::memory_order_relaxed) == 0) [[unlikely]]
    return FEARLESS_REAL(mutex_unlock)(m); // a lock the tracker never saw
  int type = m->__data.__kind & kTypeMask;
  if (type == PTHREAD_MUTEX_RECURSIVE || type == PTHREAD_MUTEX_ERRORCHECK)
      [[unlikely]] {
    // Not its owner: glibc says EPERM. An inner unlock: glibc counts.
    if (s->owner.load(std::memory_order_relaxed) != my_id() || my_id() == 0 ||
        (type == PTHREAD_MUTEX_RECURSIVE && m->__data.__count > 1))
      return FEARLESS_REAL(mutex_unlock)(m);
  }
  fd::on_release(*s, LockMode::exclusive);
  return FEARLESS_REAL(mutex_unlock)(m);
}

// --- condition variables -----------------------------------------------------

namespace {

// A condvar wait releases the mutex and takes it again inside glibc: the
// tracker sees a release, a wait (a condvar wait is a wait for any thread
// at all: the watchdog's "every thread is blocked"), and an acquisition.
// Inlined, as the hooks that follow the reported return address must be.
template <class Wait>
[[gnu::always_inline]] inline int
cond_wait(pthread_cond_t *c, pthread_mutex_t *m, bool timed, const void *at,
          Wait wait) noexcept {
  LockState *s = state_of(m);
  bool held = s && s->cls.load(std::memory_order_relaxed) != 0 &&
              my_id() != 0 &&
              s->owner.load(std::memory_order_relaxed) == my_id();
  if (held)
    fd::on_release(*s, LockMode::exclusive);
  fd::on_block_at(c, WaitKind::condvar, timed, at);
  int rc = wait();
  fd::on_unblock(c);
  if (held)
    acquired(*s, LockMode::exclusive, false, at);
  return rc;
}

} // namespace

FEARLESS_PRELOAD_EXPORT int pthread_cond_wait(pthread_cond_t *c,
                                              pthread_mutex_t *m) {
  if (bypass())
    return FEARLESS_REAL(cond_wait)(c, m);
  const void *at = fd::user_caller(__builtin_return_address(0));
  return cond_wait(c, m, false, at,
                   [c, m] { return FEARLESS_REAL(cond_wait)(c, m); });
}

FEARLESS_PRELOAD_EXPORT int pthread_cond_timedwait(pthread_cond_t *c,
                                                   pthread_mutex_t *m,
                                                   const timespec *t) {
  if (bypass())
    return FEARLESS_REAL(cond_timedwait)(c, m, t);
  const void *at = fd::user_caller(__builtin_return_address(0));
  return cond_wait(c, m, true, at, [c, m, t] {
    return FEARLESS_REAL(cond_timedwait)(c, m, t);
  });
}

FEARLESS_PRELOAD_EXPORT int pthread_cond_clockwait(pthread_cond_t *c,
                                                   pthread_mutex_t *m,
                                                   clockid_t k,
                                                   const timespec *t) {
  if (bypass())
    return FEARLESS_REAL(cond_clockwait)(c, m, k, t);
  const void *at = fd::user_caller(__builtin_return_address(0));
  return cond_wait(c, m, true, at, [c, m, k, t] {
    return FEARLESS_REAL(cond_clockwait)(c, m, k, t);
  });
}

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
