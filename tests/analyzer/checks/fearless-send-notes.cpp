// RUN: %check_fearless_tidy %s fearless-send %t
// Every diagnostic prints the reason chain as notes, one per link.

#include <memory>
#include <thread>

struct Cache {
  mutable int hits = 0;
};
struct Job {
  std::shared_ptr<const Cache> cache;
};

void send_job(Job job) {
  std::thread t([job] { (void)job; });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 'job' is captured by copy into a thread started by 'std::thread' but 'Job' is not Send [fearless-send]
  // CHECK-NOTES: :[[@LINE-2]]:18: warning: 'job' is captured by copy into a thread started by 'std::thread' but 'Job' is not Send [fearless-send]
  // CHECK-NOTES: :11:32: note: 'Job' is not Send because member 'cache' has type 'std::shared_ptr<const Cache>'
  // CHECK-NOTES: :[[@LINE-4]]:18: note: 'std::shared_ptr<const Cache>' is not Send because the 'Cache' it shares is not Sync
  // CHECK-NOTES: :8:15: note: 'Cache' is not Sync because member 'hits' is mutable and its type 'int' is not thread-safe
  t.join();
}

// The base std::enable_shared_from_this is thread-safe: the chain names the
// member that is not.
class PlainService : public std::enable_shared_from_this<PlainService> {
public:
  int runs = 0;
};
void share_plain_service() {
  auto s = std::make_shared<PlainService>();
  std::thread t([s] { ++s->runs; });
  // CHECK-MESSAGES: :[[@LINE-1]]:18: warning: 's' is captured by copy into a thread started by 'std::thread' but 'std::shared_ptr<PlainService>' is not Send [fearless-send]
  // CHECK-NOTES: :[[@LINE-2]]:18: warning: 's' is captured by copy into a thread started by 'std::thread' but 'std::shared_ptr<PlainService>' is not Send [fearless-send]
  // CHECK-NOTES: :[[@LINE-3]]:18: note: 'std::shared_ptr<PlainService>' is not Send because the 'PlainService' it shares is not thread-safe
  // CHECK-NOTES: :[[@LINE-8]]:7: note: 'PlainService' is not thread-safe because member 'runs' of type 'int' is not synchronised (neither atomic, const nor GUARDED_BY a mutex)
  t.join();
}

// A private member that one member function touches without the lock keeps
// the class from being inferred thread-safe; the chain names it.
class Tally {
public:
  void add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++total_;
  }
  int peek() const { return total_; }

private:
  mutable std::mutex mu_;
  int total_ = 0;
};
void share_tally() {
  auto t = std::make_shared<Tally>();
  std::thread worker([t] { t->add(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 't' is captured by copy into a thread started by 'std::thread' but 'std::shared_ptr<Tally>' is not Send [fearless-send]
  // CHECK-NOTES: :[[@LINE-2]]:23: warning: 't' is captured by copy into a thread started by 'std::thread' but 'std::shared_ptr<Tally>' is not Send [fearless-send]
  // CHECK-NOTES: :[[@LINE-3]]:23: note: 'std::shared_ptr<Tally>' is not Send because the 'Tally' it shares is not thread-safe
  // CHECK-NOTES: :[[@LINE-8]]:7: note: 'Tally' is not thread-safe because member 'total_' of type 'int' is not synchronised (neither atomic, const nor GUARDED_BY a mutex)
  worker.join();
}
