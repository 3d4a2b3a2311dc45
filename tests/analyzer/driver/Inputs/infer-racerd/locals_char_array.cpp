// Ported from facebook/infer infer/tests/codetoanalyze/cpp/racerd/locals_char_array.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

#include <mutex>

namespace locals_char_array {

void f() {
  char line[1024];
  int x;
  line[0] = line[1];
  x = 0;
}

struct A {
  void locals_ok(int b) {
    if (b) {
      f();
    } else {
      mutex_.lock();
      f();
      mutex_.unlock();
    }
  }

  std::mutex mutex_;
};

} // namespace locals_char_array
