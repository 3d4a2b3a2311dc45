/* A consumer waits on a condition variable that nobody will signal: the
 * only other thread waits for it to finish. Every thread is blocked; the
 * watchdog reports it. */
#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nonempty = PTHREAD_COND_INITIALIZER;
static int items = 0;

static void *consumer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  while (items == 0)
    pthread_cond_wait(&nonempty, &mu); /* the producer never came */
  pthread_mutex_unlock(&mu);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_create(&t, NULL, consumer, NULL);
  pthread_join(t, NULL);
  return 0;
}

/* CHECK: fearless: deadlock
   CHECK-NEXT: every thread is blocked
   CHECK-DAG: waits for a condvar notification
   CHECK-DAG: waits for the end of a thread
   CHECK: every thread of the process is blocked and none can proceed
   CHECK: #0 consumer at {{.*}}condvar_deadlock.c:15
*/
