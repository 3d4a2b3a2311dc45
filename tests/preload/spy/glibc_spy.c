/* Loaded after libfearless-preload.so (LD_PRELOAD="preload glibc_spy"), this
 * is what the preload finds as glibc's pthread_mutex_lock, trylock and
 * unlock (dlsym RTLD_NEXT): each passes the call on to glibc and counts it,
 * per thread. programs/glibc_mutex.cpp asks for the count
 * (spy_glibc_mutex_calls) to see which calls the preload made itself. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>

static __thread unsigned long calls
    __attribute__((tls_model("initial-exec")));

unsigned long spy_glibc_mutex_calls(void) { return calls; }

#define SPY(name)                                                              \
  int name(pthread_mutex_t *m) {                                              \
    static int (*next)(pthread_mutex_t *);                                     \
    int (*f)(pthread_mutex_t *) = __atomic_load_n(&next, __ATOMIC_ACQUIRE);   \
    if (!f) {                                                                  \
      f = (int (*)(pthread_mutex_t *))dlsym(RTLD_NEXT, #name);                 \
      __atomic_store_n(&next, f, __ATOMIC_RELEASE);                            \
    }                                                                          \
    ++calls;                                                                   \
    return f(m);                                                               \
  }

SPY(pthread_mutex_lock)
SPY(pthread_mutex_trylock)
SPY(pthread_mutex_unlock)
