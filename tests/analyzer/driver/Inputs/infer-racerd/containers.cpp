// Ported from facebook/infer infer/tests/codetoanalyze/cpp/racerd/containers.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

#include <mutex>
#include <map>

namespace containers {

struct A {
  int value;
};

struct B {

  void FN_write_container_bad(int key, int value) {
    mutex_.lock();
    map[key].value = value;
    mutex_.unlock();
  }

  int FN_get_bad(int key) { return map[key].value; }

  int FN_size_bad() { return map.size(); }

 private:
  std::map<int, A> map;
  std::mutex mutex_;
};
} // namespace containers
