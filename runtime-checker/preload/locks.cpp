// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The preload's lock interposers -- pthread mutexes and the condvar waits
// here, reader-writer and spin locks in rwlocks.cpp -- fed to the tracker
// as fearless::Mutex, RwLock and Condvar feed it (mutex.h, rwlock.h,
// condvar.h): on_acquire before a lock that may wait, on_block only when
// it will (another thread holds it), on_acquired once held, on_release
// before the unlock.
//
// Where a lock's LockState lives (its class, owner and reach, 16 bytes):
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
#include "lock_hooks.h"

#include <cerrno>

#if defined(__x86_64__) && defined(__GLIBC__)
#include <linux/futex.h>
#include <sys/single_threaded.h>
#include <sys/syscall.h>
#include <unistd.h>
#define FEARLESS_PRELOAD_INLINE_MUTEX 1
#else
#define FEARLESS_PRELOAD_INLINE_MUTEX 0
#endif

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

// --- glibc's uncontended normal mutex, inline ---------------------------------
//
// A normal mutex -- PTHREAD_MUTEX_NORMAL or DEFAULT, what std::mutex is:
// `__kind` exactly 0 (PTHREAD_MUTEX_TIMED_NP; no recursive or error-checking
// type, no robust, priority, process-shared or elision flag) -- is locked
// and unlocked here as glibc does it, with no call to glibc: that saves
// the indirect call and glibc's own dispatch on the kind. Any other kind,
// and a lock that is taken (a wait), goes to glibc's function as before,
// and so does everything when this is off (g_inline_mutex). What each step
// must match, from glibc 2.36's nptl/pthread_mutex_lock.c,
// pthread_mutex_trylock.c, pthread_mutex_unlock.c and
// sysdeps/nptl/lowlevellock.h (the protocol -- lock word, owner, user
// count -- is the same for this kind in every glibc since NPTL; the
// single-thread shortcut is recent, and right whether glibc takes it or
// not; the start-up check, inline_mutex_works, confirms the rest on the
// glibc the program runs with):
//
//  * `__lock`: 0 free, 1 taken, 2 taken with (maybe) waiters. lll_lock is a
//    CAS 0 -> 1 (acquire); on failure __lll_lock_wait sets 2 and sleeps on
//    the futex. lll_unlock exchanges 0 in (release) and, if the old value
//    was above 1, wakes one waiter (FUTEX_WAKE, private: kind 0 is not
//    process-shared). A waiter -- glibc's lock, or a condvar wait
//    re-locking with lll_cond_lock, which sets 2 -- only ever sleeps in
//    glibc, which the exchange and the wake here serve as glibc's unlock
//    would.
//  * `__owner`: the holder's kernel thread id, set after the lock is taken,
//    and 0 again before it is released ("Always reset the owner field"):
//    glibc's lock asserts `__owner == 0` once it has the lock.
//  * `__nusers`: +1 by each lock, -1 by each unlock. A condvar wait leaves
//    it alone (it unlocks with __pthread_mutex_unlock_usercnt(m, 0) and
//    re-locks with __pthread_mutex_cond_lock, which does not count), so a
//    mutex locked here, waited on in glibc and unlocked here balances.
//    pthread_mutex_destroy refuses (EBUSY) while it is not 0.
//  * glibc's single-thread shortcut (SINGLE_THREAD_P, which is
//    __libc_single_threaded on x86-64): a private mutex in a process that
//    never had a second thread is taken and released with plain stores.
//  * glibc's trylock of this kind: a relaxed load of `__lock`, then the
//    CAS; EBUSY if either finds it taken (no single-thread shortcut).
//  * Lock elision: with glibc.elision.enable=1 on a CPU with RTM, glibc's
//    first lock of a kind-0 mutex turns on its elision flag, and it is then
//    locked and unlocked without `__owner` and `__nusers`; the start-up
//    check sees the flag appear and keeps the inline path off.
//
// The tracker's hooks run around it exactly as around glibc's function.

#if FEARLESS_PRELOAD_INLINE_MUTEX
// The calling thread's kernel id, what glibc stores in `__owner`
// (THREAD_GETMEM (THREAD_SELF, tid)); 0 until first asked, and again in a
// fork's child (forget_tid, from pthread_atfork).
thread_local pid_t t_tid = 0;

// A system call with up to three arguments, inline: no call (the fast path
// below stays a leaf function) and, as glibc's internal calls, no errno.
[[gnu::always_inline]] inline long raw_syscall(long nr, long a1 = 0,
                                               long a2 = 0,
                                               long a3 = 0) noexcept {
  long rc;
  register long r3 asm("rdx") = a3;
  asm volatile("syscall"
               : "=a"(rc)
               : "0"(nr), "D"(a1), "S"(a2), "r"(r3)
               : "rcx", "r11", "memory");
  return rc;
}

[[gnu::always_inline]] inline pid_t self_tid() noexcept {
  pid_t tid = t_tid;
  if (tid == 0) [[unlikely]]
    t_tid = tid = pid_t(raw_syscall(SYS_gettid));
  return tid;
}

[[gnu::always_inline]] inline int *lock_word(pthread_mutex_t *m) noexcept {
  return &m->__data.__lock;
}

// glibc's lock of an uncontended normal mutex, its first half: takes the
// lock word; false, with nothing done, if the mutex is taken (glibc's
// function then waits for it). The caller owns it then (inline_own).
[[gnu::always_inline]] inline bool inline_take(pthread_mutex_t *m) noexcept {
  int *word = lock_word(m);
  if (__libc_single_threaded) [[unlikely]] {
    // lll_mutex_lock_optimized: private, no other thread, free.
    if (__atomic_load_n(word, __ATOMIC_RELAXED) != 0)
      return false;
    __atomic_store_n(word, 1, __ATOMIC_RELAXED);
    return true;
  }
  int free_word = 0; // lll_lock: CAS 0 -> 1, acquire
  return __atomic_compare_exchange_n(word, &free_word, 1, false,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

// Its second half, once the lock is taken, by the thread whose kernel id is
// `tid`.
[[gnu::always_inline]] inline void inline_own(pthread_mutex_t *m,
                                              pid_t tid) noexcept {
  m->__data.__owner = tid; // glibc: `__owner = id`, after the lock
  ++m->__data.__nusers;     // glibc: `++__nusers`
}

[[gnu::always_inline]] inline bool inline_lock(pthread_mutex_t *m) noexcept {
  if (!inline_take(m))
    return false;
  inline_own(m, self_tid());
  return true;
}

// glibc's trylock of a normal mutex.
[[gnu::always_inline]] inline int inline_trylock(pthread_mutex_t *m) noexcept {
  int *word = lock_word(m);
  int free_word = 0;
  if (__atomic_load_n(word, __ATOMIC_RELAXED) != 0 ||
      !__atomic_compare_exchange_n(word, &free_word, 1, false,
                                   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
    return EBUSY;
  m->__data.__owner = self_tid();
  ++m->__data.__nusers;
  return 0;
}

// __lll_lock_wake_private: FUTEX_WAKE one waiter, private. The mutex may
// be gone by now -- its next holder may have unlocked and destroyed it --
// which the kernel tolerates, as with glibc's own unlock.
[[gnu::always_inline]] inline void wake_one(int *word) noexcept {
  raw_syscall(SYS_futex, long(word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1);
}

// glibc's unlock of a normal mutex (__pthread_mutex_unlock_usercnt(m, 1)).
[[gnu::always_inline]] inline void inline_unlock(pthread_mutex_t *m) noexcept {
  m->__data.__owner = 0; // before the release, as glibc
  --m->__data.__nusers;
  int *word = lock_word(m);
  if (__libc_single_threaded) [[unlikely]] {
    __atomic_store_n(word, 0, __ATOMIC_RELAXED); // lll_mutex_unlock_optimized
    return;
  }
  if (__atomic_exchange_n(word, 0, __ATOMIC_RELEASE) > 1) [[unlikely]]
    wake_one(word); // lll_unlock: there may be a waiter
}
#else
inline bool inline_take(pthread_mutex_t *) noexcept { return false; }
inline void inline_own(pthread_mutex_t *, pid_t) noexcept {}
inline bool inline_lock(pthread_mutex_t *) noexcept { return false; }
inline int inline_trylock(pthread_mutex_t *) noexcept { return EBUSY; }
inline void inline_unlock(pthread_mutex_t *) noexcept {}
#endif

// True if `kind` (the mutex's __kind, loaded once) is one the inline path
// takes, and it is on.
[[gnu::always_inline]] inline bool inline_kind(int kind) noexcept {
#if FEARLESS_PRELOAD_INLINE_MUTEX
  return kind == 0 && g_inline_mutex.load(std::memory_order_relaxed);
#else
  (void)kind;
  return false;
#endif
}

// pthread_mutex_lock, all of it, for what the interposer's fast path does
// not take: another kind, the tracker's slow paths, a mutex that is taken
// (the tracker's deadlock check, if its owner says another thread holds
// it, then glibc waits). `ret` is the interposer's return address, which
// names the lock's class; reports name user_caller's frame.
[[gnu::noinline]] int lock_general(pthread_mutex_t *m,
                                   const void *ret) noexcept {
  LockState *s;
  if (bypass() || !(s = state_of(m)) || glibc_handles(m, *s))
    return FEARLESS_REAL(mutex_lock)(m);
  ensure_class(*s, ret);
  const void *at = fd::user_caller(ret);
  fd::Acquisition a =
      fd::on_acquire_from(*s, LockMode::exclusive, 0, /*shareable=*/false, ret);
  // Past state_of and glibc_handles, a kind of 0 is a normal mutex.
  int rc;
  if (!a.held_elsewhere)
    rc = inline_kind(m->__data.__kind) && inline_lock(m)
             ? 0
             : FEARLESS_REAL(mutex_lock)(m);
  else
    rc = wait_for(
        *s, WaitKind::mutex, false, at,
        [m] {
          return inline_kind(m->__data.__kind)
                     ? inline_trylock(m)
                     : FEARLESS_REAL(mutex_trylock)(m);
        },
        [m] { return FEARLESS_REAL(mutex_lock)(m); });
  if (rc == 0)
    acquired(*s, LockMode::exclusive, a, at);
  return rc;
}

// pthread_mutex_unlock, all of it.
[[gnu::noinline]] int unlock_general(pthread_mutex_t *m) noexcept {
  LockState *s;
  if (bypass() || !(s = state_of(m)) ||
      s->cls.load(std::memory_order_relaxed) == 0)
    return FEARLESS_REAL(mutex_unlock)(m); // a lock the tracker never saw
  int type = m->__data.__kind & kTypeMask;
  if (type == PTHREAD_MUTEX_RECURSIVE || type == PTHREAD_MUTEX_ERRORCHECK) {
    // Not its owner: glibc says EPERM. An inner unlock: glibc counts.
    if (s->owner.load(std::memory_order_relaxed) != my_id() || my_id() == 0 ||
        (type == PTHREAD_MUTEX_RECURSIVE && m->__data.__count > 1))
      return FEARLESS_REAL(mutex_unlock)(m);
  }
  fd::on_release(*s, LockMode::exclusive);
  if (inline_kind(m->__data.__kind)) {
    inline_unlock(m);
    return 0; // glibc's unlock of this kind never fails
  }
  return FEARLESS_REAL(mutex_unlock)(m);
}

// The interposers' fast path, in one test: a thread with a tracker record
// (`t`) outside fearless's own code (what bypass() tests first), a normal
// mutex the inline path takes, and nothing for the race detector to do
// (the preload is built without it: CMakeLists.txt). The mutex's
// LockState, or nullptr for lock_general / unlock_general.
[[gnu::always_inline]] inline LockState *
fast_state(pthread_mutex_t *m, fd::ThreadRecord *&t) noexcept {
#if FEARLESS_PRELOAD_INLINE_MUTEX
  t = fd::t_record;
  if (t_inside == 0 && t != nullptr && inline_kind(m->__data.__kind) &&
      fd::race_idle()) [[likely]]
    return reinterpret_cast<LockState *>(&m->__data.__list); // state_of's
#else
  (void)m;
  (void)t;
#endif
  return nullptr;
}

} // namespace

void forget_tid() noexcept {
#if FEARLESS_PRELOAD_INLINE_MUTEX
  t_tid = 0;
#endif
  // The record's too: the fast path stores it, and the deadlock check asks
  // the kernel about the thread by it.
  if (fd::ThreadRecord *t = fd::t_record)
    t->tid.store(int(gettid()), std::memory_order_relaxed);
}

bool inline_mutex_works() noexcept {
#if FEARLESS_PRELOAD_INLINE_MUTEX
  pid_t me = self_tid();
  auto is = [](const pthread_mutex_t &m, int lock, pid_t owner,
               unsigned users) {
    return m.__data.__lock == lock && m.__data.__owner == owner &&
           m.__data.__nusers == users && m.__data.__count == 0 &&
           m.__data.__kind == 0; // no elision flag: glibc's lock adds it
  };
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  if (!is(m, 0, 0, 0))
    return false;
  // glibc's lock and unlock leave what the inline ones do...
  if (FEARLESS_REAL(mutex_lock)(&m) != 0 || !is(m, 1, me, 1))
    return false;
  if (FEARLESS_REAL(mutex_unlock)(&m) != 0 || !is(m, 0, 0, 0))
    return false;
  // ...and take what they leave: a lock made here is taken for glibc's
  // trylock and released by its unlock, and one of glibc's released here.
  if (!inline_lock(&m) || !is(m, 1, me, 1) ||
      FEARLESS_REAL(mutex_trylock)(&m) != EBUSY ||
      FEARLESS_REAL(mutex_unlock)(&m) != 0 || !is(m, 0, 0, 0))
    return false;
  if (FEARLESS_REAL(mutex_lock)(&m) != 0)
    return false;
  inline_unlock(&m);
  return is(m, 0, 0, 0) && FEARLESS_REAL(mutex_destroy)(&m) == 0;
#else
  return false;
#endif
}

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

// The common case in full, with no call: the tracker's inline hooks around
// the inline lock. Anything else -- the first lock at a place, a new chain,
// a mutex another thread holds -- is lock_general's, from the start (the
// hooks' fast parts change nothing when they fail).
FEARLESS_PRELOAD_EXPORT int pthread_mutex_lock(pthread_mutex_t *m) {
  fd::ThreadRecord *t;
  const void *ret = __builtin_return_address(0);
  // Where the user took it: `ret` itself when known to be the user's code
  // (else user_caller's stack walk, in lock_general).
  if (LockState *s = fast_state(m, t); s && fd::known_user_code(ret))
      [[likely]] {
    fd::Acquisition a;
    if (fd::acquire_fast(t, *s, LockMode::exclusive, 0, /*shareable=*/false,
                         a) &&
        !a.held_elsewhere && a.depth != fd::kMaxHeld && inline_take(m))
        [[likely]] {
      inline_own(m, t->tid.load(std::memory_order_relaxed));
      s->race.acquire(fd::RaceAccess::exclusive); // reach (race_hooks.h)
      fd::acquired_fast(*s, LockMode::exclusive, a, 0, nullptr, ret);
      return 0;
    }
  }
  return lock_general(m, ret);
}

FEARLESS_PRELOAD_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m) {
  LockState *s;
  if (bypass() || !(s = state_of(m)) || glibc_handles(m, *s)) [[unlikely]]
    return FEARLESS_REAL(mutex_trylock)(m);
  ensure_class(*s, __builtin_return_address(0));
  int rc = inline_kind(m->__data.__kind) ? inline_trylock(m)
                                         : FEARLESS_REAL(mutex_trylock)(m);
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
  fd::ThreadRecord *t;
  if (LockState *s = fast_state(m, t)) [[likely]] {
    if (s->cls.load(std::memory_order_relaxed) != 0 &&
        fd::release_fast(t, *s, LockMode::exclusive)) [[likely]] {
      s->race.release(fd::RaceAccess::exclusive); // reach (race_hooks.h)
      inline_unlock(m);
      return 0;
    }
  }
  return unlock_general(m);
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
