// Parking for the channels' slow path (detail/channel_core.h): a futex on
// Linux, an address-keyed table of condition variables elsewhere.
#include "fearless/detail/channel_core.h"

#if defined(__linux__)
#include <cerrno>
#include <ctime>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#endif

namespace fearless::detail {

#if defined(__linux__)

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "a futex word is a plain 32-bit integer");

void futex_wait(std::atomic<std::uint32_t> *word, std::uint32_t expected,
                Deadline deadline) noexcept {
  timespec ts{};
  const timespec *timeout = nullptr;
  if (deadline != nullptr && *deadline != Clock::time_point::max()) {
    // steady_clock is CLOCK_MONOTONIC, the clock FUTEX_WAIT_BITSET uses.
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        deadline->time_since_epoch())
                        .count();
    ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    timeout = &ts;
  }
  // Returns on wake-up, timeout, EAGAIN (word changed) or EINTR; the caller
  // re-checks in every case.
  syscall(SYS_futex, reinterpret_cast<std::uint32_t *>(word),
          FUTEX_WAIT_BITSET_PRIVATE, expected, timeout, nullptr,
          FUTEX_BITSET_MATCH_ANY);
}

void futex_wake(const std::atomic<std::uint32_t> *word) noexcept {
  syscall(SYS_futex,
          reinterpret_cast<std::uint32_t *>(
              const_cast<std::atomic<std::uint32_t> *>(word)),
          FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

#else

namespace {
// A futex emulation: the table is static, so waking an address whose waiter
// is gone touches only the table.
struct Bucket {
  std::mutex mu;
  std::condition_variable cv;
};
Bucket &bucket_of(const void *addr) {
  static Bucket table[64];
  return table[std::hash<const void *>{}(addr) % 64];
}
} // namespace

void futex_wait(std::atomic<std::uint32_t> *word, std::uint32_t expected,
                Deadline deadline) noexcept {
  Bucket &b = bucket_of(word);
  std::unique_lock<std::mutex> lock(b.mu);
  if (word->load(std::memory_order_acquire) != expected)
    return;
  if (deadline == nullptr)
    b.cv.wait(lock);
  else
    b.cv.wait_until(lock, *deadline);
}

void futex_wake(const std::atomic<std::uint32_t> *word) noexcept {
  Bucket &b = bucket_of(word);
  { std::lock_guard<std::mutex> lock(b.mu); }
  b.cv.notify_all();
}

#endif

} // namespace fearless::detail
