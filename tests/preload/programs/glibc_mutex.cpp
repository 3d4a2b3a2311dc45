// The preload locks and unlocks a normal mutex itself, as glibc does it
// (runtime-checker/preload/locks.cpp), so everything else that touches the
// mutex must find it as glibc would have left it: glibc's own functions
// (called here directly, past the preload), a condvar wait (which unlocks
// and re-locks inside glibc), a waiter asleep in glibc (woken by the
// preload's unlock), glibc's destroy (which counts users), a fork's child
// (a new thread id), and the kinds the preload leaves to glibc. A plain
// program: nothing from fearless. Each failed check is printed and the
// exit status is their number; a waiter never woken is a hang, which the
// test's time limit fails. It runs bare too: its expectations are glibc's.
//
//   glibc_mutex            the checks
//   glibc_mutex count      under fearless-run with glibc_spy.so loaded
//                          after the preload: an uncontended normal mutex
//                          never reaches glibc, a recursive one always does
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <dlfcn.h>
#include <mutex>
#include <pthread.h>
#include <sys/wait.h>
#include <thread>
#include <time.h>
#include <unistd.h>
#include <vector>

static int failures = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "glibc_mutex.cpp:%d: check failed: %s\n",           \
                   __LINE__, #cond);                                           \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

#if defined(__x86_64__) && defined(__GLIBC__)

// glibc's own functions, not the preload's: libc.so.6's definitions.
struct Glibc {
  int (*lock)(pthread_mutex_t *);
  int (*trylock)(pthread_mutex_t *);
  int (*unlock)(pthread_mutex_t *);
};

static Glibc glibc() {
  void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
  if (!libc) {
    std::fprintf(stderr, "glibc_mutex: no libc.so.6: %s\n", dlerror());
    std::_Exit(100);
  }
  Glibc g;
  g.lock = reinterpret_cast<int (*)(pthread_mutex_t *)>(
      dlsym(libc, "pthread_mutex_lock"));
  g.trylock = reinterpret_cast<int (*)(pthread_mutex_t *)>(
      dlsym(libc, "pthread_mutex_trylock"));
  g.unlock = reinterpret_cast<int (*)(pthread_mutex_t *)>(
      dlsym(libc, "pthread_mutex_unlock"));
  return g;
}

static const Glibc real = glibc();

// The fields glibc keeps for a normal mutex: the lock word (0 free, 1
// taken, 2 taken with waiters), the owner's thread id, the user count.
static bool free_mutex(const pthread_mutex_t &m) {
  return m.__data.__lock == 0 && m.__data.__owner == 0 &&
         m.__data.__nusers == 0;
}

static bool held_by(const pthread_mutex_t &m, pid_t tid) {
  return (m.__data.__lock == 1 || m.__data.__lock == 2) &&
         m.__data.__owner == tid && m.__data.__nusers == 1;
}

// Waits (a bounded while) until `m` has a waiter asleep in glibc.
static bool has_waiter(const pthread_mutex_t &m) {
  for (int i = 0; i < 5000; ++i) {
    if (__atomic_load_n(&m.__data.__lock, __ATOMIC_ACQUIRE) == 2)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

static struct timespec in_ms(int ms) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  t.tv_nsec += long(ms) * 1000000;
  t.tv_sec += t.tv_nsec / 1000000000;
  t.tv_nsec %= 1000000000;
  return t;
}

// Locked and unlocked at one place: the fork's child takes it there again.
static pthread_mutex_t forked = PTHREAD_MUTEX_INITIALIZER;
static void lock_check_unlock(pthread_mutex_t *m) {
  CHECK(pthread_mutex_lock(m) == 0);
  CHECK(held_by(*m, gettid()));
  CHECK(pthread_mutex_unlock(m) == 0);
  CHECK(free_mutex(*m));
}

static void normal_lock_and_unlock() {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  for (int i = 0; i < 3; ++i) {
    CHECK(pthread_mutex_lock(&m) == 0);
    CHECK(held_by(m, gettid()));
    CHECK(m.__data.__kind == 0 && m.__data.__count == 0);
    CHECK(real.trylock(&m) == EBUSY); // glibc sees it taken
    CHECK(pthread_mutex_unlock(&m) == 0);
    CHECK(free_mutex(m));
  }
  CHECK(pthread_mutex_destroy(&m) == 0); // glibc: EBUSY unless no users

  // A mutex glibc locked, unlocked through the interposer, and back.
  pthread_mutex_t n = PTHREAD_MUTEX_INITIALIZER;
  CHECK(pthread_mutex_lock(&n) == 0);
  CHECK(pthread_mutex_unlock(&n) == 0);
  CHECK(real.lock(&n) == 0);
  CHECK(held_by(n, gettid()));
  CHECK(real.unlock(&n) == 0);
  CHECK(free_mutex(n));
  CHECK(pthread_mutex_destroy(&n) == 0);
}

static void fork_child_is_its_own_owner() {
  lock_check_unlock(&forked);
  pid_t parent = gettid();
  pid_t child = fork();
  if (child == 0) {
    // A new thread id: __owner is the child's, as glibc's would be.
    CHECK(gettid() != parent);
    lock_check_unlock(&forked);
    std::_Exit(failures);
  }
  int status = 0;
  CHECK(child > 0 && waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void trylock() {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  CHECK(pthread_mutex_trylock(&m) == 0);
  CHECK(held_by(m, gettid()));
  CHECK(pthread_mutex_trylock(&m) == EBUSY); // a normal mutex: no relock
  std::thread([&] { CHECK(pthread_mutex_trylock(&m) == EBUSY); }).join();
  CHECK(real.trylock(&m) == EBUSY);
  CHECK(pthread_mutex_unlock(&m) == 0);
  CHECK(free_mutex(m));
  CHECK(real.trylock(&m) == 0); // glibc takes what the unlock left
  CHECK(held_by(m, gettid()));
  CHECK(pthread_mutex_trylock(&m) == EBUSY);
  CHECK(real.unlock(&m) == 0);
  CHECK(free_mutex(m));
  CHECK(pthread_mutex_destroy(&m) == 0);
}

// A thread asleep in glibc's lock is woken by the interposer's unlock
// (the lock word is 2: the unlock must FUTEX_WAKE), and glibc's lock then
// finds __owner reset (it asserts that) and counts its user.
static void glibc_waiter_woken() {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  CHECK(pthread_mutex_lock(&m) == 0);
  std::thread waiter([&] {
    CHECK(real.lock(&m) == 0);
    CHECK(held_by(m, gettid()));
    CHECK(real.unlock(&m) == 0);
  });
  CHECK(has_waiter(m));
  CHECK(pthread_mutex_unlock(&m) == 0);
  waiter.join();
  CHECK(free_mutex(m));
  CHECK(pthread_mutex_destroy(&m) == 0);
}

// The other way round: the interposer's lock waits (in glibc) for a holder
// that glibc's own lock made, and its unlock then releases glibc's way.
static void waits_for_glibc_holder() {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  std::atomic<bool> held{false};
  std::thread holder([&] {
    CHECK(real.lock(&m) == 0);
    held = true;
    CHECK(has_waiter(m));
    CHECK(real.unlock(&m) == 0);
  });
  while (!held)
    std::this_thread::yield();
  CHECK(pthread_mutex_lock(&m) == 0);
  CHECK(held_by(m, gettid()));
  CHECK(pthread_mutex_unlock(&m) == 0);
  holder.join();
  CHECK(free_mutex(m));
  CHECK(pthread_mutex_destroy(&m) == 0);
}

// A condvar wait unlocks and re-locks inside glibc, which keeps the user
// count and sets the owner: the interposer's unlock after it balances.
static void condvar_waits() {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t c = PTHREAD_COND_INITIALIZER;
  CHECK(pthread_mutex_lock(&m) == 0);
  struct timespec soon = in_ms(1);
  CHECK(pthread_cond_timedwait(&c, &m, &soon) == ETIMEDOUT);
  CHECK(held_by(m, gettid()));
  CHECK(pthread_mutex_unlock(&m) == 0);
  CHECK(free_mutex(m));

  bool flag = false;
  CHECK(pthread_mutex_lock(&m) == 0);
  std::thread signaller([&] {
    CHECK(pthread_mutex_lock(&m) == 0);
    flag = true;
    CHECK(pthread_cond_signal(&c) == 0);
    CHECK(pthread_mutex_unlock(&m) == 0);
  });
  while (!flag)
    CHECK(pthread_cond_wait(&c, &m) == 0);
  CHECK(held_by(m, gettid()));
  CHECK(pthread_mutex_unlock(&m) == 0);
  signaller.join();
  CHECK(free_mutex(m));
  CHECK(pthread_cond_destroy(&c) == 0);
  CHECK(pthread_mutex_destroy(&m) == 0);
}

// The kinds the preload leaves to glibc keep glibc's answers.
static void errorcheck_and_recursive() {
  pthread_mutex_t e = PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP;
  CHECK(pthread_mutex_lock(&e) == 0);
  CHECK(pthread_mutex_lock(&e) == EDEADLK);
  CHECK(pthread_mutex_trylock(&e) == EBUSY);
  std::thread([&] {
    CHECK(pthread_mutex_unlock(&e) == EPERM);
    CHECK(pthread_mutex_trylock(&e) == EBUSY);
  }).join();
  CHECK(held_by(e, gettid()));
  CHECK(pthread_mutex_unlock(&e) == 0);
  CHECK(free_mutex(e));
  CHECK(pthread_mutex_unlock(&e) == EPERM);
  CHECK(pthread_mutex_destroy(&e) == 0);

  pthread_mutex_t r = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
  CHECK(pthread_mutex_lock(&r) == 0);
  CHECK(pthread_mutex_lock(&r) == 0);
  CHECK(pthread_mutex_lock(&r) == 0);
  CHECK(pthread_mutex_trylock(&r) == 0);
  CHECK(r.__data.__count == 4 && held_by(r, gettid()));
  std::thread([&] {
    CHECK(pthread_mutex_trylock(&r) == EBUSY);
    CHECK(pthread_mutex_unlock(&r) == EPERM);
  }).join();
  for (int i = 0; i < 4; ++i)
    CHECK(pthread_mutex_unlock(&r) == 0);
  CHECK(free_mutex(r) && r.__data.__count == 0);
  CHECK(pthread_mutex_unlock(&r) == EPERM);
  CHECK(pthread_mutex_destroy(&r) == 0);
}

// Threads contend on std::mutex, and hand items over a small queue with
// std::condition_variable waits on both sides: every count comes out
// exact, and the mutexes end free.
static void contention_counts() {
  std::mutex counter_mu;
  long counter = 0;
  constexpr int kThreads = 4, kIncrements = 50000;
  std::vector<std::thread> ts;
  for (int i = 0; i < kThreads; ++i)
    ts.emplace_back([&] {
      for (int j = 0; j < kIncrements; ++j) {
        std::lock_guard<std::mutex> g(counter_mu);
        ++counter;
      }
    });
  for (auto &t : ts)
    t.join();
  CHECK(counter == long(kThreads) * kIncrements);
  CHECK(free_mutex(*counter_mu.native_handle()));

  std::mutex q_mu;
  std::condition_variable not_empty, not_full;
  std::deque<long> queue;
  constexpr int kProducers = 2, kConsumers = 2, kItems = 20000;
  constexpr std::size_t kCapacity = 4;
  long consumed = 0, sum = 0;
  int producers_left = kProducers;
  ts.clear();
  for (int p = 0; p < kProducers; ++p)
    ts.emplace_back([&] {
      for (long i = 1; i <= kItems; ++i) {
        std::unique_lock<std::mutex> l(q_mu);
        not_full.wait(l, [&] { return queue.size() < kCapacity; });
        queue.push_back(i);
        not_empty.notify_one();
      }
      std::lock_guard<std::mutex> g(q_mu);
      if (--producers_left == 0)
        not_empty.notify_all();
    });
  for (int c = 0; c < kConsumers; ++c)
    ts.emplace_back([&] {
      for (;;) {
        std::unique_lock<std::mutex> l(q_mu);
        not_empty.wait(l, [&] { return !queue.empty() || producers_left == 0; });
        if (queue.empty())
          return;
        sum += queue.front();
        queue.pop_front();
        ++consumed;
        not_full.notify_one();
      }
    });
  for (auto &t : ts)
    t.join();
  CHECK(consumed == long(kProducers) * kItems);
  CHECK(sum == long(kProducers) * kItems * (kItems + 1) / 2);
  CHECK(free_mutex(*q_mu.native_handle()));
}

// Under fearless-run with glibc_spy.so after the preload: the spy is what
// the preload calls as glibc's function, and counts this thread's calls.
static void count_glibc_calls() {
  auto calls = reinterpret_cast<unsigned long (*)()>(
      dlsym(RTLD_DEFAULT, "spy_glibc_mutex_calls"));
  if (!calls) {
    std::fprintf(stderr, "glibc_mutex: glibc_spy.so is not loaded\n");
    ++failures;
    return;
  }
  std::mutex normal;
  pthread_mutex_t recursive = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
  auto round = [&] {
    for (int i = 0; i < 1000; ++i) {
      normal.lock();
      normal.unlock();
      if (normal.try_lock())
        normal.unlock();
    }
  };
  round(); // the first lock at each place is the tracker's slow path
  unsigned long before = calls();
  round();
  CHECK(calls() - before == 0); // the preload's own lock, trylock, unlock
  before = calls();
  for (int i = 0; i < 1000; ++i) {
    pthread_mutex_lock(&recursive);
    pthread_mutex_unlock(&recursive);
  }
  CHECK(calls() - before >= 2000); // glibc's, every one
}

int main(int argc, char **argv) {
  if (argc > 1 && std::strcmp(argv[1], "count") == 0) {
    count_glibc_calls();
    return failures;
  }
  // Before any thread of the program's (glibc's single-thread shortcut,
  // unless the tracker has started its own).
  normal_lock_and_unlock();
  fork_child_is_its_own_owner();
  trylock();
  glibc_waiter_woken();
  waits_for_glibc_holder();
  condvar_waits();
  errorcheck_and_recursive();
  normal_lock_and_unlock(); // with threads now
  contention_counts();
  return failures;
}

#else
int main() { return 0; } // glibc on x86-64 only: the layout checked above
#endif

/* CHECK-NOT: fearless:
   CHECK-NOT: check failed
*/
