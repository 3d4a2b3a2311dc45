// The runtime primitives carry Clang's thread-safety attributes, so
// -Wthread-safety checks code that uses them: each `expected-warning` must
// appear on its line, and no other diagnostic may (correct use below gives
// none, including none from inside the fearless headers).
// Run by ctest as: clang++ -fsyntax-only -Xclang -verify -Wthread-safety ...
#include "fearless/condvar.h"
#include "fearless/mutex.h"
#include "fearless/rwlock.h"

#include <vector>

fearless::Mutex<int> mu;
fearless::RwLock<std::vector<int>> table;
fearless::Condvar cv;

void bump() FEARLESS_REQUIRES(mu);
int peek() FEARLESS_REQUIRES_SHARED(table);
void rebuild() FEARLESS_REQUIRES(table);

// --- correct use: no warnings -------------------------------------------
void guard_in_scope() {
  auto g = mu.lock();
  *g += 1;
  bump();
}

void temporary_guard() { *mu.lock() += 1; }

void poisoned_access() {
  auto g = mu.lock(fearless::ignore_poison);
  bump();
}

void with_lock_ok() {
  mu.with_lock([](int &v) { ++v; });
}

void wait_keeps_lock() {
  auto g = mu.lock();
  cv.wait_while(g, [](int &v) { return v == 0; });
  bump();
}

void read_then_write() {
  {
    auto r = table.read();
    (void)peek();
  }
  auto w = table.write();
  rebuild();
  (void)peek();
}

void try_lock_is_invisible_but_silent() {
  // Clang cannot follow a guard in std::optional: no warning either way.
  if (auto g = mu.try_lock())
    **g += 1;
}

// --- misuse: warned -----------------------------------------------------
void requires_without_lock() {
  bump(); // expected-warning {{calling function 'bump' requires holding mutex 'mu' exclusively}}
}

void after_guard_scope() {
  { auto g = mu.lock(); }
  bump(); // expected-warning {{calling function 'bump' requires holding mutex 'mu' exclusively}}
}

void double_lock() {
  auto a = mu.lock();
  auto b = mu.lock(); // expected-warning {{acquiring mutex 'mu' that is already held}}
  // expected-note@-2 {{mutex acquired here}}
}

void with_lock_while_held() {
  auto g = mu.lock();
  mu.with_lock([](int &) {}); // expected-warning {{cannot call function 'with_lock' while mutex 'mu' is held}}
}

void write_needs_exclusive() {
  auto r = table.read();
  rebuild(); // expected-warning {{calling function 'rebuild' requires holding mutex 'table' exclusively}}
}

void read_needs_some_lock() {
  (void)peek(); // expected-warning {{calling function 'peek' requires holding mutex 'table'}}
}

void write_while_reading() {
  auto r = table.read();
  auto w = table.write(); // expected-warning {{acquiring mutex 'table' that is already held}}
  // expected-note@-2 {{mutex acquired here}}
}
