// Locks AccountsMu, then LogMu. Fine on its own; log.cpp does the reverse.
#include "shared.h"

namespace project {
int Audited = 0;

void transfer() {
  std::lock_guard<std::mutex> Accounts(AccountsMu);
  std::lock_guard<std::mutex> Log(LogMu);
  ++Audited;
}
} // namespace project
