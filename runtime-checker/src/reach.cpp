// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Reach, as the deadlock check reads it: see reach.h.
#include "reach.h"

#include "fearless/detail/channel_core.h"
#include "tracker_internal.h"

#include <link.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {
namespace {

// Readers of what a blocked thread waits on. The channel is alive while
// its waiter has not left the wait: the reader pins the waiter's record,
// then checks that it still waits on the channel; on_unblock clears the
// wait, then waits for the pins to go (both sequentially consistent: one
// of the two sees the other).
struct Pin {
  explicit Pin(ThreadRecord &r) : r(r) {
    r.pinned.fetch_add(1, std::memory_order_seq_cst);
  }
  ~Pin() { r.pinned.fetch_sub(1, std::memory_order_release); }
  Pin(const Pin &) = delete;
  Pin &operator=(const Pin &) = delete;
  ThreadRecord &r;
};

// The label of the live thread whose std::thread::id is `id`.
std::string label_of_std(std::thread::id id) {
  std::size_t used = g_threads_used.load(std::memory_order_acquire);
  for (std::size_t i = 1; i < used && i < kMaxThreads; ++i) {
    ThreadId live = g_threads[i].live_id.load(std::memory_order_acquire);
    if (live != 0 && g_threads[i].std_id.load(std::memory_order_relaxed) == id)
      return thread_label(live, nullptr);
  }
  return "(a thread that has exited)";
}

bool in_ranges(const Ranges *ranges, const void *p) {
  if (!ranges)
    return false;
  auto a = reinterpret_cast<std::uintptr_t>(p);
  for (const auto &[lo, hi] : *ranges)
    if (a >= lo && a < hi)
      return true;
  return false;
}

} // namespace

WaitReach wait_reach(ThreadRecord &r, const void *waits, WaitKind kind,
                     const Ranges *statics) {
  WaitReach w;
  if (kind == WaitKind::condvar) {
    w.stamp = in_ranges(statics, waits)
                  ? 0
                  : r.wait_reach.load(std::memory_order_relaxed);
    return w;
  }
  if (kind != WaitKind::channel_send && kind != WaitKind::channel_recv)
    return w;
  Pin pin(r);
  if (r.waiting_for.load(std::memory_order_seq_cst) != waits) {
    w.ended = true; // it left the wait: it is not stuck
    return w;
  }
  const auto *chan = static_cast<const ChannelCore *>(waits);
  ChannelSide other = kind == WaitKind::channel_recv ? ChannelSide::sender
                                                     : ChannelSide::receiver;
  std::uint64_t oldest = ~std::uint64_t(0);
  std::size_t n = 0;
  std::vector<std::thread::id> makers;
  chan->for_each_handle(other, [&](const HandleInfo &h) {
    ++n;
    oldest = std::min(oldest, in_ranges(statics, h.handle) ? 0 : h.stamp);
    if (std::find(makers.begin(), makers.end(), h.last_user) == makers.end())
      makers.push_back(h.last_user);
  });
  if (n == 0) {
    w.ended = true; // disconnected: the wait ends
    return w;
  }
  w.stamp = oldest;
  w.note = "the channel has " + std::to_string(n) +
           (other == ChannelSide::sender ? " live sender(s)"
                                         : " live receiver(s)") +
           ", made or moved last by thread ";
  for (std::size_t i = 0; i < makers.size(); ++i)
    w.note += (i ? ", " : "") + label_of_std(makers[i]);
  return w;
}

Ranges static_storage() {
  Ranges out;
  dl_iterate_phdr(
      [](dl_phdr_info *info, std::size_t, void *data) {
        auto &ranges = *static_cast<Ranges *>(data);
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr) &ph = info->dlpi_phdr[i];
          if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W)) {
            std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
            ranges.emplace_back(lo, lo + ph.p_memsz);
          }
        }
        return 0;
      },
      &out);
  return out;
}

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING
