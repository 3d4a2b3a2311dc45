// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// The symbol that units built with -fsanitize=thread reference
// (detail/race_hooks.h): defined only when this library is built with
// ThreadSanitizer too, so that a mode mismatch fails to link.
#include "fearless/detail/race_hooks.h"

#if FEARLESS_DETAIL_UNDER_TSAN
namespace fearless::detail {
const char link_fearless_runtime_tsan_when_building_with_fsanitize_thread = 1;
} // namespace fearless::detail
#endif
