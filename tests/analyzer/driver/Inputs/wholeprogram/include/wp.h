// Declarations shared by the whole-program test units: every function is
// defined in one unit and called from another.
#pragma once
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace wp {

// Lock order through calls: accounts.cpp holds AccountsMu and calls
// lock_ledger() (ledger.cpp); ledger.cpp holds LedgerMu and calls
// lock_accounts() (accounts.cpp).
extern std::mutex AccountsMu;
extern std::mutex LedgerMu;
void lock_accounts();
void lock_ledger();
void post_then_audit();
void audit_then_post();

// Self-deadlock through a call into another unit.
class Cache {
public:
  int get();     // cache_get.cpp: holds mu_, calls refresh()
  void refresh(); // cache_refresh.cpp: locks mu_
  int peek();    // cache_get.cpp: calls refresh() without the lock
private:
  std::mutex mu_;
  int value_ = 0;
};

// Blocking through a call into another unit.
class Server {
public:
  void stop();          // server.cpp: holds mu_, calls join_workers()
  void stop_unlocked(); // server.cpp: calls join_workers() without mu_
  void join_workers();  // workers.cpp: joins worker_
  void flush();         // workers.cpp: does not block
  void stop_and_flush(); // server.cpp: holds mu_, calls flush()
private:
  std::mutex mu_;
  std::thread worker_;
};

// A cycle through three units: chain_a.cpp holds ChainA and calls
// chain_middle() (chain_b.cpp), which calls chain_leaf() (chain_c.cpp),
// which locks ChainC; chain_c.cpp also holds ChainC and locks ChainA.
extern std::mutex ChainA;
extern std::mutex ChainC;
void chain_middle();
void chain_leaf();
void chain_start();
void chain_back();

// A callback registered in one unit (stats.cpp) and invoked under a lock in
// another (bus.cpp): publish() holds EventBus::mu_ while the handler takes
// StatsMu; stats.cpp takes StatsMu, then subscribes (EventBus::mu_).
class EventBus {
public:
  void subscribe(std::function<void()> handler); // bus.cpp
  void publish();                                 // bus.cpp
private:
  std::mutex mu_;
  std::vector<std::function<void()>> handlers_;
};
extern EventBus Bus;
extern std::mutex StatsMu;
void register_stats();
void resubscribe_stats();

} // namespace wp
