/* What glibc's lock kinds allow is not misuse: a recursive mutex locked
 * again by its owner, an error-checking one refusing a relock (EDEADLK)
 * and an unlock by a non-owner (EPERM), a read lock taken again on glibc's
 * default (reader-preferring) rwlock, a condvar wait on a recursive mutex,
 * timed locks. Nothing to report. */
#define _GNU_SOURCE /* the _NP initialisers */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <time.h>

static pthread_mutex_t rec = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t check = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t plain = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int failures = 0;

static void *not_owner(void *arg) {
  (void)arg;
  failures += pthread_mutex_unlock(&check) != EPERM;
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_mutex_lock(&rec);
  pthread_mutex_lock(&rec);
  failures += pthread_mutex_trylock(&rec) != 0;
  pthread_mutex_unlock(&rec);
  pthread_mutex_unlock(&rec);
  pthread_mutex_unlock(&rec);

  pthread_mutex_lock(&check);
  failures += pthread_mutex_lock(&check) != EDEADLK;
  pthread_create(&t, NULL, not_owner, NULL);
  pthread_join(t, NULL);
  pthread_mutex_unlock(&check);

  pthread_rwlock_rdlock(&rw);
  pthread_rwlock_rdlock(&rw);
  pthread_mutex_lock(&plain); /* with both reads held */
  pthread_mutex_unlock(&plain);
  pthread_rwlock_unlock(&rw);
  pthread_rwlock_unlock(&rw);
  pthread_rwlock_wrlock(&rw);
  pthread_rwlock_unlock(&rw);

  struct timespec soon;
  clock_gettime(CLOCK_REALTIME, &soon);
  soon.tv_nsec += 1000000;
  if (soon.tv_nsec >= 1000000000) {
    soon.tv_sec += 1;
    soon.tv_nsec -= 1000000000;
  }
  pthread_mutex_lock(&rec);
  failures += pthread_cond_timedwait(&cv, &rec, &soon) != ETIMEDOUT;
  pthread_mutex_unlock(&rec);
  failures += pthread_mutex_timedlock(&plain, &soon) != 0;
  pthread_mutex_unlock(&plain);
  return failures;
}

/* CHECK-NOT: fearless:
*/
