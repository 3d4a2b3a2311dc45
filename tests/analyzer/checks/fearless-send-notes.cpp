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
