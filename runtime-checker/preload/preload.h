// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// What the preload's interposers share: glibc's own functions, and the
// rule that keeps fearless's own locking out of the tracker.
//
// libfearless-preload.so is loaded first (LD_PRELOAD), so a program's calls
// to pthread_mutex_lock and friends land here; each does what glibc does
// (by calling it) and tells the tracker, through the same hooks
// fearless::Mutex uses (fearless/detail/hooks.h). The tracker itself takes
// std::mutex, starts its watchdog with std::thread and symbolises with
// libdw, all of which would come back here: a thread inside fearless's own
// code calls glibc directly. The tracker's out-of-line paths mark
// themselves (`Inside`, foreign_lock.h), so the interposers' fast path --
// the tracker's inline hooks, which take no lock -- costs nothing for it.
// Threads fearless starts run inside it for good, and so does a thread
// whose record is gone (its exit-time check) and the process once exit()
// has run the program's own handlers.
//
// Safety during start-up: until the library's own constructors have run
// (`g_ready`), every interposer calls glibc directly, and glibc's functions
// are looked up on first use (dlsym from a constructor that another
// library's constructor may precede). dlsym may call calloc, never a
// pthread function that comes back here.
#ifndef FEARLESS_PRELOAD_PRELOAD_H_
#define FEARLESS_PRELOAD_PRELOAD_H_

#include "fearless/detail/hooks.h"
#include "foreign_lock.h"

#include <atomic>
#include <pthread.h>
#include <time.h>

#define FEARLESS_PRELOAD_EXPORT extern "C" [[gnu::visibility("default")]]

namespace fearless::preload {

/// glibc's functions, found with dlsym(RTLD_NEXT) (dlvsym for the condvar
/// waits, which have an older version at the same name).
struct Real {
  int (*mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
  int (*mutex_destroy)(pthread_mutex_t *);
  int (*mutex_lock)(pthread_mutex_t *);
  int (*mutex_trylock)(pthread_mutex_t *);
  int (*mutex_timedlock)(pthread_mutex_t *, const timespec *);
  int (*mutex_clocklock)(pthread_mutex_t *, clockid_t, const timespec *);
  int (*mutex_unlock)(pthread_mutex_t *);
  int (*rwlock_init)(pthread_rwlock_t *, const pthread_rwlockattr_t *);
  int (*rwlock_destroy)(pthread_rwlock_t *);
  int (*rwlock_rdlock)(pthread_rwlock_t *);
  int (*rwlock_tryrdlock)(pthread_rwlock_t *);
  int (*rwlock_timedrdlock)(pthread_rwlock_t *, const timespec *);
  int (*rwlock_clockrdlock)(pthread_rwlock_t *, clockid_t, const timespec *);
  int (*rwlock_wrlock)(pthread_rwlock_t *);
  int (*rwlock_trywrlock)(pthread_rwlock_t *);
  int (*rwlock_timedwrlock)(pthread_rwlock_t *, const timespec *);
  int (*rwlock_clockwrlock)(pthread_rwlock_t *, clockid_t, const timespec *);
  int (*rwlock_unlock)(pthread_rwlock_t *);
  int (*spin_init)(pthread_spinlock_t *, int);
  int (*spin_destroy)(pthread_spinlock_t *);
  int (*spin_lock)(pthread_spinlock_t *);
  int (*spin_trylock)(pthread_spinlock_t *);
  int (*spin_unlock)(pthread_spinlock_t *);
  int (*cond_wait)(pthread_cond_t *, pthread_mutex_t *);
  int (*cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const timespec *);
  int (*cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t,
                        const timespec *);
  int (*create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
  int (*join)(pthread_t, void **);
};

/// Filled by resolve(); every pointer set once, to the same value.
extern Real g_real;

/// Looks every function up (again): idempotent, safe from any thread.
void resolve() noexcept;

/// glibc's `name`, looked up on first use.
#define FEARLESS_REAL(name)                                                    \
  (__builtin_expect(::fearless::preload::g_real.name != nullptr, 1)            \
       ? ::fearless::preload::g_real.name                                      \
       : (::fearless::preload::resolve(), ::fearless::preload::g_real.name))

/// True once the library's constructors have run (preload.cpp).
extern std::atomic<bool> g_ready;

using detail::Inside;
using detail::t_inside;

/// Set once the calling thread's first interposed call has given it a
/// tracker record (or found there was none to be had). Like every
/// thread-local of the preload, initial-exec (-ftls-model): no access
/// allocates.
inline thread_local bool t_seen = false;

/// The calling thread has no tracker record: its first call (make one,
/// false) or its end (true: the record is gone, and the tracker's
/// thread-exit check, with its own std::mutex, is what calls now).
bool first_call_or_exiting() noexcept;

/// bypass() when the calling thread has no record or runs fearless's own
/// code: out of line.
bool bypass_slow() noexcept;

/// True if this call must go straight to glibc: fearless's own code calls,
/// or it is too early, or the thread is exiting.
///
/// A thread with a record that is not inside fearless's own code is the
/// common case, and all the fast path tests: a record is made by an
/// interposer only once the constructors have run (g_ready) -- or by a
/// user-lock call, which is the tracker at work already -- and taken away
/// at the thread's end, so "too early" and "exiting" are both threads
/// without one (bypass_slow).
[[gnu::always_inline]] inline bool bypass() noexcept {
  if (t_inside == 0 && detail::t_record != nullptr) [[likely]]
    return false;
  return bypass_slow();
}

/// True when the preload does glibc's own uncontended lock and unlock of a
/// normal mutex itself, inline, rather than calling glibc for it
/// (locks.cpp): x86-64 glibc, whose mutex layout and protocol a check at
/// start-up confirmed. Set once, before g_ready; a thread that has not
/// seen it yet calls glibc, which is as correct.
extern std::atomic<bool> g_inline_mutex;

/// The start-up check: glibc's lock and unlock leave a normal mutex as the
/// inline path does, and glibc's own functions accept what it leaves.
bool inline_mutex_works() noexcept;

/// After fork(), in the child: the thread's kernel id changed.
void forget_tid() noexcept;

/// The calling thread's tracker id, 0 before it has a record.
inline detail::ThreadId my_id() noexcept {
  const detail::ThreadRecord *t = detail::t_record;
  return t ? t->id : 0;
}

} // namespace fearless::preload

#endif // FEARLESS_PRELOAD_PRELOAD_H_
