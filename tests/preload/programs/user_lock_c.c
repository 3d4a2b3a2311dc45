/* A ticket lock of one's own, in C, annotated with fearless/user_lock.h
 * and built without fearless (FEARLESS_USER_LOCK_WEAK): under fearless-run
 * its inversion is reported like a pthread mutex's, with the classes its
 * FEARLESS_LOCK_INIT lines give. */
#include "fearless/user_lock.h"

#include <pthread.h>
#include <sched.h>
#include <stddef.h>

typedef struct {
  _Atomic unsigned next, serving;
} ticket_lock;

static void ticket_init(ticket_lock *l) {
  l->next = l->serving = 0;
}

static void ticket_lock_acquire(ticket_lock *l) {
  fearless_lock_acquire(l, 0);
  unsigned mine = l->next++;
  while (l->serving != mine)
    sched_yield();
  fearless_lock_acquired(l, 0);
}

static void ticket_lock_release(ticket_lock *l) {
  fearless_lock_release(l, 0);
  l->serving++;
}

static ticket_lock jobs, results;

static void *scheduler(void *arg) {
  (void)arg;
  ticket_lock_acquire(&jobs);
  ticket_lock_acquire(&results);
  ticket_lock_release(&results);
  ticket_lock_release(&jobs);
  return NULL;
}

static void *collector(void *arg) {
  (void)arg;
  ticket_lock_acquire(&results);
  ticket_lock_acquire(&jobs); /* the inversion */
  ticket_lock_release(&jobs);
  ticket_lock_release(&results);
  return NULL;
}

int main(void) {
  pthread_t t;
  ticket_init(&jobs);
  FEARLESS_LOCK_INIT(&jobs);
  ticket_init(&results);
  FEARLESS_LOCK_INIT(&results);
  pthread_create(&t, NULL, scheduler, NULL);
  pthread_join(t, NULL);
  pthread_create(&t, NULL, collector, NULL);
  pthread_join(t, NULL);
  fearless_lock_destroy(&jobs);
  fearless_lock_destroy(&results);
  return 0;
}

/* CHECK: fearless: possible deadlock (lock-order inversion)
   CHECK-NEXT: thread '{{.*}}' is trying to acquire 'user_lock_c.c:55' (exclusive)
   CHECK-NEXT: while already holding 'user_lock_c.c:57' (exclusive)
   CHECK: *** DEADLOCK ***
   CHECK-NOT: fearless:
   UNTRACKED-NOT: fearless:
*/
