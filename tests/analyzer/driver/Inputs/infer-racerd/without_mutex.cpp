// Ported from facebook/infer infer/tests/codetoanalyze/cpp/racerd/without_mutex.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.
#include <mutex>

namespace without_mutex {

class WithoutMutex {
 public:
  WithoutMutex() {}

  int get_bad() { return field; }

  int set_bad(std::mutex& mutex, int data) {
    std::lock_guard<std::mutex> lock(mutex);
    field = data;
  }

 private:
  int field;
};
} // namespace without_mutex
