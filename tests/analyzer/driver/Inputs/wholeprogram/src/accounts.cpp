#include "wp.h"

namespace wp {
std::mutex AccountsMu;

void lock_accounts() { std::lock_guard<std::mutex> g(AccountsMu); }

void post_then_audit() {
  std::lock_guard<std::mutex> g(AccountsMu);
  lock_ledger();
}

// Negative: a thread started here locks LedgerMu on its own; the spawner's
// AccountsMu is not held by that thread, so this orders nothing.
void spawn_audit() {
  std::lock_guard<std::mutex> g(AccountsMu);
  std::thread t([] { lock_ledger(); });
  t.detach();
}
} // namespace wp
