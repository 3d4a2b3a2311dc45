// Ported from facebook/infer infer/tests/codetoanalyze/cpp/racerd/basics_no_mutex.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

namespace basics {

class BasicsNoMutex {
 public:
  BasicsNoMutex() {}

  void set_ok(int new_value) {
    field_1 = new_value;
    field_2 = new_value;
  }

  int get_field1_ok() { return field_1; }

 private:
  int field_1;
  int field_2;
};
} // namespace basics
