// Ported from facebook/infer infer/tests/codetoanalyze/cpp/starvation/crossfile-2.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

#include "crossfile-2.h"

// a deadlock should be reported here
void CrossFileTwo::lock_my_mutex_first_then_the_other(CrossFileOne* other) {
  _mutex.lock();
  other->just_lock_my_mutex();
  _mutex.unlock();
}

void CrossFileTwo::just_lock_my_mutex() {
  _mutex.lock();
  _mutex.unlock();
}
