// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- CheckRegistry.h - checks register themselves ----------------------===//
//
// Each check's .cpp registers itself with one line,
//
//   static RegisterCheck<GuardNotSendCheck> X("fearless-guard-not-send");
//
// and FearlessTidyModule hands the list to clang-tidy, so adding a check
// touches no shared file.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_CHECKREGISTRY_H
#define FEARLESS_ANALYZER_CHECKREGISTRY_H

#include "clang-tidy/ClangTidyModule.h"
#include <functional>
#include <vector>

namespace clang::tidy::fearless {

using CheckRegistrar = std::function<void(ClangTidyCheckFactories &)>;

/// Every registered check, in registration order.
std::vector<CheckRegistrar> &checkRegistry();

template <class CheckType> struct RegisterCheck {
  explicit RegisterCheck(const char *Name) {
    checkRegistry().push_back([Name](ClangTidyCheckFactories &Factories) {
      Factories.registerCheck<CheckType>(Name);
    });
  }
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_CHECKREGISTRY_H
