// Ported from facebook/infer infer/tests/codetoanalyze/cpp/starvation/crossfile-2.h (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

/* The goal of this test is to demonstrate that the per-file type
environments don't prevent the deadlock report here */

#ifndef CROSS_FILE_TWO
#define CROSS_FILE_TWO

#include <mutex>

class CrossFileTwo;

#include "crossfile-1.h"

class CrossFileTwo {
 public:
  CrossFileTwo() {}
  void lock_my_mutex_first_then_the_other(CrossFileOne* other);
  void just_lock_my_mutex();

 private:
  std::mutex _mutex;
};

#endif
