// RUN: %check_fearless_tidy %s fearless-static-mut %t
//
// Shared data made safe without a lock (docs/checks/static-mut.md,
// "Publication"): each correct idiom beside the bug next to it.

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

// Filled in main before the first thread starts, only read afterwards.
std::vector<std::string> names;
std::map<int, int> table;
void read_names() {
  for (auto &n : names)
    (void)n.size();
  (void)table.count(1);
}
// Filled by a helper that main calls before starting threads.
std::vector<int> config;
void load_config() { config.push_back(1); }
void read_config() { (void)config.size(); }

// Written again after a thread that reads it started: a race.
std::vector<int> late;
void read_late() { (void)late.size(); }
// CHECK-MESSAGES: :[[@LINE-1]]:26: warning: non-const global 'late' is used from a thread started by 'std::thread' but 'std::vector<int>' is not thread-safe [fearless-static-mut]

// Written in a loop that also starts threads: the second write races.
int round_no;
void read_round() { (void)round_no; }
// CHECK-MESSAGES: :[[@LINE-1]]:27: warning: non-const global 'round_no' is used from a thread started by 'std::thread' but 'int' is not thread-safe [fearless-static-mut]

// A plain struct published by a release store, read after an acquire load.
struct Data { int a; int b; };
Data pub;
std::atomic<bool> ready{false};
void publisher() {
  pub.a = 1;
  pub.b = 2;
  ready.store(true, std::memory_order_release);
}
void consumer() {
  while (!ready.load(std::memory_order_acquire)) {
  }
  (void)(pub.a + pub.b);
}
// The same with a relaxed load: nothing orders the reads after the writes.
Data relaxed_pub;
std::atomic<bool> relaxed_ready{false};
void relaxed_publisher() {
  relaxed_pub.a = 1;
  relaxed_ready.store(true, std::memory_order_release);
}
void relaxed_consumer() {
  while (!relaxed_ready.load(std::memory_order_relaxed)) {
  }
  (void)relaxed_pub.a;
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: non-const global 'relaxed_pub' is used from a thread started by 'std::thread' but 'Data' is not thread-safe [fearless-static-mut]
}
// Read without looking at the flag at all.
void eager_consumer() { (void)pub.b; }
// CHECK-MESSAGES: :[[@LINE-1]]:31: warning: non-const global 'pub' is used from a thread started by 'std::thread' but 'Data' is not thread-safe [fearless-static-mut]

// A table built lazily under std::call_once.
std::once_flag once;
std::map<int, std::string> *lazy;
const std::string &lookup(int k) {
  std::call_once(once, [] { lazy = new std::map<int, std::string>{{1, "a"}}; });
  return (*lazy)[k];
}
// Double-checked locking on a plain pointer: the unlocked read races with
// the write under the lock.
std::mutex dcl_mu;
std::map<int, int> *dcl;
std::map<int, int> &instance() {
  if (!dcl) {
  // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: non-const global 'dcl' is used from a thread started by 'std::thread' but 'std::map<int, int> *' is not thread-safe [fearless-static-mut]
    std::lock_guard<std::mutex> l(dcl_mu);
    if (!dcl)
      dcl = new std::map<int, int>;
  }
  return *dcl;
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: non-const global 'dcl' is used from a thread started by 'std::thread' but 'std::map<int, int> *' is not thread-safe [fearless-static-mut]
}

// A magic static: initialised once, never written.
const char *name_of(bool c) {
  static const char *x = c ? "a" : "b";
  return x;
}
// A static local that is written: a race.
int next_id() {
  static int id = 0;
  return ++id;
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: non-const static 'id' is used from a thread started by 'std::thread' but 'int' is not thread-safe [fearless-static-mut]
}

int main() {
  names.push_back("x");
  table[1] = 2;
  load_config();
  std::thread t1(read_names), t2(read_names), t3(read_config);
  std::thread t4(read_late);
  late.push_back(1);
  for (int i = 0; i < 3; ++i) {
    round_no = i;
    std::thread t(read_round);
    t.detach();
  }
  std::thread p(publisher), c(consumer), e(eager_consumer);
  std::thread rp(relaxed_publisher), rc(relaxed_consumer);
  std::thread l([] { lookup(1); name_of(true); next_id(); (void)instance(); });
  t1.join(); t2.join(); t3.join(); t4.join();
  p.join(); c.join(); e.join(); rp.join(); rc.join(); l.join();
}
