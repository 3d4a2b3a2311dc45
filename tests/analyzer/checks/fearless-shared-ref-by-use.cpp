// RUN: %check_fearless_tidy %s fearless-shared-ref %t
//
// Send/Sync decided by use (docs/checks/shared-ref.md): threads that only
// read what they share need it Sync, not thread-safe; data written by one
// thread and published by a release store is read safely after an acquire
// load. Each correct case beside the bug next to it.

#include <atomic>
#include <thread>
#include <vector>

struct Stats { int count = 0; std::vector<int> samples; };

// Fork-join: both threads only read the shared state.
int sum_both(const std::vector<int> &in) {
  Stats s;
  s.samples = in;
  int a = 0, b = 0;
  std::thread t1([&] { for (int x : s.samples) a += x; });
  std::thread t2([&] { b = static_cast<int>(s.samples.size()) + s.count; });
  t1.join();
  t2.join();
  return a + b;
}

// Two threads write the same object: a data race.
int count_both() {
  Stats s;
  std::thread t1([&] { s.count++; });
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 's' is captured by reference into a thread started by 'std::thread' but 'Stats' is not thread-safe [fearless-shared-ref]
  std::thread t2([&] { s.count++; });
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: 's' is captured by reference into a thread started by 'std::thread' but 'Stats' is not thread-safe [fearless-shared-ref]
  t1.join();
  t2.join();
  return s.count;
}

// One reader while the spawner writes: a race.
int read_while_writing() {
  Stats s;
  std::thread t([&] { (void)s.count; });
  // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: 's' is captured by reference into a thread started by 'std::thread' but 'Stats' is not thread-safe [fearless-shared-ref]
  s.count = 2;
  t.join();
  return s.count;
}

// Readers started in a loop, the spawner only reads too.
int readers_in_loop() {
  Stats s;
  s.count = 3;
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&] { (void)s.count; });
  (void)s.count;
  for (auto &t : ts)
    t.join();
  return s.count;
}

// A type with a mutable cache is not Sync: readers still race.
struct Cached {
  mutable int hits = 0;
  int get() const { return ++hits; }
};
int cached_readers() {
  Cached c;
  std::thread t1([&] { (void)c.get(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: 'c' is captured by reference into a thread started by 'std::thread' but 'Cached' is not thread-safe [fearless-shared-ref]
  std::thread t2([&] { (void)c.get(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: 'c' is captured by reference into a thread started by 'std::thread' but 'Cached' is not thread-safe [fearless-shared-ref]
  t1.join();
  t2.join();
  return c.hits;
}

// Published by a release store, read after an acquire load.
int publish() {
  Stats s;
  std::atomic<bool> ready{false};
  std::thread w([&] {
    s.count = 1;
    ready.store(true, std::memory_order_release);
  });
  std::thread r([&] {
    while (!ready.load(std::memory_order_acquire)) {
    }
    (void)s.count;
  });
  w.join();
  r.join();
  return s.count;
}

// The same with a relaxed load: nothing orders the read after the write.
int publish_relaxed() {
  Stats s;
  std::atomic<bool> ready{false};
  std::thread w([&] {
    s.count = 1;
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 's' is captured by reference into a thread started by 'std::thread' but 'Stats' is not thread-safe [fearless-shared-ref]
    ready.store(true, std::memory_order_release);
  });
  std::thread r([&] {
    while (!ready.load(std::memory_order_relaxed)) {
    }
    (void)s.count;
    // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 's' is captured by reference into a thread started by 'std::thread' but 'Stats' is not thread-safe [fearless-shared-ref]
  });
  w.join();
  r.join();
  return s.count;
}

// A heap object the new thread owns and deletes: ownership moves (Send),
// nothing is shared.
#include <pthread.h>
struct Meta { int id; };
void *owner(void *p) {
  Meta *m = static_cast<Meta *>(p);
  int id = m->id;
  delete m;
  return reinterpret_cast<void *>(static_cast<long>(id));
}
void run_meta(void *p) { owner(p); }
void start_owned(std::vector<std::thread> &ts) {
  ts.emplace_back(&run_meta, new Meta{1});
}
void start_pthread_owned() {
  pthread_t t;
  Meta *m = new Meta{2};
  if (pthread_create(&t, nullptr, &owner, m) != 0)
    delete m; // the thread never started: still ours
  else
    pthread_detach(t);
}
// The spawner keeps using it after the spawn: shared.
void start_pthread_shared() {
  pthread_t t;
  Meta *m = new Meta{3};
  pthread_create(&t, nullptr, &owner, m);
  // CHECK-MESSAGES: :[[@LINE-1]]:39: warning: 'm' is passed by pointer into a thread started by 'pthread_create' but 'Meta' is not thread-safe [fearless-shared-ref]
  m->id = 4;
  pthread_detach(t);
}
