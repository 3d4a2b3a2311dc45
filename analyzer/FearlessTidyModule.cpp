//===--- FearlessTidyModule.cpp - the fearless clang-tidy module -----------===//
//
// Registers every fearless check under its dashed name. Loaded into
// clang-tidy with --load=libfearless-tidy.so.
//
//===----------------------------------------------------------------------===//

#include "GuardNotSendCheck.h"

#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"

namespace clang::tidy {
namespace fearless {

class FearlessModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &CheckFactories) override {
    CheckFactories.registerCheck<GuardNotSendCheck>("fearless-guard-not-send");
  }
};

} // namespace fearless

static ClangTidyModuleRegistry::Add<fearless::FearlessModule>
    X("fearless-module", "Rust's thread-safety rules for C++ (fearless).");

// Lets a static driver force-link this module.
volatile int FearlessModuleAnchorSource = 0; // NOLINT(misc-use-internal-linkage)

} // namespace clang::tidy
