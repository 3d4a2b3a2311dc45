// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- LambdaLocks.cpp - lambdas inherit the locks held where they run --===//

#include "LambdaLocks.h"
#include "ThreadBoundary.h"

#include "clang/AST/Attr.h"
#include "clang/AST/RecursiveASTVisitor.h"

namespace clang::tidy::fearless {

using namespace threadSafety;

namespace {

bool mentionsThisOrParam(const Stmt *S) {
  if (!S)
    return false;
  if (isa<CXXThisExpr>(S))
    return true;
  if (const auto *DRE = dyn_cast<DeclRefExpr>(S); DRE && isa<ParmVarDecl>(DRE->getDecl()))
    return true;
  for (const Stmt *Child : S->children())
    if (mentionsThisOrParam(Child))
      return true;
  return false;
}

// The expression at Loc that accesses or calls D.
const Expr *findAccess(const Stmt *S, SourceLocation Loc, const NamedDecl *D) {
  if (!S)
    return nullptr;
  if (const auto *E = dyn_cast<Expr>(S); E && E->getExprLoc() == Loc) {
    if (const auto *ME = dyn_cast<MemberExpr>(E); ME && ME->getMemberDecl() == D)
      return E;
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E); DRE && DRE->getDecl() == D)
      return E;
    if (const auto *CE = dyn_cast<CallExpr>(E);
        CE && CE->getCalleeDecl() &&
        CE->getCalleeDecl()->getCanonicalDecl() == D->getCanonicalDecl())
      return E;
  }
  for (const Stmt *Child : S->children())
    if (const Expr *Found = findAccess(Child, Loc, D))
      return Found;
  return nullptr;
}

const FunctionDecl *calleeOf(const Expr *E) {
  if (const auto *CE = dyn_cast<CallExpr>(E))
    return CE->getDirectCallee();
  if (const auto *CE = dyn_cast<CXXConstructExpr>(E))
    return CE->getConstructor();
  return nullptr;
}

llvm::ArrayRef<const Expr *> argsOf(const Expr *E) {
  if (const auto *CE = dyn_cast<CallExpr>(E))
    return {CE->getArgs(), CE->getNumArgs()};
  if (const auto *CE = dyn_cast<CXXConstructExpr>(E))
    return {CE->getArgs(), CE->getNumArgs()};
  return {};
}

// Whether a function template that takes a callable runs it before it
// returns, as far as we know: standard algorithms and condition-variable
// waits do; constructors and assignments (std::function, containers) store
// it, and so do the standard containers' members. User templates are taken
// to run it unless they are thread boundaries (FEARLESS_SPAWNS,
// SpawnFunctions), which are handled before this is asked.
bool runsArgumentBeforeReturning(const FunctionDecl *FD) {
  if (isa<CXXConstructorDecl>(FD) || FD->isOverloadedOperator() ||
      isa<CXXConversionDecl>(FD))
    return false;
  const auto *MD = dyn_cast<CXXMethodDecl>(FD);
  if (!FD->isInStdNamespace())
    return true;
  if (!MD)
    return true; // std::for_each, std::call_once, std::invoke, ...
  std::string Class = qualifiedName(MD->getParent());
  return Class == "std::condition_variable" ||
         Class == "std::condition_variable_any";
}

} // namespace

/// What one function body contains, for deciding how its lambdas run.
struct LambdaLocks::Scan : RecursiveASTVisitor<Scan> {
  std::vector<const LambdaExpr *> Lambdas; ///< defined directly in the body
  std::vector<const Expr *> Calls;         ///< calls outside nested lambdas
  llvm::DenseMap<const VarDecl *, unsigned> Refs; ///< uses, nested included
  llvm::DenseMap<const LambdaExpr *, const VarDecl *> VarOf;
  unsigned Depth = 0;

  bool shouldVisitTemplateInstantiations() const { return true; }

  bool TraverseLambdaExpr(LambdaExpr *L) {
    if (Depth == 0)
      Lambdas.push_back(L);
    ++Depth;
    bool Result = RecursiveASTVisitor::TraverseLambdaExpr(L);
    --Depth;
    return Result;
  }
  bool VisitCallExpr(CallExpr *E) {
    if (Depth == 0)
      Calls.push_back(E);
    return true;
  }
  bool VisitCXXConstructExpr(CXXConstructExpr *E) {
    if (Depth == 0)
      Calls.push_back(E);
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *E) {
    if (const auto *VD = dyn_cast<VarDecl>(E->getDecl()))
      ++Refs[VD];
    return true;
  }
  bool VisitVarDecl(VarDecl *VD) {
    if (Depth == 0 && VD->isLocalVarDecl() && !VD->isStaticLocal() &&
        VD->getInit())
      if (const auto *L =
              dyn_cast<LambdaExpr>(VD->getInit()->IgnoreUnlessSpelledInSource()))
        VarOf[L] = VD;
    return true;
  }
};

LambdaLocks::LambdaLocks(ASTContext &Ctx, ThreadSafetyEngine &Engine,
                         const llvm::DenseSet<const Expr *> &BoundaryArgs,
                         const llvm::DenseSet<const Expr *> &BoundarySites,
                         bool Inherit)
    : Ctx(Ctx), Engine(Engine), BoundaryArgs(BoundaryArgs),
      BoundarySites(BoundarySites), Inherit(Inherit) {}

LambdaLocks::~LambdaLocks() = default;

void LambdaLocks::run(const FunctionDecl *FD, EmitFn Emit) {
  if (Done.contains(FD))
    return;
  process(FD, Emit, nullptr, {});
}

bool LambdaLocks::isSynchronous(
    const LambdaExpr *L, const Scan &Parent,
    llvm::SmallVectorImpl<FunctionDecl *> &Callees) const {
  if (BoundaryArgs.contains(L))
    return false;
  const CXXRecordDecl *Closure = L->getLambdaClass();
  const VarDecl *Var = Parent.VarOf.lookup(L);
  // 1: the lambda itself, 2: the local variable it initialises.
  auto RefersTo = [&](const Expr *A) {
    A = A->IgnoreUnlessSpelledInSource();
    if (A == L)
      return 1;
    if (const auto *DRE = dyn_cast<DeclRefExpr>(A); DRE && Var &&
                                                   DRE->getDecl() == Var)
      return 2;
    return 0;
  };
  bool DirectUse = false;
  unsigned VarUses = 0;
  auto Count = [&](int R) {
    if (R == 1)
      DirectUse = true;
    else if (R == 2)
      ++VarUses;
  };
  for (const Expr *C : Parent.Calls) {
    const FunctionDecl *FD = calleeOf(C);
    if (!FD)
      continue;
    llvm::ArrayRef<const Expr *> Args = argsOf(C);
    // Called right here: lambda(...) or var(...).
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD);
        MD && isa<CXXOperatorCallExpr>(C) && MD->getParent() == Closure &&
        !Args.empty()) {
      Count(RefersTo(Args[0]));
      continue;
    }
    // Passed to a function template instantiated for this closure type
    // (std::for_each, condition_variable::wait, ...) that does not start a
    // thread: it runs the lambda before it returns.
    if (BoundarySites.contains(C) || !FD->isTemplateInstantiation() ||
        !runsArgumentBeforeReturning(FD))
      continue;
    unsigned Offset =
        isa<CXXOperatorCallExpr>(C) && isa<CXXMethodDecl>(FD) ? 1 : 0;
    for (unsigned I = Offset; I < Args.size(); ++I) {
      int R = RefersTo(Args[I]);
      unsigned P = I - Offset;
      if (!R || P >= FD->getNumParams())
        continue;
      const CXXRecordDecl *ParamRecord =
          FD->getParamDecl(P)->getType().getNonReferenceType()->getAsCXXRecordDecl();
      if (!ParamRecord ||
          ParamRecord->getCanonicalDecl() != Closure->getCanonicalDecl())
        continue;
      Count(R);
      Callees.push_back(const_cast<FunctionDecl *>(FD));
    }
  }
  if (Var)
    return VarUses > 0 && VarUses == Parent.Refs.lookup(Var);
  return DirectUse;
}

Expr *LambdaLocks::capabilityFor(const TSFinding &F, const FunctionDecl *Fn) {
  if (!F.IsMutexNotHeld || !F.D)
    return nullptr;
  llvm::SmallVector<Expr *, 2> Caps;
  switch (F.POK) {
  case POK_VarAccess:
  case POK_PassByRef:
  case POK_ReturnByRef:
    for (const auto *A : F.D->specific_attrs<GuardedByAttr>())
      Caps.push_back(A->getArg());
    break;
  case POK_VarDereference:
  case POK_PtPassByRef:
  case POK_PtReturnByRef:
    for (const auto *A : F.D->specific_attrs<PtGuardedByAttr>())
      Caps.push_back(A->getArg());
    break;
  case POK_FunctionCall:
    for (const auto *A : F.D->specific_attrs<RequiresCapabilityAttr>())
      for (Expr *Arg : A->args())
        Caps.push_back(Arg);
    break;
  default:
    break;
  }
  if (Caps.size() != 1)
    return nullptr;
  Expr *Cap = Caps.front();
  if (!mentionsThisOrParam(Cap))
    return Cap; // a global, or a static member
  // `mu_` of the same object as the guarded member: same `this`, or a local
  // variable's member rebuilt as `var.mu_`.
  const auto *CapMember = dyn_cast<MemberExpr>(Cap->IgnoreParenImpCasts());
  if (!CapMember ||
      !isa<CXXThisExpr>(CapMember->getBase()->IgnoreParenImpCasts()))
    return nullptr;
  const Expr *Access = findAccess(Fn->getBody(), F.Loc, F.D);
  const Expr *Base = nullptr;
  if (const auto *ME = dyn_cast_or_null<MemberExpr>(Access))
    Base = ME->getBase();
  else if (const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(Access))
    Base = MC->getImplicitObjectArgument();
  if (!Base)
    return nullptr;
  Base = Base->IgnoreParenImpCasts();
  if (isa<CXXThisExpr>(Base))
    return Cap;
  const auto *Ref = dyn_cast<DeclRefExpr>(Base);
  if (!Ref || !isa<VarDecl>(Ref->getDecl()))
    return nullptr;
  return MemberExpr::CreateImplicit(
      Ctx, const_cast<DeclRefExpr *>(Ref), Ref->getType()->isPointerType(),
      CapMember->getMemberDecl(), CapMember->getType(), VK_LValue,
      OK_Ordinary);
}

std::vector<std::pair<TSFinding, Expr *>>
LambdaLocks::resolve(std::vector<TSFinding> Findings) const {
  std::vector<std::pair<TSFinding, Expr *>> Out;
  for (TSFinding &F : Findings) {
    if (F.IsMutexNotHeld && F.POK == POK_FunctionCall && F.D) {
      if (LambdaInfo *Info = Annotated.lookup(F.D->getCanonicalDecl())) {
        // A member function template (condition_variable::wait) substitutes
        // its object for `this` in the requirement, so the lambda's `mu_`
        // reads `cv_.mu_` there; the engine then names a held `mu_` as the
        // near match, which is what the lambda needs.
        auto It = llvm::find_if(Info->Needs, [&](const auto &Entry) {
          StringRef Name = F.LockName, Key = Entry.first;
          return Name == Key || Name.ends_with(("." + Key).str()) ||
                 Name.ends_with(("->" + Key).str());
        });
        if (It != Info->Needs.end()) {
          if (F.LockName != It->first && F.NearMatch == It->first)
            continue;
          for (const TSFinding &Original : It->second.Originals)
            Out.emplace_back(Original, It->second.Cap);
          continue;
        }
      }
    }
    Out.emplace_back(std::move(F), nullptr);
  }
  return Out;
}

void LambdaLocks::process(const FunctionDecl *Fn, EmitFn Emit, LambdaInfo *Self,
                          llvm::ArrayRef<FunctionDecl *> Callees) {
  Done.insert(Fn);
  Scan S;
  S.TraverseStmt(Fn->getBody());
  const SourceManager &SM = Ctx.getSourceManager();

  for (const LambdaExpr *L : S.Lambdas) {
    llvm::SmallVector<const FunctionDecl *, 2> Ops;
    if (FunctionTemplateDecl *Generic = L->getDependentCallOperator()) {
      for (const FunctionDecl *Spec : Generic->specializations())
        Ops.push_back(Spec);
    } else {
      Ops.push_back(L->getCallOperator());
    }
    for (const FunctionDecl *Op : Ops) {
      if (Done.contains(Op) || !ThreadSafetyEngine::isAnalysable(Op, SM))
        continue;
      llvm::SmallVector<FunctionDecl *, 2> LambdaCallees;
      if (Inherit && isSynchronous(L, S, LambdaCallees)) {
        Infos.push_back(std::make_unique<LambdaInfo>());
        Infos.back()->L = L;
        process(Op, Emit, Infos.back().get(), LambdaCallees);
      } else {
        process(Op, Emit, nullptr, {});
      }
    }
  }

  auto First = resolve(Engine.analyse(Fn, SM));
  if (!Self) {
    for (const auto &[F, Cap] : First)
      Emit(F);
    return;
  }
  // A synchronous lambda: what it misses becomes a requirement checked
  // where it runs; everything else is reported as usual.
  for (const auto &[F, ChildCap] : First) {
    Expr *Cap = ChildCap ? ChildCap : capabilityFor(F, Fn);
    if (!Cap)
      continue;
    Need &N = Self->Needs[F.LockName];
    if (!N.Cap)
      N.Cap = Cap;
    N.Exclusive |= F.LK == LK_Exclusive;
    N.Originals.push_back(F);
  }
  if (Self->Needs.empty()) {
    for (const auto &[F, Cap] : First)
      Emit(F);
    return;
  }
  auto *Op = const_cast<FunctionDecl *>(Fn);
  for (auto &[Name, N] : Self->Needs) {
    Expr *Args[] = {N.Cap};
    auto *A = RequiresCapabilityAttr::CreateImplicit(
        Ctx, Args, 1, SourceRange(),
        N.Exclusive ? RequiresCapabilityAttr::GNU_requires_capability
                    : RequiresCapabilityAttr::GNU_requires_shared_capability);
    Op->addAttr(A);
    for (FunctionDecl *Callee : Callees)
      Callee->addAttr(A);
  }
  Annotated[Op->getCanonicalDecl()] = Self;
  for (FunctionDecl *Callee : Callees)
    Annotated[Callee->getCanonicalDecl()] = Self;
  for (const auto &[F, Cap] : resolve(Engine.analyse(Fn, SM)))
    Emit(F);
}

} // namespace clang::tidy::fearless
