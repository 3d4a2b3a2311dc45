// RUN: %check_fearless_tidy %s fearless-blocking-under-lock %t \
// RUN:   --config="{CheckOptions: {fearless-blocking-under-lock.BlockingFunctions: 'net::fetch;::Db::query'}}"
// RUN: %check_fearless_tidy -check-suffix=NONE %s fearless-blocking-under-lock %t.none

// BlockingFunctions adds I/O and RPC calls (qualified names, ';'-separated).
// Without the option (second RUN line) nothing here is reported.

#include <mutex>

namespace net {
int fetch(const char *);
}
struct Db {
  int query(int);
};
struct Cache {
  std::mutex mu_;
  int fill(Db &db) {
    std::lock_guard<std::mutex> g(mu_);
    int n = net::fetch("x");
    // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: blocking call to 'net::fetch' while holding 'Cache::mu_': it may block with the lock held
    return n + db.query(1);
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: blocking call to 'Db::query' while holding 'Cache::mu_'
  }
};
