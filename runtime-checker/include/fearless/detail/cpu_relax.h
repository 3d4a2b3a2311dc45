// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/cpu_relax.h - the hint to the CPU inside a spin loop,
// shared by the futex mutex (raw_mutex.h) and the channels' backoff
// (channel_core.h).
#ifndef FEARLESS_DETAIL_CPU_RELAX_H_
#define FEARLESS_DETAIL_CPU_RELAX_H_

namespace fearless::detail {

/// Tells the CPU this is a spin-wait loop (x86 `pause`, ARM `yield`):
/// fewer wasted cycles, and the sibling hyper-thread runs meanwhile.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_CPU_RELAX_H_
