// Ported from facebook/infer infer/tests/codetoanalyze/cpp/racerd/scoped_lock.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

#include <mutex>

class ScopedLock {
 public:
  ScopedLock() {}

  void store_x(int xx) {
    std::scoped_lock<std::mutex> g(mutex_);
    x = xx;
  }

  int get_x() {
    std::scoped_lock<std::mutex> g(mutex_);
    return x;
  }

  void store_y(int yy) {
    std::scoped_lock<std::mutex> g(mutex_);
    y = yy;
  }

  int get_y_bad() { return y; }

  void store_z(int zz) { z = zz; }

  int get_z() {
    std::scoped_lock<std::mutex> g(mutex_);
    return z;
  }

 private:
  int x, y, z;
  std::mutex mutex_;
};
