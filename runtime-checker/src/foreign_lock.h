// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// Locks the tracker learns of at run time rather than from a fearless
// constructor: pthread locks under the preload (runtime-checker/preload/)
// and the user's own locks (fearless/user_lock.h). They have no
// std::source_location, so their class comes from a code address -- where
// they were initialised, or first taken -- and some of them have nowhere to
// keep a LockState but a table keyed by their address.
//
// These are the narrow entry points the preload and the user-lock API call;
// everything else goes through the ordinary hooks (detail/hooks.h).
#ifndef FEARLESS_SRC_FOREIGN_LOCK_H_
#define FEARLESS_SRC_FOREIGN_LOCK_H_

#include "fearless/detail/hooks.h"

#include <atomic>
#include <cstddef>
#include <cstdint>

#if FEARLESS_LOCK_TRACKING

namespace fearless::detail {

/// > 0 while the calling thread runs fearless's own code: the tracker's
/// out-of-line paths (every hook that is not the inline fast path), the
/// functions below that take a lock, a user-lock call; fearless's own
/// threads (the tracker's watchdog, under the preload) keep it for good.
/// The tracker's internal locks are std::mutex: under the preload, every
/// pthread call a thread makes while this is set goes straight to glibc
/// instead of coming back into the tracker (runtime-checker/preload/), so
/// the interposers' fast path, which takes no lock, need not set it.
inline constinit thread_local int t_inside = 0;

/// The calling thread runs fearless's own code for this scope.
struct Inside {
  Inside() noexcept { ++t_inside; }
  ~Inside() { --t_inside; }
  Inside(const Inside &) = delete;
  Inside &operator=(const Inside &) = delete;
};

/// Gives `lock`, which has no class yet, the class of the code that returns
/// to `return_address`: one class per such address, named by the user's
/// source there ("file.cpp:42:7"; "#2" for a second address at that place),
/// or, when that code is the standard library's (std::mutex::lock not
/// inlined), by the first user frame up the stack; in code without a line
/// table, by its function. Only the first lock taken at an address
/// symbolises it. Two threads racing to give a class: the first one wins.
///
/// Blocks: no (takes the tracker's internal locks briefly). Errors: none;
/// an address nothing is known of leaves the class to the tracker (a class
/// of the lock's own).
void class_from_code(LockState &lock, const void *return_address) noexcept;

/// Code addresses known to be the user's (`address << 1 | 1`), by a hash
/// of the address; see user_caller.
inline constexpr std::size_t kUserCodeSlots = 4096;
extern std::atomic<std::uintptr_t> g_user_code[kUserCodeSlots];

/// The slot of `address` in g_user_code.
inline std::size_t user_code_slot(std::uintptr_t address) noexcept {
  return (address ^ (address >> 12)) & (kUserCodeSlots - 1);
}

/// user_caller when `return_address` is not known to be the user's.
const void *user_caller_slow(const void *return_address) noexcept;

/// Where the user's code called in, for a lock taken by code that returns
/// to `return_address` (an interposer's caller): `return_address` itself
/// if the code there is the user's, else the return address of the first
/// frame up the calling thread's stack that is -- past the standard
/// library's out-of-line templates (std::lock_guard's constructor at -O0,
/// std::lock) and the C and C++ runtimes' libraries
/// (std::condition_variable::wait) -- or `return_address` when there is
/// none. Reports name it as where the lock was acquired.
///
/// Cost: one lookup in a lock-free table when the code is the user's (the
/// verdict on each address is symbolised once); otherwise a stack capture
/// (cheap when the thread comes from the same place as last time).
[[gnu::always_inline]] inline const void *
user_caller(const void *return_address) noexcept;

/// user_caller's inline part: true if the code at `return_address` is
/// known to be the user's (then user_caller returns it). For a caller that
/// must call nothing when it is (the preload's mutex fast path).
[[gnu::always_inline]] inline bool
known_user_code(const void *return_address) noexcept {
  auto a = reinterpret_cast<std::uintptr_t>(return_address);
  return g_user_code[user_code_slot(a)].load(std::memory_order_relaxed) ==
         ((a << 1) | 1);
}

[[gnu::always_inline]] inline const void *
user_caller(const void *return_address) noexcept {
  if (known_user_code(return_address)) [[likely]]
    return return_address;
  return user_caller_slow(return_address);
}

/// A class for `lock` from its name or its place in the source: `name` if
/// not null, else `file`:`line` if `file` is not null; if both are null the
/// lock keeps the class it has (none: it gets one at its first acquisition).
/// The lock must not be held.
void class_from_source(LockState &lock, const char *name, const char *file,
                       unsigned line) noexcept;

/// The LockState of the lock at `address`, for locks that cannot embed one
/// (a pthread spin lock, a user lock): made on first use if `make`, else
/// nullptr when there is none. Lock-free when it exists.
LockState *foreign_lock(const void *address, bool make) noexcept;

/// Forgets the LockState of the lock at `address` (its lock is destroyed:
/// call on_destroy first). Using the lock concurrently is undefined, as
/// destroying any lock in use is.
void forget_foreign_lock(const void *address) noexcept;

/// on_block (hooks.h) for a caller whose own return address says nothing
/// to the user (an interposer): `at` is where the thread blocks, as the
/// deadlock report names it. Defined with on_block, in deadlock.cpp.
void on_block_at(const void *object, WaitKind kind, bool timed,
                 const void *at) noexcept;

} // namespace fearless::detail

#endif // FEARLESS_LOCK_TRACKING

#endif // FEARLESS_SRC_FOREIGN_LOCK_H_
