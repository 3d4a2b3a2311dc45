/* SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception */
/* fearless/user_lock.h - the tracker for locks of your own (C and C++).
 *
 * A lock fearless did not make -- a spin lock on an atomic flag, a ticket
 * lock, a lock from another library -- says what it does with four calls,
 * as Linux lockdep's lock_acquire/lock_release and ThreadSanitizer's
 * __tsan_mutex_* annotations do, and the tracker then treats it as it
 * treats fearless::Mutex: lock classes, lock-order inversions with both
 * stacks, double lock, unlock of a lock not held or held by another thread,
 * destroying a held lock, exiting with one held (docs/runtime/tracker.md),
 * with the same reports and FEARLESS_* policy. docs/runtime/preload.md has
 * the whole story; samples/runtime/spin_mutex.cpp is a complete example.
 *
 *   void lock()   { fearless_lock_acquire(this, 0);      <spin>;  fearless_lock_acquired(this, 0); }
 *   bool try_lock(){ if (!<try>) return false; fearless_lock_acquired(this, FEARLESS_LOCK_TRY); return true; }
 *   void unlock() { fearless_lock_release(this, 0);      <release>; }
 *
 * A lock is named by its address. Its class is the place given to
 * fearless_lock_init, or else the source line of its first acquisition.
 * A spinning wait is not reported as a real deadlock (a spinning thread is
 * running, as far as anyone can tell), but the inversion that leads to it
 * is reported before the first thread spins.
 *
 * Where the calls go: the fearless runtime defines these functions, and so
 * does libfearless-preload.so (fearless-run). A program that does not link
 * the runtime defines FEARLESS_USER_LOCK_WEAK before including this header:
 * the calls then do nothing unless the program runs under fearless-run.
 * (With FEARLESS_USER_LOCK_WEAK and the *static* runtime, the linker does
 * not pull these functions in: link the shared runtime, or leave the macro
 * undefined.) With FEARLESS_LOCK_TRACKING=0 the runtime's are empty.
 *
 * Cost: a lookup of the address in a lock-free table and the tracker's
 * inline fast path (a few nanoseconds); the first acquisition at a new
 * place symbolises it once. */
#ifndef FEARLESS_USER_LOCK_H_
#define FEARLESS_USER_LOCK_H_

#ifdef __cplusplus
extern "C" {
#endif

/** A read (shared) lock of a reader-writer lock; without it, exclusive. */
#define FEARLESS_LOCK_SHARED 1u
/** fearless_lock_acquired after a try_lock or a timed lock that succeeded:
 *  it cannot have waited forever, so it adds no lock-order edge. */
#define FEARLESS_LOCK_TRY 2u

/* Exported from the libraries that define them, hidden visibility or not. */
#if defined(FEARLESS_USER_LOCK_WEAK)
#define FEARLESS_USER_LOCK_DECL_ __attribute__((weak, visibility("default")))
#else
#define FEARLESS_USER_LOCK_DECL_ __attribute__((visibility("default")))
#endif

/** Names the class of the lock at `lock`: `name` if not NULL (every lock
 *  given that name is one class, as a lockdep key), else `file`:`line` (the
 *  class of locks made there). Optional: without it the class is the line
 *  of the lock's first acquisition. Call it before the lock is used, e.g.
 *  in its constructor (FEARLESS_LOCK_INIT passes the caller's line).
 *  Blocks: no. Errors: none. */
FEARLESS_USER_LOCK_DECL_ void fearless_lock_init(const void *lock,
                                                 const char *name,
                                                 const char *file,
                                                 unsigned line);

/** The lock at `lock` is being destroyed (its address may be reused for
 *  another lock): reported if a thread still holds it, then forgotten.
 *  Blocks: no. Errors: none. */
FEARLESS_USER_LOCK_DECL_ void fearless_lock_destroy(const void *lock);

/** The calling thread is about to take the lock at `lock` and may wait for
 *  it (flags: FEARLESS_LOCK_SHARED or 0). Call it before waiting, so that
 *  an inversion is reported before a deadlock can hang; not for try_lock.
 *  Blocks: no. Errors: none. Aborts: under FEARLESS_ON_DEADLOCK=abort, on a
 *  report. */
FEARLESS_USER_LOCK_DECL_ void fearless_lock_acquire(const void *lock,
                                                    unsigned flags);

/** The calling thread now holds the lock at `lock` (flags:
 *  FEARLESS_LOCK_SHARED, FEARLESS_LOCK_TRY). After every successful
 *  acquisition, blocking or not. Blocks: no. Errors: none. */
FEARLESS_USER_LOCK_DECL_ void fearless_lock_acquired(const void *lock,
                                                     unsigned flags);

/** The calling thread is about to release the lock at `lock` (flags:
 *  FEARLESS_LOCK_SHARED if it holds it shared). Call it before the release
 *  itself: once released, another thread may take the lock at once.
 *  Blocks: no. Errors: none. Aborts: as fearless_lock_acquire. */
FEARLESS_USER_LOCK_DECL_ void fearless_lock_release(const void *lock,
                                                    unsigned flags);

#if defined(FEARLESS_USER_LOCK_WEAK)
/* Each call goes through only when some library defines the function. A
 * macro does not expand inside its own expansion, so the name there is the
 * function's. */
#define fearless_lock_init(l, n, f, ln)                                        \
  (fearless_lock_init ? fearless_lock_init((l), (n), (f), (ln)) : (void)0)
#define fearless_lock_destroy(l)                                               \
  (fearless_lock_destroy ? fearless_lock_destroy(l) : (void)0)
#define fearless_lock_acquire(l, fl)                                           \
  (fearless_lock_acquire ? fearless_lock_acquire((l), (fl)) : (void)0)
#define fearless_lock_acquired(l, fl)                                          \
  (fearless_lock_acquired ? fearless_lock_acquired((l), (fl)) : (void)0)
#define fearless_lock_release(l, fl)                                           \
  (fearless_lock_release ? fearless_lock_release((l), (fl)) : (void)0)
#endif

/** fearless_lock_init(lock, NULL, __FILE__, __LINE__): the class of the
 *  lock is the line that says this. */
#define FEARLESS_LOCK_INIT(lock) fearless_lock_init((lock), 0, __FILE__, __LINE__)

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* FEARLESS_USER_LOCK_H_ */
