// RUN: %check_fearless_tidy %s fearless-shared-ref %t
//
// Fork-join over `this` and a pointer local, reduced from rocksdb's
// CompactionJob::Run (db/compaction/compaction_job.cc, issue #18): sharing
// decided by what the threads write through the shared object
// (model/WritesThrough.h), as Rust decides by `&` or `&mut`. Each correct
// case beside the bug next to it.

#include <thread>
#include <vector>

struct Table {
  int rows = 0;
  int count() const { return rows; }
};

struct Family {
  Table *table_ = nullptr;
  int hits = 0;
  Table *table() const { return table_; }
  int level() { return 1; } // not const, but writes nothing
  void touch() { ++hits; }
};

struct SubState {
  int out = 0;
  std::vector<int> keys;
};

// Defined in another unit.
void record(Family *f);
void fill(int *out);

struct State {
  std::vector<SubState> subs;
  Family *family = nullptr;
};

class Job {
public:
  void Run();
  int Verify();
  void RunCounting();
  void RunViaHelper();
  void RunDetached();
  void RunJoinedSometimes(bool wait);
  void RunSpawnerWrites();
  int VerifyTouching();
  void RunFilling();
  void RunTwoPhases();

private:
  // Writes only its own element, reads the job.
  void Process(SubState *sub) {
    for (int k : sub->keys)
      sub->out += k * level_;
    sub->out += family_->level() + compact_->family->table()->count();
    record(family_); // a pointer the job holds, passed on
  }
  void ProcessCounting(SubState *sub) {
    sub->out = 1;
    ++done_;
  }
  void Bump() { done_ += 1; }
  void ProcessFilling(SubState *sub) { fill(&done_); }
  void ProcessViaHelper(SubState *sub) {
    sub->out = 2;
    Bump();
  }

  State *compact_ = nullptr;
  Family *family_ = nullptr;
  int level_ = 0;
  int done_ = 0;
};

// (a) Each thread writes only the element it is handed; the spawner runs
// element 0 itself and joins every thread before going on.
void Job::Run() {
  std::vector<std::thread> pool;
  for (size_t i = 1; i < compact_->subs.size(); i++)
    pool.emplace_back(&Job::Process, this, &compact_->subs[i]);
  Process(&compact_->subs[0]);
  for (auto &t : pool)
    t.join();
  level_ = 2; // after the join
}

// (b) A lambda capturing a pointer local and `this` by reference, run by
// the threads and by the spawner, only reading through both.
int Job::Verify() {
  Family *fam = compact_->family;
  auto verify = [&](int &out) {
    out = fam->table()->count() + fam->level() + level_ + family_->level();
  };
  std::vector<std::thread> pool;
  for (size_t i = 1; i < compact_->subs.size(); i++)
    pool.emplace_back(verify, std::ref(compact_->subs[i].out));
  verify(compact_->subs[0].out);
  for (auto &t : pool)
    t.join();
  return compact_->subs[0].out;
}

// (c) The twins that stay reported.

// The thread writes a member of the job.
void Job::RunCounting() {
  std::vector<std::thread> pool;
  for (size_t i = 1; i < compact_->subs.size(); i++)
    pool.emplace_back(&Job::ProcessCounting, this, &compact_->subs[i]);
  // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  ProcessCounting(&compact_->subs[0]);
  for (auto &t : pool)
    t.join();
}

// The thread writes a member through a helper it calls on `this`.
void Job::RunViaHelper() {
  std::vector<std::thread> pool;
  for (size_t i = 1; i < compact_->subs.size(); i++)
    pool.emplace_back(&Job::ProcessViaHelper, this, &compact_->subs[i]);
  // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  for (auto &t : pool)
    t.join();
}

// A reader that is never joined.
void Job::RunDetached() {
  std::thread t(&Job::Process, this, &compact_->subs[1]);
  // CHECK-MESSAGES: :[[@LINE-1]]:32: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:38: warning: 'argument' is passed by pointer into a thread started by 'std::thread' but 'value_type' is not thread-safe [fearless-shared-ref]
  t.detach();
}

// A reader joined only on some paths.
void Job::RunJoinedSometimes(bool wait) {
  std::thread t(&Job::Process, this, &compact_->subs[1]);
  // CHECK-MESSAGES: :[[@LINE-1]]:32: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  // CHECK-MESSAGES: :[[@LINE-2]]:38: warning: 'argument' is passed by pointer into a thread started by 'std::thread' but 'value_type' is not thread-safe [fearless-shared-ref]
  if (wait)
    t.join();
  else
    t.detach();
}

// Readers, while the spawner writes a member before the join.
void Job::RunSpawnerWrites() {
  std::vector<std::thread> pool;
  for (size_t i = 1; i < compact_->subs.size(); i++)
    pool.emplace_back(&Job::Process, this, &compact_->subs[i]);
  // CHECK-MESSAGES: :[[@LINE-1]]:38: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  level_ = 3;
  for (auto &t : pool)
    t.join();
}

// The threads write through the pointer local.
int Job::VerifyTouching() {
  Family *fam = compact_->family;
  auto verify = [&](int &out) {
    fam->touch();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: 'fam' is captured by reference into a thread started by 'std::thread' but 'Family *' is not thread-safe [fearless-shared-ref]
    out = level_;
  };
  std::vector<std::thread> pool;
  for (size_t i = 1; i < compact_->subs.size(); i++)
    pool.emplace_back(verify, std::ref(compact_->subs[i].out));
  for (auto &t : pool)
    t.join();
  return 0;
}

// The address of a member handed to a function whose body is not in sight.
void Job::RunFilling() {
  std::vector<std::thread> pool;
  for (size_t i = 1; i < compact_->subs.size(); i++)
    pool.emplace_back(&Job::ProcessFilling, this, &compact_->subs[i]);
  // CHECK-MESSAGES: :[[@LINE-1]]:45: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  for (auto &t : pool)
    t.join();
}

// Two fork-joins one after the other: the writers are joined before the
// readers start, so only the writers are reported.
void Job::RunTwoPhases() {
  std::vector<std::thread> writers;
  for (size_t i = 1; i < compact_->subs.size(); i++)
    writers.emplace_back(&Job::ProcessCounting, this, &compact_->subs[i]);
  // CHECK-MESSAGES: :[[@LINE-1]]:49: warning: 'this' is passed by pointer into a thread started by 'std::thread' but 'Job' is not thread-safe [fearless-shared-ref]
  for (auto &t : writers)
    t.join();
  std::vector<std::thread> readers;
  for (size_t i = 1; i < compact_->subs.size(); i++)
    readers.emplace_back([this](int &out) { out = level_; },
                         std::ref(compact_->subs[i].out));
  for (auto &t : readers)
    t.join();
}
