// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- BodyParents.cpp - parents of statements within one body -----------===//

#include "BodyParents.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseMap.h"

#include <algorithm>
#include <memory>
#include <vector>

namespace clang::tidy::fearless {

namespace {

// A function definition's body and where it is: the expansion range in
// its file.
struct BodyEntry {
  unsigned Begin, End;
  const FunctionDecl *Function;
};

struct Cache {
  const ASTContext *Ctx = nullptr;
  llvm::DenseMap<const Stmt *, std::unique_ptr<ParentMap>> Maps;
  // Every function definition's body by file, sorted by Begin: built once,
  // on the first parentsOf().
  bool Indexed = false;
  llvm::DenseMap<FileID, std::vector<BodyEntry>> Bodies;
  // The local variables of a body and the DeclStmt declaring each.
  llvm::DenseMap<const Stmt *, llvm::DenseMap<const Decl *, const DeclStmt *>>
      DeclStmts;
  const Stmt *LastBody = nullptr;
};

// Function definitions, template instantiations included, without looking
// into any statement: bodies are indexed, not walked (a lambda's or a local
// class's functions are found through the body around them).
struct Indexer : RecursiveASTVisitor<Indexer> {
  ASTContext &Ctx;
  Cache &C;
  Indexer(ASTContext &Ctx, Cache &C) : Ctx(Ctx), C(C) {}

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool TraverseStmt(Stmt *, DataRecursionQueue * = nullptr) { return true; }
  bool VisitFunctionDecl(FunctionDecl *FD) {
    const Stmt *Body =
        FD->doesThisDeclarationHaveABody() ? FD->getBody() : nullptr;
    if (!Body)
      return true;
    const SourceManager &SM = Ctx.getSourceManager();
    SourceLocation B = SM.getExpansionLoc(Body->getBeginLoc());
    SourceLocation E = SM.getExpansionLoc(Body->getEndLoc());
    if (B.isInvalid() || E.isInvalid() || SM.getFileID(B) != SM.getFileID(E))
      return true;
    C.Bodies[SM.getFileID(B)].push_back(
        {SM.getFileOffset(B), SM.getFileOffset(E), FD});
    return true;
  }
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

Cache &cacheFor(ASTContext &Ctx) {
  Cache *&C = caches()[&Ctx];
  if (!C) {
    C = new Cache();
    C->Ctx = &Ctx;
    Ctx.AddDeallocation(destroyCache, C);
  }
  return *C;
}

const ParentMap &parentMap(const Stmt *Body, Cache &C) {
  std::unique_ptr<ParentMap> &PM = C.Maps[Body];
  if (!PM)
    PM = std::make_unique<ParentMap>(const_cast<Stmt *>(Body));
  return *PM;
}

bool contains(const Stmt *Body, const Stmt *S, Cache &C) {
  return S == Body || parentMap(Body, C).hasParent(S);
}

void collectDeclStmts(const Stmt *S,
                      llvm::DenseMap<const Decl *, const DeclStmt *> &Out) {
  if (!S)
    return;
  if (const auto *DS = dyn_cast<DeclStmt>(S))
    for (const Decl *D : DS->decls())
      Out.try_emplace(D, DS);
  for (const Stmt *Child : S->children())
    collectDeclStmts(Child, Out);
}

// The bodies whose range holds Loc, innermost first. Bodies of non-local
// functions do not nest, so they all start where the last one starting at
// or before Loc starts (a template and its instantiations share a range).
llvm::SmallVector<const FunctionDecl *, 4>
bodiesAt(SourceLocation Loc, ASTContext &Ctx, Cache &C) {
  llvm::SmallVector<const FunctionDecl *, 4> Result;
  if (!C.Indexed) {
    C.Indexed = true;
    Indexer(Ctx, C).TraverseAST(Ctx);
    for (auto &[File, Entries] : C.Bodies)
      std::stable_sort(Entries.begin(), Entries.end(),
                       [](const BodyEntry &A, const BodyEntry &B) {
                         return A.Begin < B.Begin;
                       });
  }
  const SourceManager &SM = Ctx.getSourceManager();
  Loc = SM.getExpansionLoc(Loc);
  if (Loc.isInvalid())
    return Result;
  auto It = C.Bodies.find(SM.getFileID(Loc));
  if (It == C.Bodies.end())
    return Result;
  const std::vector<BodyEntry> &Entries = It->second;
  unsigned Offset = SM.getFileOffset(Loc);
  auto Next = std::upper_bound(
      Entries.begin(), Entries.end(), Offset,
      [](unsigned Off, const BodyEntry &E) { return Off < E.Begin; });
  if (Next == Entries.begin())
    return Result;
  unsigned Begin = std::prev(Next)->Begin;
  for (auto I = Next; I != Entries.begin();) {
    --I;
    if (I->Begin != Begin)
      break;
    if (Offset <= I->End)
      Result.push_back(I->Function);
  }
  return Result;
}

// The body of the function definition that contains S, if indexed.
const Stmt *bodyOf(const Stmt *S, ASTContext &Ctx, Cache &C) {
  if (C.LastBody && contains(C.LastBody, S, C))
    return C.LastBody;
  for (const FunctionDecl *FD : bodiesAt(S->getBeginLoc(), Ctx, C))
    if (contains(FD->getBody(), S, C))
      return C.LastBody = FD->getBody();
  return nullptr;
}

// The DeclStmt that declares the local D, if found.
const DeclStmt *declStmtOf(const Decl *D, ASTContext &Ctx, Cache &C) {
  for (const FunctionDecl *FD : bodiesAt(D->getLocation(), Ctx, C)) {
    const Stmt *Body = FD->getBody();
    auto [It, New] = C.DeclStmts.try_emplace(Body);
    if (New)
      collectDeclStmts(Body, It->second);
    if (auto Found = It->second.find(D); Found != It->second.end())
      return Found->second;
  }
  return nullptr;
}

} // namespace

const ParentMap &bodyParents(const Stmt *Body, ASTContext &Ctx) {
  return parentMap(Body, cacheFor(Ctx));
}

DynTypedNodeList parentsOf(const DynTypedNode &N, ASTContext &Ctx) {
  Cache &C = cacheFor(Ctx);
  if (const auto *S = N.get<Stmt>()) {
    if (const Stmt *Body = bodyOf(S, Ctx, C)) {
      if (S == Body) {
        for (const FunctionDecl *FD : bodiesAt(S->getBeginLoc(), Ctx, C))
          if (FD->getBody() == Body)
            return DynTypedNodeList(DynTypedNode::create(*FD));
      } else if (const Stmt *P = parentMap(Body, C).getParent(S)) {
        // getParents() puts the variable between a DeclStmt and its
        // initializer.
        if (const auto *DS = dyn_cast<DeclStmt>(P))
          for (const Decl *D : DS->decls())
            if (const auto *VD = dyn_cast<VarDecl>(D); VD && VD->getInit() == S)
              return DynTypedNodeList(DynTypedNode::create(*VD));
        return DynTypedNodeList(DynTypedNode::create(*P));
      }
    }
  } else if (const auto *D = N.get<Decl>()) {
    if (isa<FunctionDecl>(D))
      return DynTypedNodeList(llvm::ArrayRef<DynTypedNode>());
    if (const auto *VD = dyn_cast<VarDecl>(D);
        VD && VD->isLocalVarDecl())
      if (const DeclStmt *DS = declStmtOf(VD, Ctx, C))
        return DynTypedNodeList(DynTypedNode::create(*DS));
  }
  return Ctx.getParents(N);
}


} // namespace clang::tidy::fearless
