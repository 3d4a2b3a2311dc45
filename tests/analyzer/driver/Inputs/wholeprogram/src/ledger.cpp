#include "wp.h"

namespace wp {
std::mutex LedgerMu;

void lock_ledger() { std::lock_guard<std::mutex> g(LedgerMu); }

void audit_then_post() {
  std::lock_guard<std::mutex> g(LedgerMu);
  lock_accounts();
}
} // namespace wp
