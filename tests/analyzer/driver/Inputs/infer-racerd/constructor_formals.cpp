// Ported from facebook/infer infer/tests/codetoanalyze/cpp/racerd/constructor_formals.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

#include <mutex>

namespace constructor_formals {
class Basic {
 public:
  // there can be a race here between the initializer read and the set function
  // below
  Basic(Basic& other) : field_(other.field_) {}

  void FN_set_under_lock_bad(int value) {
    mutex_.lock();
    field_ = value;
    mutex_.unlock();
  }

 private:
  std::mutex mutex_;
  int field_;
};
} // namespace constructor_formals
