// Compiles with warnings only: an unused variable (-Wall) that the
// project's -Werror would make an error. A warning never fails a unit.
#include <mutex>
#include <thread>

namespace edges {
std::mutex WarnsMu;
void hand_off() {
  int Unused;
  std::unique_lock<std::mutex> Lock(WarnsMu);
  std::thread Worker([Held = std::move(Lock)]() mutable { Held.unlock(); });
  Worker.join();
}
} // namespace edges
