//===--- BodyParents.cpp - parents of statements within one body -----------===//

#include "BodyParents.h"

#include "llvm/ADT/DenseMap.h"

#include <memory>

namespace clang::tidy::fearless {

namespace {

struct Cache {
  const ASTContext *Ctx;
  llvm::DenseMap<const Stmt *, std::unique_ptr<ParentMap>> Maps;
};

// One cache per live ASTContext. An entry is removed when its context is
// destroyed (ASTContext::AddDeallocation), so a later context allocated at
// the same address, or bodies at reused addresses, never see stale maps.
llvm::DenseMap<const ASTContext *, Cache *> &caches() {
  static llvm::DenseMap<const ASTContext *, Cache *> Caches;
  return Caches;
}

void destroyCache(void *P) {
  auto *C = static_cast<Cache *>(P);
  caches().erase(C->Ctx);
  delete C;
}

} // namespace

const ParentMap &bodyParents(const Stmt *Body, ASTContext &Ctx) {
  Cache *&C = caches()[&Ctx];
  if (!C) {
    C = new Cache{&Ctx, {}};
    Ctx.AddDeallocation(destroyCache, C);
  }
  std::unique_ptr<ParentMap> &PM = C->Maps[Body];
  if (!PM)
    PM = std::make_unique<ParentMap>(const_cast<Stmt *>(Body));
  return *PM;
}

} // namespace clang::tidy::fearless
