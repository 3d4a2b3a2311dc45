// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The preload's start-up (glibc's functions, g_ready) and its thread
// interposers: pthread_create gives every new thread a tracker record and
// a join handle, pthread_join waits for that handle as fearless's
// JoinHandle::join does (a join is a wait the deadlock check follows).
//
// Threads are the tracker's (ThreadRecord ids carry a generation); the
// pthread_t is only the join handle, which is unique while the thread can
// still be joined (glibc reuses it only after the join).
#include "preload.h"

#include <dlfcn.h>

#include <cstdlib>

namespace fd = fearless::detail;

namespace fearless::preload {

Real g_real{};
std::atomic<bool> g_ready{false};
std::atomic<bool> g_inline_mutex{false};

namespace {

template <class F> void find(F &slot, const char *name) {
  if (slot == nullptr)
    slot = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

// The condvar waits have two versions at one name (the pre-2.3.2 condvar
// ABI and today's); plain dlsym may give the old one.
template <class F> void find_current(F &slot, const char *name) {
#if defined(__x86_64__)
  if (slot == nullptr)
    slot = reinterpret_cast<F>(dlvsym(RTLD_NEXT, name, "GLIBC_2.3.2"));
#endif
  find(slot, name);
}

} // namespace

void resolve() noexcept {
  Real &r = g_real;
  find(r.mutex_init, "pthread_mutex_init");
  find(r.mutex_destroy, "pthread_mutex_destroy");
  find(r.mutex_lock, "pthread_mutex_lock");
  find(r.mutex_trylock, "pthread_mutex_trylock");
  find(r.mutex_timedlock, "pthread_mutex_timedlock");
  find(r.mutex_clocklock, "pthread_mutex_clocklock");
  find(r.mutex_unlock, "pthread_mutex_unlock");
  find(r.rwlock_init, "pthread_rwlock_init");
  find(r.rwlock_destroy, "pthread_rwlock_destroy");
  find(r.rwlock_rdlock, "pthread_rwlock_rdlock");
  find(r.rwlock_tryrdlock, "pthread_rwlock_tryrdlock");
  find(r.rwlock_timedrdlock, "pthread_rwlock_timedrdlock");
  find(r.rwlock_clockrdlock, "pthread_rwlock_clockrdlock");
  find(r.rwlock_wrlock, "pthread_rwlock_wrlock");
  find(r.rwlock_trywrlock, "pthread_rwlock_trywrlock");
  find(r.rwlock_timedwrlock, "pthread_rwlock_timedwrlock");
  find(r.rwlock_clockwrlock, "pthread_rwlock_clockwrlock");
  find(r.rwlock_unlock, "pthread_rwlock_unlock");
  find(r.spin_init, "pthread_spin_init");
  find(r.spin_destroy, "pthread_spin_destroy");
  find(r.spin_lock, "pthread_spin_lock");
  find(r.spin_trylock, "pthread_spin_trylock");
  find(r.spin_unlock, "pthread_spin_unlock");
  find_current(r.cond_wait, "pthread_cond_wait");
  find_current(r.cond_timedwait, "pthread_cond_timedwait");
  find(r.cond_clockwait, "pthread_cond_clockwait");
  find(r.create, "pthread_create");
  find(r.join, "pthread_join");
}

namespace {

// Runs after the tracker's own static initialisers: this file is linked
// after the runtime's sources, and a shared library runs its initialisers
// in link order (.init_array). Before, every interposer calls glibc.
//
// The exit handler registered here runs before the tracker's (atexit is
// last in, first out), after the program's own: the tracker's exit-time
// work (the DOT graph) then goes straight to glibc.
[[gnu::constructor]] void start_up() {
  resolve();
  std::atexit([] { t_inside = 1; });
  // The forking thread is the child's only one, with a new kernel id
  // (which the inline mutex path stores in __owner, as glibc does).
  pthread_atfork(nullptr, nullptr, forget_tid);
  g_inline_mutex.store(inline_mutex_works(), std::memory_order_relaxed);
  g_ready.store(true, std::memory_order_release);
}

// The record a thread gets at its first call: the pthread_t is its join
// handle (for a thread that pthread_create did not start, too).
void give_record() noexcept {
  t_seen = true;
  Inside in;
  fd::on_thread_start(reinterpret_cast<const void *>(pthread_self()));
}

// What a new thread runs first.
struct Start {
  void *(*routine)(void *);
  void *arg;
  bool internal; // started by fearless itself (the tracker's watchdog)
};

void *run_thread(void *p) {
  Start start = *static_cast<Start *>(p);
  if (start.internal) {
    t_inside = 1; // for good: nothing it does is the program's
    std::free(p);
    return start.routine(start.arg);
  }
  std::free(p);
  // A record now, so that the tracker knows every thread of the process
  // (its "every thread is blocked" check counts them), with the handle a
  // join waits for. The record's end (a thread-local destructor, also after
  // pthread_exit) reports locks still held and ends the handle.
  give_record();
  return start.routine(start.arg);
}

} // namespace

bool bypass_slow() noexcept {
  if (t_inside != 0 || !g_ready.load(std::memory_order_acquire))
    return true;
  return detail::t_record == nullptr && first_call_or_exiting();
}

bool first_call_or_exiting() noexcept {
  if (t_seen)
    return true;
  give_record();
  return fd::t_record == nullptr; // every record taken: not tracked
}

} // namespace fearless::preload

using namespace fearless::preload;

FEARLESS_PRELOAD_EXPORT int pthread_create(pthread_t *thread,
                                           const pthread_attr_t *attr,
                                           void *(*routine)(void *),
                                           void *arg) {
  if (!g_ready.load(std::memory_order_relaxed))
    return FEARLESS_REAL(create)(thread, attr, routine, arg);
  // From fearless's own code (the tracker starting its watchdog): a thread
  // that is not the program's.
  bool internal = bypass();
  Inside in;
  auto *start = static_cast<Start *>(std::malloc(sizeof(Start)));
  if (!start)
    return FEARLESS_REAL(create)(thread, attr, routine, arg);
  *start = Start{routine, arg, internal};
  int rc = FEARLESS_REAL(create)(thread, attr, run_thread, start);
  if (rc != 0)
    std::free(start);
  return rc;
}

FEARLESS_PRELOAD_EXPORT int pthread_join(pthread_t thread, void **result) {
  if (bypass())
    return FEARLESS_REAL(join)(thread, result);
  // std::thread::join is libstdc++.so's: name the user's call.
  const void *at = fd::user_caller(__builtin_return_address(0));
  Inside in;
  const void *handle = reinterpret_cast<const void *>(thread);
  fd::on_block_at(handle, fd::WaitKind::join, false, at);
  int rc = FEARLESS_REAL(join)(thread, result);
  fd::on_unblock(handle);
  return rc;
}
