// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
// fearless/detail/annotated_mutex.h - std::mutex as a capability.
//
// The runtime's internal locks in its headers (a channel's, a thread's
// outcome, a scope's threads) are plain std::mutex, untracked: the tracker
// must not see them as user locks. libstdc++'s std::mutex carries no
// thread-safety attributes, so fields FEARLESS_GUARDED_BY one would only
// earn a user's Clang -Wthread-safety warnings about the attribute; these
// wrappers add the attributes and nothing else.
#ifndef FEARLESS_DETAIL_ANNOTATED_MUTEX_H_
#define FEARLESS_DETAIL_ANNOTATED_MUTEX_H_

#include "fearless/thread_safety.h"

#include <mutex>

namespace fearless::detail {

/// std::mutex with the capability attribute, so that fields can be
/// FEARLESS_GUARDED_BY it. Deliberately minimal and untracked.
class FEARLESS_CAPABILITY("mutex") AnnotatedMutex {
public:
  void lock() FEARLESS_ACQUIRE() { mu_.lock(); }
  void unlock() FEARLESS_RELEASE() { mu_.unlock(); }
  std::mutex &native() noexcept { return mu_; }

private:
  std::mutex mu_;
};

/// Scoped lock on an AnnotatedMutex; `native()` is what a condition variable
/// waits with (the wait releases and re-acquires it, so it is held before
/// and after, as the analysis assumes).
class FEARLESS_SCOPED_CAPABILITY AnnotatedLock {
public:
  explicit AnnotatedLock(AnnotatedMutex &mu) FEARLESS_ACQUIRE(mu)
      : lock_(mu.native()) {}
  ~AnnotatedLock() FEARLESS_RELEASE() {}
  AnnotatedLock(const AnnotatedLock &) = delete;
  AnnotatedLock &operator=(const AnnotatedLock &) = delete;
  std::unique_lock<std::mutex> &native() noexcept { return lock_; }

private:
  std::unique_lock<std::mutex> lock_;
};

} // namespace fearless::detail

#endif // FEARLESS_DETAIL_ANNOTATED_MUTEX_H_
