// Default tracker hooks: record nothing yet. The lock-order tracker (a later
// change) replaces these bodies; the primitives already call them.
#include "fearless/detail/hooks.h"

#if FEARLESS_LOCK_TRACKING
namespace fearless::detail {

void on_create(const void *, const LockSite &) noexcept {}
void on_destroy(const void *) noexcept {}
void on_acquire(const void *, LockMode) noexcept {}
void on_acquired(const void *, LockMode, bool) noexcept {}
void on_release(const void *) noexcept {}
void on_block(const void *, WaitKind, bool) noexcept {}
void on_unblock(const void *) noexcept {}

} // namespace fearless::detail
#endif
