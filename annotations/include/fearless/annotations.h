// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/annotations.h - everything in annotations/, in one include.
//
// Thread-safety attributes (FEARLESS_GUARDED_BY, FEARLESS_REQUIRES, ...),
// Send/Sync markers (FEARLESS_NOT_SEND, FEARLESS_THREAD_SAFE, ...) and the
// concepts fearless::Send / Sync / ThreadSafe. See docs/annotations.md.
#ifndef FEARLESS_ANNOTATIONS_H_
#define FEARLESS_ANNOTATIONS_H_

#include "fearless/names.h"
#include "fearless/send_sync.h"
#include "fearless/thread_safety.h"

#endif // FEARLESS_ANNOTATIONS_H_
