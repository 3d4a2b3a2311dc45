// Ported from facebook/infer infer/tests/codetoanalyze/cpp/racerd/std_lock.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

#include <mutex>

namespace basics {

class StdLock {
 public:
  StdLock() {}

  void set_ok(StdLock* other) {
    std::lock(mutex_, other->mutex_);
    guarded = other->guarded;
  }

  int get_ok() {
    mutex_.lock();
    return guarded;
  }

  void set_bad(StdLock* other) {
    std::lock(mutex_, other->mutex_);
    not_guarded = other->not_guarded;
  }

  int get_bad() { return not_guarded; }

 private:
  int guarded;
  int not_guarded;
  std::mutex mutex_;
};
} // namespace basics
