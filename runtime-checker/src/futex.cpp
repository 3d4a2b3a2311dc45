// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/futex.h where there is no futex: a table of condition
// variables keyed by address. The table is static, so waking an address
// whose waiter is gone touches only the table.
#include "fearless/detail/futex.h"

#if !defined(__linux__)

#include <condition_variable>
#include <functional>
#include <mutex>

namespace fearless::detail::futex {
namespace {

struct Bucket {
  std::mutex mu;
  std::condition_variable cv;
};

Bucket &bucket_of(const void *addr) {
  static Bucket table[64];
  return table[std::hash<const void *>{}(addr) % 64];
}

} // namespace

bool wait(std::atomic<std::uint32_t> &word, std::uint32_t expected,
          const timespec *deadline) noexcept {
  Bucket &b = bucket_of(&word);
  std::unique_lock<std::mutex> lock(b.mu);
  if (word.load(std::memory_order_acquire) != expected)
    return true;
  if (deadline == nullptr) {
    b.cv.wait(lock);
    return true;
  }
  using namespace std::chrono;
  const steady_clock::time_point until(duration_cast<steady_clock::duration>(
      seconds(deadline->tv_sec) + nanoseconds(deadline->tv_nsec)));
  return b.cv.wait_until(lock, until) == std::cv_status::no_timeout;
}

void wake(const std::atomic<std::uint32_t> *word, int) noexcept {
  Bucket &b = bucket_of(word);
  { std::lock_guard<std::mutex> lock(b.mu); }
  b.cv.notify_all();
}

} // namespace fearless::detail::futex

#endif
