// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- FearlessTidyModule.cpp - the fearless clang-tidy module -----------===//
//
// Registers every fearless check under its dashed name. Loaded into
// clang-tidy with --load=libfearless-tidy.so. Checks add themselves to
// checkRegistry() (CheckRegistry.h).
//
//===----------------------------------------------------------------------===//

#include "CheckRegistry.h"

#include "clang-tidy/ClangTidyModule.h"
#include "llvm/Config/llvm-config.h"
// LLVM 22 moved the registry into ClangTidyModule.h and deprecated this one.
#if LLVM_VERSION_MAJOR < 22
#include "clang-tidy/ClangTidyModuleRegistry.h"
#endif

namespace clang::tidy {
namespace fearless {

std::vector<CheckRegistrar> &checkRegistry() {
  static std::vector<CheckRegistrar> Registry;
  return Registry;
}

class FearlessModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &CheckFactories) override {
    for (const CheckRegistrar &Register : checkRegistry())
      Register(CheckFactories);
  }
};

} // namespace fearless

static ClangTidyModuleRegistry::Add<fearless::FearlessModule>
    X("fearless-module", "Rust's thread-safety rules for C++ (fearless).");

// Lets a static driver force-link this module.
volatile int FearlessModuleAnchorSource = 0; // NOLINT(misc-use-internal-linkage)

} // namespace clang::tidy
