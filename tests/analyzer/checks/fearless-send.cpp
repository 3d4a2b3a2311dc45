// RUN: %check_fearless_tidy %s fearless-send %t

#include "fearless/annotations.h"

#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fearless {
template <class F> void spawn(F &&f) {}
template <class T> class Sender {
public:
  void send(T value) {}
};
} // namespace fearless

// An Rc-like type: the reference count is not atomic.
template <class T> class Rc {
  FEARLESS_NOT_SEND;
  FEARLESS_NOT_SYNC;

public:
  Rc() = default;
  T *value_ = nullptr;
  long *count_ = nullptr;
};

// --- Rc sent to another thread (rustc: `Rc<i32>` cannot be sent between
// --- threads safely) -------------------------------------------------------
void rc_moved_into_thread() {
  Rc<int> rc;
  std::thread t([rc = std::move(rc)] { (void)rc; });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'rc' is moved into a thread started by 'std::thread' but 'Rc<int>' is not Send [fearless-send]
  t.join();
}

void rc_captured_by_copy() {
  Rc<int> rc;
  auto f = std::async(std::launch::async, [rc] { (void)rc; });
  // CHECK-MESSAGES: :[[@LINE-1]]:44: warning: 'rc' is captured by copy into a thread started by 'std::async' but 'Rc<int>' is not Send [fearless-send]
  f.get();
}

void rc_passed_as_argument() {
  Rc<int> rc;
  std::jthread t([](Rc<int>) {}, rc);
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: 'rc' is passed into a thread started by 'std::jthread' but 'Rc<int>' is not Send [fearless-send]
}

// Negative: the Arc-like twin, shared_ptr to a thread-safe type.
void arc_of_atomic() {
  auto counter = std::make_shared<std::atomic<int>>(0);
  std::thread t([counter] { ++*counter; });
  t.join();
}

// Negative: shared_ptr<const T> needs only Sync(T).
struct Config {
  std::string name;
  int threads = 1;
};
void shared_const_config() {
  auto cfg = std::make_shared<const Config>();
  std::thread t([cfg] { (void)cfg->threads; });
  t.join();
}

// --- not Send through a member, a container, a shared_ptr ------------------
struct Session {
  Rc<std::string> user;
};
void member_not_send() {
  Session s;
  fearless::spawn([s] { (void)s; });
  // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: 's' is captured by copy into a thread started by 'fearless::spawn' but 'Session' is not Send [fearless-send]
}

void vector_of_rc() {
  std::vector<Rc<int>> v(3);
  std::thread t([v = std::move(v)] { (void)v.size(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'v' is moved into a thread started by 'std::thread' but 'std::vector<Rc<int>>' is not Send [fearless-send]
  t.join();
}

// A Cell-like cache: mutable and unsynchronised, so not Sync, so a
// shared_ptr to it may not cross.
struct Cache {
  int get() const { return ++hits; }
  mutable int hits = 0;
};
struct Job {
  std::shared_ptr<Cache> cache;
};
void shared_ptr_to_unsync() {
  Job job{std::make_shared<Cache>()};
  std::thread t([job] { job.cache->get(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'job' is captured by copy into a thread started by 'std::thread' but 'Job' is not Send [fearless-send]
  t.join();
}

// Negative: the same cache made thread-safe with an atomic.
struct AtomicCache {
  int get() const { return ++hits; }
  mutable std::atomic<int> hits{0};
};
struct AtomicJob {
  std::shared_ptr<AtomicCache> cache;
};
void shared_ptr_to_thread_safe() {
  AtomicJob job{std::make_shared<AtomicCache>()};
  std::thread t([job] { job.cache->get(); });
  t.join();
}

// Negative: a class whose data is guarded by its own mutex is inferred
// thread-safe.
class Counter {
public:
  void add() {
    std::lock_guard<std::mutex> g(mu_);
    ++n_;
  }

private:
  std::mutex mu_;
  int n_ FEARLESS_GUARDED_BY(mu_) = 0;
};
void shared_ptr_to_guarded() {
  auto c = std::make_shared<Counter>();
  std::thread t([c] { c->add(); });
  t.join();
}

// Negative: a queue whose private state every member function touches under
// its mutex, without annotations, is inferred thread-safe (as spdlog's
// mpmc_blocking_queue).
template <class T> class BlockingQueue {
public:
  explicit BlockingQueue(int capacity) { items_.reserve(capacity); }
  void push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    items_.push_back(std::move(item));
    ready_.notify_one();
  }
  T pop() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [this] { return !items_.empty(); });
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }
  std::size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.size();
  }

private:
  std::mutex mu_;
  std::condition_variable ready_;
  std::vector<T> items_;
};
void shared_ptr_to_locked_queue() {
  auto q = std::make_shared<BlockingQueue<int>>(8);
  std::thread t([q] { q->push(1); });
  t.join();
}

// One member function reads the state without the lock: not thread-safe.
template <class T> class LeakyQueue {
public:
  void push(T item) {
    std::lock_guard<std::mutex> lock(mu_);
    items_.push_back(std::move(item));
  }
  std::size_t size() const { return items_.size(); }

private:
  std::mutex mu_;
  std::vector<T> items_;
};
void shared_ptr_to_leaky_queue() {
  auto q = std::make_shared<LeakyQueue<int>>();
  std::thread t([q] { q->push(1); });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'q' is captured by copy into a thread started by 'std::thread' but 'std::shared_ptr<LeakyQueue<int>>' is not Send [fearless-send]
  t.join();
}

// Negative: std::enable_shared_from_this is thread-safe (shared_from_this()
// may be called from any thread); the class's own members decide.
class Service : public std::enable_shared_from_this<Service> {
public:
  void run() { ++runs_; }

private:
  std::atomic<int> runs_{0};
};
void shared_from_this_service() {
  auto s = std::make_shared<Service>();
  std::thread t([s] { s->run(); });
  t.join();
}

// A raw pointer member to unsynchronised data is not Send (Rust: `*mut T`).
struct Buffer {
  int *data;
  int size;
};
void raw_pointer_member(Buffer b) {
  std::thread t([b] { b.data[0] = 1; });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'b' is captured by copy into a thread started by 'std::thread' but 'Buffer' is not Send [fearless-send]
  t.join();
}

// Negative: FEARLESS_UNSAFE_SEND overrides the members.
struct Arena {
  FEARLESS_UNSAFE_SEND; // Safety: blocks is owned and never aliased.
  int *blocks;
};
void unsafe_send(Arena a) {
  std::thread t([a] { (void)a; });
  t.join();
}

// --- conditional markers, evaluated per specialisation ---------------------
template <class T> struct Box {
  FEARLESS_SEND_IF(fearless::Send<T>);
  T *value;
};
void conditional_send() {
  Box<int> ok{nullptr};
  std::thread t1([ok] { (void)ok; }); // Negative: Send<int> holds.
  t1.join();
  Box<Rc<int>> bad{nullptr};
  std::thread t2([bad] { (void)bad; });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'bad' is captured by copy into a thread started by 'std::thread' but 'Box<Rc<int>>' is not Send [fearless-send]
  t2.join();
}

// --- channel payloads --------------------------------------------------------
void channel_payload(fearless::Sender<Rc<int>> &tx,
                     fearless::Sender<std::string> &ok) {
  Rc<int> rc;
  tx.send(rc);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'rc' is sent into another thread through 'fearless::Sender::send' but 'Rc<int>' is not Send [fearless-send]
  ok.send("hello"); // Negative
}

// --- a lambda stored in a variable ------------------------------------------
void lambda_variable() {
  Rc<int> rc;
  auto job = [rc] { (void)rc; };
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'rc' is captured by copy into a thread started by 'std::thread' but 'Rc<int>' is not Send [fearless-send]
  std::thread t(job);
  t.join();
}

// Negative: lock guards belong to fearless-guard-not-send, not reported twice.
std::mutex mu;
struct WithGuard {
  std::unique_lock<std::mutex> lock;
};
void guard_only() {
  std::unique_lock<std::mutex> lk(mu);
  std::thread t([lk = std::move(lk)] {});
  WithGuard w{std::unique_lock<std::mutex>(mu)};
  std::thread t2([w = std::move(w)] {});
  t.join();
  t2.join();
}

// Negative: an incomplete type is assumed to be Send.
struct Opaque;
void opaque(std::shared_ptr<Opaque> p) {
  std::thread t([p] { (void)p; });
  t.join();
}

// Negative: not a thread boundary.
void same_thread() {
  Rc<int> rc;
  auto f = [rc] { (void)rc; };
  f();
}

// Templates are checked per instantiation.
template <class T> void send_value(T value) {
  std::thread t([value] { (void)value; });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'value' is captured by copy into a thread started by 'std::thread' but 'Rc<long>' is not Send [fearless-send]
  t.join();
}
void instantiate() {
  send_value(1);
  send_value(Rc<long>());
}
