/* pthread spin locks in opposite orders, one thread after the other: the
 * inversion is reported (a spin lock's class is its pthread_spin_init). */
#include <pthread.h>
#include <stddef.h>

static pthread_spinlock_t a, b;

static void *ab(void *arg) {
  (void)arg;
  pthread_spin_lock(&a);
  pthread_spin_lock(&b);
  pthread_spin_unlock(&b);
  pthread_spin_unlock(&a);
  return NULL;
}

static void *ba(void *arg) {
  (void)arg;
  pthread_spin_lock(&b);
  pthread_spin_lock(&a);
  pthread_spin_unlock(&a);
  pthread_spin_unlock(&b);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_spin_init(&a, PTHREAD_PROCESS_PRIVATE);
  pthread_spin_init(&b, PTHREAD_PROCESS_PRIVATE);
  pthread_create(&t, NULL, ab, NULL);
  pthread_join(t, NULL);
  pthread_create(&t, NULL, ba, NULL);
  pthread_join(t, NULL);
  pthread_spin_destroy(&a);
  pthread_spin_destroy(&b);
  return 0;
}

/* CHECK: fearless: possible deadlock (lock-order inversion)
   CHECK-NEXT: thread '{{.*}}' is trying to acquire 'spin_abba.c:28:{{[0-9]+}}' (exclusive)
   CHECK-NEXT: while already holding 'spin_abba.c:29:{{[0-9]+}}' (exclusive), acquired at ba at {{.*}}spin_abba.c:19
   CHECK: *** DEADLOCK ***
   CHECK-NOT: fearless:
*/
