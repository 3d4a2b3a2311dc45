/* Misuse of pthread mutexes in a C program, one case per argument; each
 * run checks its own prefix. The program goes on after each report (glibc
 * lets it), except a double lock, which would hang: that run aborts
 * (FEARLESS_ON_DEADLOCK=abort). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *lock_and_leave(void *arg) {
  (void)arg;
  pthread_mutex_lock(&m); /* and returns holding it */
  return NULL;
}

static void *unlock_it(void *arg) {
  (void)arg;
  pthread_mutex_unlock(&m);
  return NULL;
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  pthread_t t;
  if (strcmp(what, "double-lock") == 0) {
    pthread_mutex_lock(&m);
    pthread_mutex_lock(&m);
  } else if (strcmp(what, "unlock-unheld") == 0) {
    pthread_mutex_lock(&m);
    pthread_mutex_unlock(&m);
    pthread_mutex_unlock(&m);
  } else if (strcmp(what, "foreign-unlock") == 0) {
    pthread_mutex_lock(&m);
    pthread_create(&t, NULL, unlock_it, NULL);
    pthread_join(t, NULL);
  } else if (strcmp(what, "destroy-held") == 0) {
    pthread_mutex_t d;
    pthread_mutex_init(&d, NULL);
    pthread_mutex_lock(&d);
    int rc = pthread_mutex_destroy(&d); /* glibc: EBUSY */
    pthread_mutex_unlock(&d);           /* reported once: not again here */
    pthread_mutex_destroy(&d);
    return rc == EBUSY ? 0 : 1;
  } else if (strcmp(what, "exit-holding") == 0) {
    pthread_create(&t, NULL, lock_and_leave, NULL);
    pthread_join(t, NULL);
  }
  return 0;
}

/* DOUBLE: fearless: misuse: double lock
   DOUBLE-NEXT: the thread already holds this lock and would wait for itself forever
   DOUBLE-NEXT: locks held by this thread:
   DOUBLE-NEXT: 'misuse.c:28:{{[0-9]+}}' acquired at main at {{.*}}misuse.c:28
   DOUBLE-NEXT: stack:
   DOUBLE-NEXT: #0 main at {{.*}}misuse.c:29

   UNHELD: fearless: misuse: unlock of a lock that is not held
   UNHELD-NEXT: 'misuse.c:31:{{[0-9]+}}' is not locked by this thread (double unlock?)
   UNHELD: #0 main at {{.*}}misuse.c:33
   UNHELD-NOT: fearless:

   FOREIGN: fearless: misuse: lock released by a thread that does not hold it
   FOREIGN-NEXT: thread 'main' locked it, acquired at main at {{.*}}misuse.c:35
   FOREIGN: #0 unlock_it at {{.*}}misuse.c:20
   FOREIGN-NOT: fearless:

   DESTROY: fearless: misuse: destroying a locked lock
   DESTROY-NEXT: 'misuse.c:40:{{[0-9]+}}' is still held by thread 'main' (exclusive), acquired at main at {{.*}}misuse.c:41
   DESTROY: #0 main at {{.*}}misuse.c:42
   DESTROY-NOT: fearless:

   EXIT: fearless: misuse: thread exited while holding locks
   EXIT-NEXT: the locks stay locked forever:
   EXIT-NEXT: 'misuse.c:14:{{[0-9]+}}' acquired at lock_and_leave at {{.*}}misuse.c:14
   EXIT-NOT: fearless:
*/
