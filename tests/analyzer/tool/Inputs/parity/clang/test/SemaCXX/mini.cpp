// A stand-in for Clang's thread-safety tests: parity.py reads this RUN line.
// RUN: %clang_cc1 -fsyntax-only -verify -std=c++17 -Wthread-safety -fcxx-exceptions %s
#define GUARDED_BY(x) __attribute__((guarded_by(x)))

struct __attribute__((capability("mutex"))) Mu {
  void lock() __attribute__((acquire_capability()));
  void unlock() __attribute__((release_capability()));
};
struct Vec {
  int *begin();
  int *end();
};

Mu mu;
int x GUARDED_BY(mu);
Vec v GUARDED_BY(mu);

void unguarded() { x = 1; }
void guarded() {
  mu.lock();
  x = 2;
  mu.unlock();
}
void leaks() { mu.lock(); }
void range() {
  for (int i : v) // reported twice by Clang (begin and end), once by clang-tidy
    (void)i;
}
