// Linux lockdep's self-test scenarios (lib/locking-selftest.c) through the
// standard library's locks, for lockdep_matrix.py:
//
//   lockdep_matrix PAIRS HELD TAKEN
//
// PAIRS in lockdep's notation ("ABBA": a thread holds A and takes B, then
// another holds B and takes A), each pair on a thread of its own, one
// after the other; HELD and TAKEN are w (exclusive) or r (shared). "w w"
// uses std::mutex, the others std::shared_mutex. Nothing from fearless.
#include <cstdio>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <thread>

namespace {

std::mutex mutexes[6];
std::shared_mutex rwlocks[6];

// A lock's class is the line that first takes it: one line each.
void give_classes() {
  mutexes[0].lock(); mutexes[0].unlock();
  mutexes[1].lock(); mutexes[1].unlock();
  mutexes[2].lock(); mutexes[2].unlock();
  mutexes[3].lock(); mutexes[3].unlock();
  mutexes[4].lock(); mutexes[4].unlock();
  mutexes[5].lock(); mutexes[5].unlock();
  rwlocks[0].lock(); rwlocks[0].unlock();
  rwlocks[1].lock(); rwlocks[1].unlock();
  rwlocks[2].lock(); rwlocks[2].unlock();
  rwlocks[3].lock(); rwlocks[3].unlock();
  rwlocks[4].lock(); rwlocks[4].unlock();
  rwlocks[5].lock(); rwlocks[5].unlock();
}

void take(int i, bool shared, bool use_mutex) {
  if (use_mutex)
    mutexes[i].lock();
  else if (shared)
    rwlocks[i].lock_shared();
  else
    rwlocks[i].lock();
}

void drop(int i, bool shared, bool use_mutex) {
  if (use_mutex)
    mutexes[i].unlock();
  else if (shared)
    rwlocks[i].unlock_shared();
  else
    rwlocks[i].unlock();
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 4 || std::strlen(argv[1]) % 2 != 0) {
    std::fprintf(stderr, "usage: lockdep_matrix PAIRS w|r w|r\n");
    return 2;
  }
  const char *pairs = argv[1];
  bool held_shared = argv[2][0] == 'r', taken_shared = argv[3][0] == 'r';
  bool use_mutex = !held_shared && !taken_shared;
  give_classes();
  for (std::size_t i = 0; pairs[i] != '\0'; i += 2) {
    int a = pairs[i] - 'A', b = pairs[i + 1] - 'A';
    std::thread([=] {
      take(a, held_shared, use_mutex);
      take(b, taken_shared, use_mutex);
      drop(b, taken_shared, use_mutex);
      drop(a, held_shared, use_mutex);
    }).join();
  }
  return 0;
}
