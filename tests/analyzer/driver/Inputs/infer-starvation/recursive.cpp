// Ported from facebook/infer infer/tests/codetoanalyze/cpp/starvation/recursive.cpp (MIT licence).
// Copyright (c) Facebook, Inc. and its affiliates. This source code is licensed
// under the MIT license found in the LICENSE file of facebook/infer.
// Taken from commit be1b9a8dc1b0; only this 6-line header replaces the upstream
// 6-line licence block, so line numbers match Infer's issues.exp. Expected
// findings: see EXPECTED.md in this folder.

#include <mutex>

struct UnknownMutex {
  UnknownMutex() {}

  void lock() {}

  void unlock() {}

  UnknownMutex(const UnknownMutex&) = delete;
  UnknownMutex& operator=(const UnknownMutex&) = delete;
};

class Recursive {
 public:
  Recursive() {}

  void multi_ok() {
    std::lock_guard<std::recursive_mutex> l(recursive_mutex_);
    { std::lock_guard<std::recursive_mutex> l(recursive_mutex_); }
  }

  void unknown_ok() {
    std::lock_guard<UnknownMutex> l(umutex_);
    { std::lock_guard<UnknownMutex> l(umutex_); }
  }

 private:
  std::recursive_mutex recursive_mutex_;
  UnknownMutex umutex_;
};
