// A finding, then a compile error: the unit was not analysed whole, so
// its finding is counted, not reported.
#include <mutex>
#include <thread>

namespace edges {
std::mutex BrokenMu;
void hand_off() {
  std::unique_lock<std::mutex> Lock(BrokenMu);
  std::thread Worker([Held = std::move(Lock)]() mutable { Held.unlock(); });
  Worker.join();
}
void broken() { undeclared_function(); }
} // namespace edges
