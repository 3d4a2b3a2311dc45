// A header of the project with a finding of its own: reported by default,
// as every header below --root is.
#include <mutex>
#include <thread>

namespace edges {
inline std::mutex HeaderMu;
inline void header_hand_off() {
  std::unique_lock<std::mutex> Lock(HeaderMu);
  std::thread Worker([Held = std::move(Lock)]() mutable { Held.unlock(); });
  Worker.join();
}
} // namespace edges
