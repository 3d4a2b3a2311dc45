// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// The user-lock API (fearless/user_lock.h): a user's lock, named by its
// address, fed to the tracker through the ordinary hooks.
//
// The hooks are inlined into each entry point, so that the return address
// they record -- where the lock was taken, for reports -- is the user's.
// Each runs `Inside` (foreign_lock.h): under the preload, the tracker's own
// locking then stays out of the interposers.
#include "fearless/user_lock.h"

#include "fearless/detail/hooks.h"
#include "foreign_lock.h"

namespace fd = fearless::detail;

#if FEARLESS_LOCK_TRACKING

namespace {

fd::LockMode mode_of(unsigned flags) {
  return flags & FEARLESS_LOCK_SHARED ? fd::LockMode::shared
                                      : fd::LockMode::exclusive;
}

// The lock's state, with a class from `ret` if it has none yet.
[[gnu::always_inline]] inline fd::LockState *state_of(const void *lock,
                                                      const void *ret) {
  fd::LockState *s = fd::foreign_lock(lock, true);
  if (s && s->cls.load(std::memory_order_relaxed) == 0) [[unlikely]]
    fd::class_from_code(*s, ret);
  return s;
}

} // namespace

extern "C" {

void fearless_lock_init(const void *lock, const char *name, const char *file,
                        unsigned line) {
  fd::Inside in;
  if (fd::LockState *s = fd::foreign_lock(lock, true))
    fd::class_from_source(*s, name, file, line);
}

void fearless_lock_destroy(const void *lock) {
  fd::Inside in;
  if (fd::LockState *s = fd::foreign_lock(lock, false)) {
    fd::on_destroy(*s);
    fd::forget_foreign_lock(lock);
  }
}

void fearless_lock_acquire(const void *lock, unsigned flags) {
  fd::Inside in;
  if (fd::LockState *s = state_of(lock, __builtin_return_address(0)))
    (void)fd::on_acquire(*s, mode_of(flags));
}

void fearless_lock_acquired(const void *lock, unsigned flags) {
  fd::Inside in;
  if (fd::LockState *s = state_of(lock, __builtin_return_address(0)))
    fd::on_acquired(*s, mode_of(flags), (flags & FEARLESS_LOCK_TRY) != 0);
}

void fearless_lock_release(const void *lock, unsigned flags) {
  fd::Inside in;
  if (fd::LockState *s = state_of(lock, __builtin_return_address(0)))
    fd::on_release(*s, mode_of(flags));
}

} // extern "C"

#else // FEARLESS_LOCK_TRACKING

extern "C" {
void fearless_lock_init(const void *, const char *, const char *, unsigned) {}
void fearless_lock_destroy(const void *) {}
void fearless_lock_acquire(const void *, unsigned) {}
void fearless_lock_acquired(const void *, unsigned) {}
void fearless_lock_release(const void *, unsigned) {}
} // extern "C"

#endif // FEARLESS_LOCK_TRACKING
