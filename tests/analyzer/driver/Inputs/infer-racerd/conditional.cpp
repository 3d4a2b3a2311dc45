// Ported from facebook/infer infer/tests/codetoanalyze/cpp/racerd/conditional.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

#include <mutex>

class Conditional {
 public:
  Conditional() {}

  int get_x() { return x; }

  bool owns() {
    // temporary is properly destroyed and lock released
    return std::unique_lock<std::mutex>(mutex_).owns_lock();
  }

  void run_ok() {
    if (owns()) {
    }

    x = 0;
  }

  int get_y() { return y; }

  void run_FP() {
    // temporary not destroyed, so lock stays acquired at store to [x]
    if (std::unique_lock<std::mutex>(mutex_).owns_lock()) {
    }

    y = 0;
  }

 private:
  int x;
  int y;
  std::mutex mutex_;
};
