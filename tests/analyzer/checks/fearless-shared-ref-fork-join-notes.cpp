// RUN: %check_fearless_tidy %s fearless-shared-ref %t
//
// The notes of a fork-join over `this` or a pointer local that stays
// reported (model/WritesThrough.h): the write the rule found, in the
// thread or in the spawner before the join.

#include <thread>
#include <vector>

struct Counter {
  int hits = 0;
  void touch() { ++hits; }
};

class Job {
public:
  void Run();
  void RunSpawnerWrites();
  void Verify();

private:
  void Bump() { done_ += 1; }
  void Process(int *out) {
    *out = level_;
    Bump();
  }
  void Read(int *out) { *out = level_; }

  std::vector<int> outs_;
  Counter *counter_ = nullptr;
  int level_ = 0;
  int done_ = 0;
};

void Job::Run() {
  std::vector<std::thread> pool;
  for (size_t i = 1; i < outs_.size(); i++)
    pool.emplace_back(&Job::Process, this, &outs_[i]);
  // CHECK-NOTES: :[[@LINE-1]]:38: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:38: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  // CHECK-NOTES: :[[@LINE-3]]:5: note: the thread is started in a loop, so several threads share 'this'
  // CHECK-NOTES: :25:5: note: the thread writes through 'this': it calls 'Job::Bump', which assigns 'done_'
  // CHECK-NOTES: :29:20: note: 'Job' is not thread-safe because member 'outs_' of type 'std::vector<int>' is not synchronised (neither atomic, const nor GUARDED_BY a mutex)
  for (auto &t : pool)
    t.join();
}

void Job::RunSpawnerWrites() {
  std::vector<std::thread> pool;
  for (size_t i = 1; i < outs_.size(); i++)
    pool.emplace_back(&Job::Read, this, &outs_[i]);
  // CHECK-NOTES: :[[@LINE-1]]:35: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:35: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  counter_->touch();
  // CHECK-NOTES: :[[@LINE-1]]:13: note: the spawner writes through 'this' while the thread may still be running: it calls 'Counter::touch', which changes 'hits'
  // CHECK-NOTES: :29:20: note: 'Job' is not thread-safe because member 'outs_' of type 'std::vector<int>' is not synchronised (neither atomic, const nor GUARDED_BY a mutex)
  for (auto &t : pool)
    t.join();
}

void Job::Verify() {
  Counter *c = counter_;
  auto verify = [&] { c->touch(); };
  // CHECK-NOTES: :[[@LINE-1]]:23: warning: 'c' is captured by reference into a thread started by 'std::thread' but 'Counter *' is not thread-safe [fearless-shared-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:23: warning: 'c' is captured by reference into a thread started by 'std::thread' but 'Counter *' is not thread-safe [fearless-shared-ref]
  // CHECK-NOTES: :[[@LINE+4]]:15: note: 'c' is also shared with the thread started here
  // CHECK-NOTES: :[[@LINE-4]]:26: note: the thread writes through 'c': it calls 'Counter::touch', which changes 'hits'
  // CHECK-NOTES: :[[@LINE-5]]:23: note: 'Counter *' is not thread-safe: a pointer written from two threads is a data race
  std::thread t1(verify);
  std::thread t2(verify);
  t1.join();
  t2.join();
}
