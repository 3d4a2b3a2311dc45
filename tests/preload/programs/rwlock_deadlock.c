/* A real deadlock through reader-writer locks: one thread holds `index`
 * for writing and wants to read `table`; the other holds `table` for
 * writing and wants `index`. Reported instead of hanging. */
#include <pthread.h>
#include <sched.h>
#include <stddef.h>

static pthread_rwlock_t index_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static volatile int holding = 0;
static pthread_mutex_t count = PTHREAD_MUTEX_INITIALIZER;

static void both_hold(void) {
  pthread_mutex_lock(&count);
  ++holding;
  pthread_mutex_unlock(&count);
  while (holding < 2)
    sched_yield();
}

static void *indexer(void *arg) {
  (void)arg;
  pthread_rwlock_wrlock(&index_lock);
  both_hold();
  pthread_rwlock_rdlock(&table_lock);
  return NULL;
}

static void *compactor(void *arg) {
  (void)arg;
  pthread_rwlock_wrlock(&table_lock);
  both_hold();
  pthread_rwlock_wrlock(&index_lock);
  return NULL;
}

int main(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, indexer, NULL);
  pthread_create(&b, NULL, compactor, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  return 0;
}

/* The inversion comes first, as the second thread asks; then the deadlock,
   from whichever thread blocks last (the other one's line names where it
   blocked).
   CHECK: fearless: possible deadlock (lock-order inversion)
   CHECK: fearless: deadlock
   CHECK-NEXT: threads wait for each other's locks
   CHECK-DAG: waits for 'rwlock_deadlock.c:31:{{[0-9]+}}' (shared){{.*}}, held by thread
   CHECK-DAG: waits for 'rwlock_deadlock.c:23:{{[0-9]+}}' (exclusive){{.*}}, held by thread
   CHECK: #0 {{indexer at .*rwlock_deadlock.c:25|compactor at .*rwlock_deadlock.c:33}}
*/
