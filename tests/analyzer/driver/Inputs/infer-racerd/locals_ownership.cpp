// Ported from facebook/infer infer/tests/codetoanalyze/cpp/racerd/locals_ownership.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

#include <mutex>

namespace locals {

struct X {
  int f;
};

class Ownership {
 public:
  Ownership() {}

  int struct_ok() {
    X x;
    mutex_.lock();
    x.f = 7;
    mutex_.unlock();
    return x.f;
  }

  int ptr_to_struct_ok() {
    X* x = new X();
    mutex_.lock();
    x->f = 7;
    mutex_.unlock();
    return x->f;
  }

  int copy_constructor_ok() {
    X x = current; // copy constructor
    mutex_.lock();
    x.f = 7;
    mutex_.unlock();
    return x.f;
  }

  int FN_ptr_to_field_struct_bad() {
    X* x = &current;
    mutex_.lock();
    x->f = 7;
    mutex_.unlock();
    return x->f;
  }

  int copy_formal_ok(X xformal) {
    X x = xformal; // copy constructor
    mutex_.lock();
    x.f = 7;
    mutex_.unlock();
    return x.f;
  }

  int FN_ptr_to_formal_bad(X* xformal) {
    X* x = xformal;
    mutex_.lock();
    x->f = 7;
    mutex_.unlock();
    return x->f;
  }

 private:
  X current;
  std::mutex mutex_;
};
} // namespace locals
