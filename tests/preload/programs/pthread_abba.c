/* A C program with pthread mutexes: a mutex's class is the line of its
 * pthread_mutex_init (here two lines), or, for a statically initialised
 * one, the line that first locks it. Two threads, one after the other,
 * take them in opposite orders: reported, and the program finishes. */
#include <pthread.h>
#include <stddef.h>

static pthread_mutex_t queue_lock;
static pthread_mutex_t stats_lock;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void *producer(void *arg) {
  (void)arg;
  pthread_mutex_lock(&queue_lock);
  pthread_mutex_lock(&stats_lock);
  pthread_mutex_unlock(&stats_lock);
  pthread_mutex_unlock(&queue_lock);
  return NULL;
}

static void *reporter(void *arg) {
  (void)arg;
  pthread_mutex_lock(&stats_lock);
  pthread_mutex_lock(&queue_lock); /* the inversion */
  pthread_mutex_unlock(&queue_lock);
  pthread_mutex_unlock(&stats_lock);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_mutex_init(&queue_lock, NULL);
  pthread_mutex_init(&stats_lock, NULL);
  pthread_mutex_lock(&log_lock);
  pthread_mutex_unlock(&log_lock);
  pthread_create(&t, NULL, producer, NULL);
  pthread_join(t, NULL);
  pthread_create(&t, NULL, reporter, NULL);
  pthread_join(t, NULL);
  pthread_mutex_destroy(&stats_lock);
  pthread_mutex_destroy(&queue_lock);
  return 0;
}

/* CHECK: fearless: possible deadlock (lock-order inversion)
   CHECK-NEXT: thread '{{.*}}' is trying to acquire 'pthread_abba.c:32:{{[0-9]+}}' (exclusive)
   CHECK-NEXT: while already holding 'pthread_abba.c:33:{{[0-9]+}}' (exclusive), acquired at reporter at {{.*}}pthread_abba.c:23
   CHECK: this acquisition of 'pthread_abba.c:32:{{[0-9]+}}':
   CHECK-NEXT: #0 reporter at {{.*}}pthread_abba.c:24
   CHECK: *** DEADLOCK ***
   CHECK-NOT: fearless:
*/
