// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Publication.cpp - shared data made safe without a lock -----------===//

#include "Publication.h"
#include "Accesses.h"
#include "BoundaryScope.h"
#include "Callables.h"
#include "UnitModel.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"

namespace clang::tidy::fearless {

const char *describe(Published P) {
  switch (P) {
  case Published::No:
    return "not published";
  case Published::NeverWritten:
    return "never written after its initialiser";
  case Published::BeforeThreads:
    return "written only before the first thread starts";
  case Published::CallOnce:
    return "built under std::call_once";
  case Published::ReleaseAcquire:
    return "published by a release store and read after an acquire load";
  }
  return "";
}

namespace {

bool before(SourceLocation A, SourceLocation B, const SourceManager &SM) {
  return SM.isBeforeInTranslationUnit(A, B);
}

// The variable or field an atomic operation's object names.
const Decl *atomicKey(const Expr *Obj) {
  Obj = Obj->IgnoreParenImpCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(Obj))
    return DRE->getDecl()->getCanonicalDecl();
  if (const auto *ME = dyn_cast<MemberExpr>(Obj))
    return ME->getMemberDecl()->getCanonicalDecl();
  return nullptr;
}

bool isAtomicType(QualType T) {
  const auto *RD = T.isNull() ? nullptr : T->getAsCXXRecordDecl();
  if (!RD)
    return false;
  std::string Name = RD->getQualifiedNameAsString();
  return Name == "std::atomic" || Name == "std::atomic_ref" ||
         Name == "std::atomic_flag" || Name.rfind("std::__atomic", 0) == 0;
}

// std::memory_order's value in \p Args (seq_cst when none is given):
// relaxed 0, consume 1, acquire 2, release 3, acq_rel 4, seq_cst 5.
int memoryOrder(llvm::ArrayRef<const Expr *> Args, const ASTContext &Ctx) {
  for (const Expr *Arg : Args) {
    const auto *ET = Arg->IgnoreParenImpCasts()->getType()->getAs<EnumType>();
    if (!ET || ET->getDecl()->getName() != "memory_order")
      continue;
    Expr::EvalResult R;
    if (Arg->EvaluateAsInt(R, Ctx))
      return static_cast<int>(R.Val.getInt().getExtValue());
    return 0; // not a constant: assume the weakest
  }
  return 5;
}

class UnitScan : public RecursiveASTVisitor<UnitScan> {
public:
  explicit UnitScan(WriteFinder &W) : W(W) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldVisitLambdaBody() const { return true; }

  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && UnitModel::isSystem(D))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }
  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (UnitModel::isAnalysable(FD) && FD->getBody() &&
        !(isa<CXXMethodDecl>(FD) && cast<CXXMethodDecl>(FD)->getParent()->isLambda()))
      W.TraverseStmt(FD->getBody());
    return true;
  }
  bool VisitCallExpr(CallExpr *CE) {
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD)
      return true;
    if (const auto *DRE =
            dyn_cast<DeclRefExpr>(CE->getCallee()->IgnoreParenImpCasts()))
      CalleeRefs.insert(DRE);
    Calls[FD->getCanonicalDecl()].push_back(CE);
    if (FD->getQualifiedNameAsString() == "std::call_once" &&
        CE->getNumArgs() >= 2)
      Once.push_back(CE);
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *DRE) {
    if (const auto *FD = dyn_cast<FunctionDecl>(DRE->getDecl());
        FD && !CalleeRefs.contains(DRE))
      AddressTaken.insert(FD->getCanonicalDecl());
    return true;
  }

  WriteFinder &W;
  llvm::DenseSet<const DeclRefExpr *> CalleeRefs;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<const CallExpr *, 2>>
      Calls;
  llvm::SmallVector<const CallExpr *, 4> Once;
  llvm::DenseSet<const FunctionDecl *> AddressTaken;
};

} // namespace

Publication::Publication(ASTContext &Ctx,
                         llvm::ArrayRef<ThreadBoundary> Boundaries)
    : Ctx(Ctx), Boundaries(Boundaries) {
  build();
}

void Publication::build() {
  WriteFinder W;
  UnitScan Scan(W);
  Scan.TraverseDecl(Ctx.getTranslationUnitDecl());
  for (const DeclRefExpr *DRE : W.VarWrites)
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl())) {
      Writes[VD->getCanonicalDecl()].push_back(DRE);
      AllWrites.insert(DRE);
    }
  CallsOf = std::move(Scan.Calls);
  AddressTaken = std::move(Scan.AddressTaken);
  for (const CallExpr *C : Scan.Once)
    if (const Stmt *Body = callableBody(C->getArg(1))) {
      OnceBodies.try_emplace(Body, C);
      OnceCalls.push_back(C);
    }
  addSpawners();
}

const Stmt *Publication::bodyOf(const Stmt *S, const Decl **Function) {
  if (!Function) {
    auto [It, New] = BodyCache.try_emplace(S, nullptr);
    if (New)
      It->second = enclosingBody(S, Ctx);
    return It->second;
  }
  return enclosingBody(S, Ctx, Function);
}

void Publication::addSpawners() {
  llvm::SmallVector<const FunctionDecl *, 8> Work;
  auto Add = [&](const FunctionDecl *FD) {
    if (FD && Spawners.insert(FD->getCanonicalDecl()).second)
      Work.push_back(FD->getCanonicalDecl());
  };
  for (const ThreadBoundary &B : Boundaries) {
    const Decl *F = nullptr;
    if (const Stmt *Body = bodyOf(B.Site, &F)) {
      SpawnPoints[Body].push_back(B.Site);
      Add(dyn_cast_or_null<FunctionDecl>(F));
    }
  }
  while (!Work.empty()) {
    const FunctionDecl *FD = Work.pop_back_val();
    auto It = CallsOf.find(FD);
    if (It == CallsOf.end())
      continue;
    for (const CallExpr *C : It->second) {
      const Decl *F = nullptr;
      if (const Stmt *Body = bodyOf(C, &F)) {
        SpawnPoints[Body].push_back(C);
        Add(dyn_cast_or_null<FunctionDecl>(F));
      }
    }
  }
}

bool Publication::beforeSpawnPoints(SourceRange R, const Stmt *Body,
                                    const FunctionDecl *FD) {
  const SourceManager &SM = Ctx.getSourceManager();
  auto It = SpawnPoints.find(Body);
  if (It == SpawnPoints.end())
    return true;
  for (const Stmt *P : It->second) {
    if (P->getSourceRange() == R)
      continue; // the call being asked about
    if (!before(R.getEnd(), P->getBeginLoc(), SM))
      return false;
    // A loop around the spawn runs the write again after it.
    DynTypedNode N = DynTypedNode::create(*P);
    for (int Depth = 0; Depth < 64; ++Depth) {
      auto Parents = Ctx.getParents(N);
      if (Parents.empty())
        break;
      N = Parents[0];
      const Stmt *S = N.get<Stmt>();
      if (!S || S == Body)
        break;
      if ((isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(S)) &&
          !before(R.getBegin(), S->getBeginLoc(), SM) &&
          !before(S->getEndLoc(), R.getBegin(), SM))
        return false;
    }
  }
  return true;
}

bool Publication::beforeThreads(const DeclRefExpr *W) {
  const Decl *F = nullptr;
  const Stmt *Body = bodyOf(W, &F);
  const auto *FD = dyn_cast_or_null<FunctionDecl>(F);
  if (!Body || !FD || !beforeSpawnPoints(W->getSourceRange(), Body, FD))
    return false;
  // A local written by its own function before that function starts a
  // thread: no other thread can see it yet.
  const auto *VD = cast<VarDecl>(W->getDecl());
  if (VD->hasLocalStorage())
    return VD->getParentFunctionOrMethod() == dyn_cast<DeclContext>(F);
  // Does FD run before any thread starts? main does; another function
  // does when it is only ever called from such a place.
  std::function<bool(const FunctionDecl *, int)> Runs =
      [&](const FunctionDecl *Fn, int Depth) -> bool {
    if (Fn->isMain())
      return true;
    if (const auto *MD = dyn_cast<CXXMethodDecl>(Fn); MD && MD->getParent()->isLambda())
      return false;
    const FunctionDecl *Key = Fn->getCanonicalDecl();
    auto [It, New] = RunsBefore.try_emplace(Key, false);
    if (!New || Depth > 8)
      return It->second;
    auto Calls = CallsOf.find(Key);
    if (AddressTaken.contains(Key) || Calls == CallsOf.end() ||
        Calls->second.empty())
      return false;
    for (const CallExpr *C : Calls->second) {
      const Decl *G = nullptr;
      const Stmt *GBody = bodyOf(C, &G);
      const auto *GFD = dyn_cast_or_null<FunctionDecl>(G);
      if (!GBody || !GFD || !beforeSpawnPoints(C->getSourceRange(), GBody, GFD) ||
          !Runs(GFD, Depth + 1))
        return false;
    }
    return RunsBefore[Key] = true;
  };
  return Runs(FD, 0);
}

bool Publication::onceWrite(const DeclRefExpr *W) {
  return OnceBodies.contains(bodyOf(W));
}

bool Publication::afterCallOnce(const VarDecl *VD, const DeclRefExpr *Use) {
  const Stmt *Body = bodyOf(Use);
  if (OnceBodies.contains(Body))
    return true;
  const SourceManager &SM = Ctx.getSourceManager();
  for (const CallExpr *C : OnceCalls) {
    if (bodyOf(C) != Body || !before(C->getEndLoc(), Use->getBeginLoc(), SM))
      continue;
    const Stmt *Once = callableBody(C->getArg(1));
    if (Once && !writesIn(VD, Once).empty())
      return true;
  }
  return false;
}

const llvm::SmallVector<Publication::AtomicOp, 4> &
Publication::atomicsIn(const Stmt *Body) {
  auto [It, New] = Atomics.try_emplace(Body);
  if (!New)
    return It->second;
  llvm::SmallVector<AtomicOp, 4> Ops;
  std::function<void(const Stmt *, bool)> Walk = [&](const Stmt *S,
                                                     bool InCond) {
    if (!S || isa<LambdaExpr>(S))
      return;
    const Expr *Obj = nullptr;
    llvm::StringRef Name;
    llvm::SmallVector<const Expr *, 3> Args;
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
      Obj = MC->getImplicitObjectArgument();
      if (const auto *MD = MC->getMethodDecl()) {
        if (isa<CXXConversionDecl>(MD))
          Name = "load";
        else if (MD->getDeclName().isIdentifier())
          Name = MD->getName();
      }
      Args.append(MC->arg_begin(), MC->arg_end());
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
               Op && Op->getNumArgs() >= 1) {
      Obj = Op->getArg(0);
      Name = Op->isAssignmentOp() ? "store" : "exchange";
    }
    if (Obj && isAtomicType(Obj->IgnoreParenImpCasts()->getType())) {
      if (const Decl *Key = atomicKey(Obj)) {
        int Order = memoryOrder(Args, Ctx);
        bool Load = Name == "load" || Name == "test";
        bool Store = Name == "store" || Name == "clear";
        AtomicOp A;
        A.Atomic = Key;
        A.Loc = S->getBeginLoc();
        A.Acquire = !Store && (Order == 1 || Order == 2 || Order >= 4);
        A.Release = !Load && Order >= 3;
        A.InCondition = InCond;
        Ops.push_back(A);
      }
    }
    auto Child = [&](const Stmt *C, bool Cond) { Walk(C, InCond || Cond); };
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      Child(If->getInit(), false);
      Child(If->getCond(), true);
      Child(If->getThen(), false);
      Child(If->getElse(), false);
      return;
    }
    if (const auto *W = dyn_cast<WhileStmt>(S)) {
      Child(W->getCond(), true);
      Child(W->getBody(), false);
      return;
    }
    if (const auto *D = dyn_cast<DoStmt>(S)) {
      Child(D->getBody(), false);
      Child(D->getCond(), true);
      return;
    }
    if (const auto *F = dyn_cast<ForStmt>(S)) {
      Child(F->getInit(), false);
      Child(F->getCond(), true);
      Child(F->getInc(), false);
      Child(F->getBody(), false);
      return;
    }
    if (const auto *C = dyn_cast<ConditionalOperator>(S)) {
      Child(C->getCond(), true);
      Child(C->getTrueExpr(), false);
      Child(C->getFalseExpr(), false);
      return;
    }
    for (const Stmt *C : S->children())
      Child(C, false);
  };
  Walk(Body, false);
  It->second = std::move(Ops);
  return It->second;
}

llvm::SmallVector<const Decl *, 2>
Publication::releasedAfter(const DeclRefExpr *W) {
  llvm::SmallVector<const Decl *, 2> Result;
  const Stmt *Body = bodyOf(W);
  if (!Body)
    return Result;
  const SourceManager &SM = Ctx.getSourceManager();
  for (const AtomicOp &Op : atomicsIn(Body))
    if (Op.Release && before(W->getEndLoc(), Op.Loc, SM) &&
        !llvm::is_contained(Result, Op.Atomic))
      Result.push_back(Op.Atomic);
  return Result;
}

bool Publication::acquiredBefore(const Decl *Atomic, const DeclRefExpr *Use) {
  const Stmt *Body = bodyOf(Use);
  if (!Body)
    return false;
  const SourceManager &SM = Ctx.getSourceManager();
  for (const AtomicOp &Op : atomicsIn(Body))
    if (Op.Atomic == Atomic && Op.Acquire && Op.InCondition &&
        before(Op.Loc, Use->getBeginLoc(), SM))
      return true;
  return false;
}

llvm::SmallVector<const DeclRefExpr *, 4>
Publication::writesIn(const VarDecl *VD, const Stmt *Body) {
  llvm::SmallVector<const DeclRefExpr *, 4> Result;
  auto It = Writes.find(VD->getCanonicalDecl());
  if (It == Writes.end() || !Body)
    return Result;
  SourceRange R = Body->getSourceRange();
  const SourceManager &SM = Ctx.getSourceManager();
  for (const DeclRefExpr *W : It->second)
    if (!before(W->getBeginLoc(), R.getBegin(), SM) &&
        !before(R.getEnd(), W->getBeginLoc(), SM))
      Result.push_back(W);
  return Result;
}

const DeclRefExpr *Publication::writeBetween(const VarDecl *VD,
                                             const Stmt *Body,
                                             SourceLocation From,
                                             SourceLocation To) {
  const SourceManager &SM = Ctx.getSourceManager();
  for (const DeclRefExpr *W : writesIn(VD, Body))
    if (bodyOf(W) == Body && before(From, W->getBeginLoc(), SM) &&
        (To.isInvalid() || before(W->getBeginLoc(), To, SM)))
      return W;
  return nullptr;
}

Published Publication::published(const VarDecl *VD, const DeclRefExpr *Use) {
  VD = VD->getCanonicalDecl();
  auto It = Writes.find(VD);
  bool UseWrites = AllWrites.contains(Use);
  if (It == Writes.end() || It->second.empty()) {
    const SourceManager &SM = Ctx.getSourceManager();
    const VarDecl *Def = VD->getDefinition();
    bool Seen = VD->isStaticLocal() || !VD->isExternallyVisible() ||
                (Def && SM.isInMainFile(SM.getExpansionLoc(Def->getLocation())));
    return Seen && VD->hasGlobalStorage() ? Published::NeverWritten
                                          : Published::No;
  }
  llvm::SmallVector<const DeclRefExpr *, 4> Rest;
  bool Once = false;
  for (const DeclRefExpr *W : It->second) {
    if (onceWrite(W))
      Once = true;
    else if (!beforeThreads(W))
      Rest.push_back(W);
  }
  if (Rest.empty()) {
    if (!Once)
      return UseWrites ? Published::No : Published::BeforeThreads;
    if (UseWrites ? onceWrite(Use) : afterCallOnce(VD, Use))
      return Published::CallOnce;
    return Published::No;
  }
  if (Once)
    return Published::No;
  // Release/acquire: every other write is followed by a release store of
  // an atomic that the use acquires first.
  llvm::SmallVector<const Decl *, 2> Common = releasedAfter(Rest.front());
  const Stmt *WriterBody = bodyOf(Rest.front());
  for (const DeclRefExpr *W : llvm::drop_begin(Rest)) {
    auto Mine = releasedAfter(W);
    llvm::erase_if(Common, [&](const Decl *A) { return !llvm::is_contained(Mine, A); });
    if (bodyOf(W) != WriterBody)
      WriterBody = nullptr;
  }
  if (Common.empty())
    return Published::No;
  if (UseWrites)
    return WriterBody && bodyOf(Use) == WriterBody ? Published::ReleaseAcquire
                                                   : Published::No;
  if (WriterBody && bodyOf(Use) == WriterBody)
    return Published::ReleaseAcquire; // the writer reads its own writes
  for (const Decl *A : Common)
    if (acquiredBefore(A, Use))
      return Published::ReleaseAcquire;
  return Published::No;
}

} // namespace clang::tidy::fearless
