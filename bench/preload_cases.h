// bench/preload_cases.h - pthread lock+unlock loops in a plain program, for
// preload_compare.sh: the same binary runs bare, under fearless-run and
// under Helgrind; preload_tsan_child is the same source built with
// -fsanitize=thread. Nothing from fearless.
//
//   preload_bench_child CASE ITERATIONS
//
// prints "CASE NS" (nanoseconds of the thread's CPU time per lock+unlock,
// the mean over the threads: on a loaded machine wall time mostly measures
// the load).
// Every case first starts and joins a thread: glibc's mutex skips the bus
// lock in a process that never had a second one (docs/runtime/tracker.md).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pthread.h>
#include <thread>
#include <time.h>

namespace preload_bench {

pthread_mutex_t outer = PTHREAD_MUTEX_INITIALIZER;
pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

double cpu_ns() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e9 + double(t.tv_nsec);
}

// One thread's loop: lock+unlock `m`, `n` times; with `nested`, while
// holding `outer` (one lock held: the tracker's depth 1).
double loop(pthread_mutex_t *m, long n, bool nested) {
  if (nested)
    pthread_mutex_lock(&outer);
  double start = cpu_ns();
  for (long i = 0; i < n; ++i) {
    pthread_mutex_lock(m);
    asm volatile("" ::: "memory");
    pthread_mutex_unlock(m);
  }
  double end = cpu_ns();
  if (nested)
    pthread_mutex_unlock(&outer);
  return (end - start) / double(n);
}

int child_main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr,
                 "usage: %s uncontended|nested|two_threads|contended "
                 "ITERATIONS\n",
                 argv[0]);
    return 2;
  }
  const char *what = argv[1];
  long n = std::atol(argv[2]);
  std::thread([] {}).join();
  double ns = 0;
  if (std::strcmp(what, "uncontended") == 0 ||
      std::strcmp(what, "nested") == 0) {
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    ns = loop(&m, n, std::strcmp(what, "nested") == 0);
  } else if (std::strcmp(what, "two_threads") == 0 ||
             std::strcmp(what, "contended") == 0) {
    bool one = std::strcmp(what, "contended") == 0;
    pthread_mutex_t own[2] = {PTHREAD_MUTEX_INITIALIZER,
                              PTHREAD_MUTEX_INITIALIZER};
    double each[2];
    std::thread a(
        [&] { each[0] = loop(one ? &shared_lock : &own[0], n, false); });
    std::thread b(
        [&] { each[1] = loop(one ? &shared_lock : &own[1], n, false); });
    a.join();
    b.join();
    ns = (each[0] + each[1]) / 2;
  } else {
    std::fprintf(stderr, "unknown case '%s'\n", what);
    return 2;
  }
  std::printf("%s %.2f\n", what, ns);
  return 0;
}

} // namespace preload_bench
