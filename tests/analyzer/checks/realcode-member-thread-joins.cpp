// RUN: %check_fearless_tidy %s fearless-dangling-ref %t
// RUN: %check_fearless_tidy %s fearless-dangling-ref %t -- -std=c++11

// Reduced from glog's, rocksdb's and spdlog's background threads (spdlog's
// thread_pool builds as C++11, where a range-for's iterators are elidable
// temporaries): the destructor joins
// the member thread through a private helper or a Close() it calls on
// `this`, the thread may sit in a unique_ptr member, and the destructor may
// be defined in another translation unit. Joins are facts of the unit model
// (through calls on `this`), so 'this' is borrowed, not dangling.
#include <memory>
#include <thread>
#include <vector>

class HelperJoin {
public:
  HelperJoin() { thread_ = std::thread([this] { run(); }); }
  ~HelperJoin() { stop(); }
  void run() {}

private:
  void stop() { join(); }
  void join() {
    if (thread_.joinable())
      thread_.join();
  }
  std::thread thread_;
};

class PtrClose {
public:
  void start() { thread_.reset(new std::thread([this] { run(); })); }
  ~PtrClose() { Close(); }
  void Close() {
    if (thread_) {
      thread_->join();
      thread_.reset();
    }
  }
  void run() {}

private:
  std::unique_ptr<std::thread> thread_;
};

class Pool {
public:
  void start() {
    for (int i = 0; i < 4; ++i)
      workers_.emplace_back([this] { run(); });
  }
  ~Pool() { joinAll(); }
  void run() {}

private:
  void joinAll() {
    for (std::thread &t : workers_)
      t.join();
  }
  std::vector<std::thread> workers_;
};

// The destructor is defined in another unit (a compiled library): fearless
// cannot see it and assumes it joins.
class Opaque {
public:
  Opaque() { thread_ = std::thread([this] { run(); }); }
  ~Opaque();
  void run() {}

private:
  std::thread thread_;
};

// Positive twins: the helper detaches, and the unique_ptr thread is never
// joined.
class HelperDetach {
public:
  HelperDetach() { thread_ = std::thread([this] { run(); }); }
  // CHECK-MESSAGES: :[[@LINE-1]]:43: warning: 'this' is captured into a thread started by 'std::thread', which may outlive the object [fearless-dangling-ref]
  ~HelperDetach() { stop(); }
  void run() {}

private:
  void stop() { thread_.detach(); }
  std::thread thread_;
};

class PtrLeak {
public:
  void start() { thread_.reset(new std::thread([this] { run(); })); }
  // CHECK-MESSAGES: :[[@LINE-1]]:49: warning: 'this' is captured into a thread started by 'std::thread', which may outlive the object [fearless-dangling-ref]
  ~PtrLeak() { thread_.reset(); }
  void run() {}

private:
  std::unique_ptr<std::thread> thread_;
};
