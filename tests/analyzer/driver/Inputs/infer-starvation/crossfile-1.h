// Ported from facebook/infer infer/tests/codetoanalyze/cpp/starvation/crossfile-1.h (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

#ifndef CROSS_FILE_ONE
#define CROSS_FILE_ONE

/* The goal of this test is to demonstrate that the per-file type
environments don't prevent the deadlock report here */

// unused include to distinguish the two per-file type environments
#include <vector>
#include <mutex>

class CrossFileOne;

#include "crossfile-2.h"

class CrossFileOne {
 public:
  CrossFileOne() {}
  void lock_my_mutex_first_then_the_other(CrossFileTwo* other);
  void just_lock_my_mutex();

 private:
  std::mutex _mutex;
};

#endif
