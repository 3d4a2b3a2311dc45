// RUN: %check_fearless_tidy %s fearless-send,fearless-shared-ref %t
// RUN: %check_fearless_tidy -check-suffix=DECLARED %s fearless-send,fearless-shared-ref %t \
// RUN:   --config="{CheckOptions: {ThreadSafeTypes: '::vendor::ConcurrentMap', NotSendTypes: '::vendor::UiHandle', SendTypes: 'vendor::RawBuffer', NotSyncTypes: '::vendor::Counter'}}"

// Third-party types the user cannot annotate, declared in the options
// instead (docs/rules.md: "Types you cannot annotate").
#include <thread>

namespace vendor {
// Locks inside, but nothing the analyzer can see says so.
template <class K, class V> class ConcurrentMap {
public:
  void insert(K k, V v);
  V *find(K k);

private:
  int size_ = 0;
};
// Bound to the thread that made it (a GUI handle).
struct UiHandle {
  int id = 0;
};
// Owns memory through a raw pointer that it never shares.
struct RawBuffer {
  int *data = nullptr;
};
// Plain counters, documented as not thread-safe.
struct Counter {
  const int limit = 10;
};
} // namespace vendor

void share_map() {
  vendor::ConcurrentMap<int, int> map;
  std::thread a([&map] { map.insert(1, 2); });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'map' is captured by reference into a thread started by 'std::thread' but 'vendor::ConcurrentMap<int, int>' is not thread-safe [fearless-shared-ref]
  map.insert(3, 4);
  a.join();
}

void move_handle() {
  vendor::UiHandle h;
  std::thread t([h] { (void)h.id; });
  // CHECK-MESSAGES-DECLARED: :[[@LINE-1]]:18: warning: 'h' is captured by copy into a thread started by 'std::thread' but 'vendor::UiHandle' is not Send [fearless-send]
  t.join();
}

void move_buffer() {
  vendor::RawBuffer b;
  std::thread t([b] { (void)b.data; });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'b' is captured by copy into a thread started by 'std::thread' but 'vendor::RawBuffer' is not Send [fearless-send]
  t.join();
}

void share_counter() {
  const vendor::Counter c;
  std::thread t([&c] { (void)c.limit; });
  // CHECK-MESSAGES-DECLARED: :[[@LINE-1]]:19: warning: 'c' is captured by reference into a thread started by 'std::thread' but 'vendor::Counter' is not Sync [fearless-shared-ref]
  (void)c.limit;
  t.join();
}
