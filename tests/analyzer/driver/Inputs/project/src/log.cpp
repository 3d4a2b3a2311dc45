// Locks LogMu, then AccountsMu: with accounts.cpp, a lock-order inversion
// that no single translation unit shows.
#include "shared.h"

namespace project {
int Flushed = 0;

void flush() {
  std::lock_guard<std::mutex> Log(LogMu);
  std::lock_guard<std::mutex> Accounts(AccountsMu);
  ++Flushed;
}
} // namespace project
