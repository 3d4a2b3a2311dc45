// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- SharedRefCheck.cpp - fearless-shared-ref --------------------------===//

#include "SharedRefCheck.h"
#include "BodyParents.h"
#include "BoundaryScope.h"
#include "CheckRegistry.h"
#include "Crossing.h"
#include "UnderLock.h"

#include "clang/AST/ExprCXX.h"
#include "clang/Lex/Lexer.h"

namespace clang::tidy::fearless {

static RegisterCheck<SharedRefCheck> Registration("fearless-shared-ref");

namespace {

// The first use of D ('this' if null) in S between From and To (To invalid:
// to the end), outside the boundary expression Site.
const Stmt *useBetween(const Stmt *S, const Decl *D, const Stmt *Site,
                       SourceLocation From, SourceLocation To,
                       const SourceManager &SM) {
  // Captures of other lambdas are other threads (counted separately) or
  // calls on this thread through the lambda, not a direct use.
  if (!S || S == Site || isa<LambdaExpr>(S))
    return nullptr;
  bool IsUse = D ? (isa<DeclRefExpr>(S) && cast<DeclRefExpr>(S)->getDecl() == D)
                 : isa<CXXThisExpr>(S);
  if (IsUse && SM.isBeforeInTranslationUnit(From, S->getBeginLoc()) &&
      (To.isInvalid() || SM.isBeforeInTranslationUnit(S->getBeginLoc(), To)))
    return S;
  for (const Stmt *Child : S->children())
    if (const Stmt *Found = useBetween(Child, D, Site, From, To, SM))
      return Found;
  return nullptr;
}

// Calls \p F on every use of \p VD in \p S.
void forEachUse(const Stmt *S, const VarDecl *VD,
                llvm::function_ref<void(const DeclRefExpr *)> F) {
  if (!S)
    return;
  if (const auto *DRE = dyn_cast<DeclRefExpr>(S); DRE && DRE->getDecl() == VD)
    F(DRE);
  for (const Stmt *Child : S->children())
    forEachUse(Child, VD, F);
}

// Whether \p Arg hands the thread a heap object it owns from then on: a
// `new` expression, or a local pointer initialised by `new` that the
// spawner afterwards only deletes (when the spawn failed). A move (Send),
// not sharing (Sync).
bool ownershipMoved(const ThreadBoundary &B, const CrossingItem &Item,
                    ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  const VarDecl *VD = nullptr;
  for (const Expr *Arg : B.Crossing) {
    if (SM.isBeforeInTranslationUnit(Item.Loc, Arg->getBeginLoc()) ||
        SM.isBeforeInTranslationUnit(Arg->getEndLoc(), Item.Loc))
      continue;
    const Expr *E = Arg->IgnoreParenImpCasts();
    if (isa<CXXNewExpr>(E))
      return true;
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      VD = dyn_cast<VarDecl>(DRE->getDecl());
  }
  if (!VD || !VD->hasLocalStorage() || !VD->getType()->isPointerType() ||
      !VD->getInit() || !isa<CXXNewExpr>(VD->getInit()->IgnoreImplicit()))
    return false;
  const Stmt *Body = enclosingBody(B.Site, Ctx);
  bool OnlyDeleted = true;
  std::function<void(const Stmt *, bool)> Walk = [&](const Stmt *S,
                                                     bool InDelete) {
    if (!S || S == B.Site || !OnlyDeleted)
      return;
    if (const auto *DRE = dyn_cast<DeclRefExpr>(S);
        DRE && DRE->getDecl() == VD &&
        SM.isBeforeInTranslationUnit(B.Site->getEndLoc(), DRE->getBeginLoc()) &&
        !InDelete)
      OnlyDeleted = false;
    bool Del = InDelete || isa<CXXDeleteExpr>(S);
    for (const Stmt *C : S->children())
      Walk(C, Del);
  };
  Walk(Body, false);
  return OnlyDeleted;
}


// The member function a thread runs on `this`: std::thread(&C::run, this).
const CXXMethodDecl *memberRun(const ThreadBoundary &B) {
  for (const Expr *Arg : B.Crossing) {
    const auto *UO = dyn_cast<UnaryOperator>(Arg->IgnoreParenImpCasts());
    const auto *DRE =
        UO && UO->getOpcode() == UO_AddrOf
            ? dyn_cast<DeclRefExpr>(UO->getSubExpr()->IgnoreParenImpCasts())
            : nullptr;
    if (const auto *MD =
            DRE ? dyn_cast<CXXMethodDecl>(DRE->getDecl()) : nullptr;
        MD && MD->isInstance())
      return MD;
  }
  return nullptr;
}

// `&v[k]`, `v[k].f` or `std::ref(v[k].f)`: the container v, the index k
// and the members after it (".f").
bool elementAddress(const Expr *E, const Expr *&Container, const Expr *&Index,
                    std::string &Path) {
  llvm::StringRef Wrapper;
  const Expr *Sub = unwrapStdCall(E->IgnoreParenImpCasts(), Wrapper);
  if (const auto *UO = dyn_cast<UnaryOperator>(Sub);
      UO && UO->getOpcode() == UO_AddrOf)
    Sub = UO->getSubExpr()->IgnoreParenImpCasts();
  while (const auto *ME = dyn_cast<MemberExpr>(Sub)) {
    if (ME->isArrow())
      return false;
    Path = "." + ME->getMemberDecl()->getNameAsString() + Path;
    Sub = ME->getBase()->IgnoreParenImpCasts();
  }
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(Sub)) {
    Container = AS->getBase();
    Index = AS->getIdx();
    return true;
  }
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Sub);
      Op && Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2) {
    Container = Op->getArg(0);
    Index = Op->getArg(1);
    return true;
  }
  return false;
}

std::string textOf(const Expr *E, ASTContext &Ctx) {
  return Lexer::getSourceText(
             CharSourceRange::getTokenRange(E->IgnoreParenImpCasts()
                                                ->getSourceRange()),
             Ctx.getSourceManager(), Ctx.getLangOpts())
      .str();
}

// Whether \p Arg is an element the spawner keeps for itself: `&v[0]` while
// the threads started by \p B in `for (i = 1; ...; ++i)` are each handed
// `&v[i]` -- the disjoint parts of a fork-join (Rust's split_at_mut).
bool ownElement(const Expr *Arg, const ThreadBoundary &B, ASTContext &Ctx,
                Publication &Pub) {
  const Expr *Container = nullptr, *Index = nullptr;
  std::string Path;
  if (!elementAddress(Arg, Container, Index, Path))
    return false;
  Expr::EvalResult Mine;
  if (!Index->EvaluateAsInt(Mine, Ctx))
    return false;
  for (const Expr *Crossing : B.Crossing) {
    const Expr *C = nullptr, *I = nullptr;
    std::string P;
    if (!elementAddress(Crossing, C, I, P) || P != Path ||
        textOf(C, Ctx) != textOf(Container, Ctx))
      continue;
    const auto *DRE = dyn_cast<DeclRefExpr>(I->IgnoreParenImpCasts());
    const auto *Var = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    Expr::EvalResult First;
    if (!Var || !Var->getInit() || !Var->getInit()->EvaluateAsInt(First, Ctx) ||
        First.Val.getInt().getExtValue() <= Mine.Val.getInt().getExtValue())
      continue;
    // The loop around the spawn declares the index and only counts it up.
    const Stmt *Body = enclosingBody(B.Site, Ctx);
    const ParentMap &PM = bodyParents(Body, Ctx);
    for (const Stmt *S = B.Site; S; S = PM.getParent(S)) {
      const auto *For = dyn_cast<ForStmt>(S);
      if (!For)
        continue;
      const auto *Init = dyn_cast_or_null<DeclStmt>(For->getInit());
      const auto *Inc =
          dyn_cast_or_null<UnaryOperator>(For->getInc()
                                              ? For->getInc()->IgnoreParenImpCasts()
                                              : nullptr);
      if (Init && Init->isSingleDecl() && Init->getSingleDecl() == Var && Inc &&
          Inc->isIncrementOp() &&
          Pub.writesIn(Var, For->getBody()).empty())
        return true;
      break;
    }
  }
  return false;
}

// Whether the class of `this` has a mutable member that is not
// thread-safe: a const member function may then write it.
bool hasMutableState(QualType T, TypeProperties &Props) {
  const auto *RD = T->getAsCXXRecordDecl();
  if (!RD || !RD->hasDefinition())
    return true;
  for (const FieldDecl *F : RD->fields())
    if (F->isMutable() && !F->getType()->isDependentType() &&
        !Props.get(F->getType().getUnqualifiedType(), Property::ThreadSafe)
             .Holds)
      return true;
  return false;
}

constexpr llvm::StringLiteral Message =
    "'%0' is %select{||||captured by reference|passed by reference|passed "
    "by pointer|captured|captured|passed|captured}1 into %2 but '%3' is not "
    "%select{Sync|thread-safe}4";

} // namespace

WriteThrough SharedRefCheck::threadWrites(const Stmt *Run,
                                          const FunctionDecl *Method,
                                          const VarDecl *Var) {
  if (Method)
    return Writes->of(Method, -1);
  return Writes->in(Run, Var);
}

void SharedRefCheck::checkBoundary(const ThreadBoundary &B, ASTContext &Ctx) {
  if (Unit != &Ctx || !Writes)
    Writes = std::make_unique<WritesThrough>(Ctx, props());
  Unit = &Ctx;
  const SourceManager &SM = Ctx.getSourceManager();
  for (const CrossingItem &Item : crossingItems(B, Ctx)) {
    if (!Item.IsReference || Item.Type.isNull() ||
        Item.Type->isDependentType() || props().guardPath(Item.Type))
      continue;
    const Verdict &V = props().shareable(Item.Type);
    if (V.Holds || V.GuardOnly)
      continue;
    bool Const = Item.Type.isConstQualified();
    // An argument with no name of its own (manager.get()) is named by its
    // referent.
    std::string Name = !Item.Name.empty() ? Item.Name
                       : Item.Referent    ? Item.Referent->getNameAsString()
                                          : "argument";
    std::string Type = props().print(Item.Type.getUnqualifiedType());
    if (Const) {
      // Several threads may always read at once: Sync is required.
      diag(Item.Loc, Message) << Name << static_cast<int>(Item.How)
                              << describeBoundary(B) << Type << 0;
      emitChain(V, Item.Loc);
      continue;
    }
    const Decl *Referent = Item.IsThis ? nullptr : Item.Referent;
    if (!Const && !Item.IsThis && ownershipMoved(B, Item, Ctx))
      continue;
    if (!Referent && !Item.IsThis) {
      // An unknown referent (a pointer parameter): only its lifetime class
      // is known; a boundary that is not scoped still shares it.
      if (scopedFor(B, nullptr, Ctx).Scoped)
        continue;
    }
    // Every use inside the callable under a lock: the guarded-by checks'.
    if ((Referent || Item.IsThis) &&
        everyUseUnderLock(Item.CallableBody, Referent, Ctx))
      continue;

    Sharing S{Item.Loc, B.Site->getBeginLoc(), Name, describeBoundary(B), Type,
              static_cast<int>(Item.How), V};
    S.CallableBody = Item.CallableBody;
    // What the thread does with it decides (DESIGN §12): a thread that
    // only reads needs Sync, as a const reference would.
    const auto *RefVar = dyn_cast_or_null<VarDecl>(Referent);
    S.ReadOnly = RefVar && Item.CallableBody &&
                 publication(Ctx).writesIn(RefVar, Item.CallableBody).empty() &&
                 props().shareable(Item.Type.withConst()).Holds;
    // `this`, or a pointer local, shared with a thread that writes nothing
    // it reaches through it (model/WritesThrough.h): read-only sharing,
    // whatever the raw pointers the object holds point to.
    const CXXMethodDecl *Method =
        Item.IsThis && !Item.CallableBody ? memberRun(B) : nullptr;
    const auto *Pointer =
        RefVar && RefVar->getType()->isPointerType() ? RefVar : nullptr;
    WriteThrough ThreadWrite;
    if (!S.ReadOnly && (Item.IsThis ? (Item.CallableBody || Method) &&
                                          !hasMutableState(Item.Type, props())
                                    : Pointer && Item.CallableBody &&
                                          publication(Ctx)
                                              .writesIn(Pointer,
                                                        Item.CallableBody)
                                              .empty())) {
      ThreadWrite = threadWrites(Item.CallableBody, Method, Pointer);
      S.ReadOnly = !ThreadWrite;
      S.Write = ThreadWrite;
    }
    // Is another thread (or the spawner) possibly using it meanwhile?
    const auto *RefVD = dyn_cast_or_null<ValueDecl>(Referent);
    ScopeAnswer A = scopedFor(B, RefVD, Ctx);
    S.JoinLoc = A.JoinLoc;
    const Stmt *Body = enclosingBody(B.Site, Ctx);
    std::string Subject = "'" + Name + "'";
    const auto *Local = dyn_cast_or_null<VarDecl>(RefVD);
    bool Dangling = !A.Scoped && Local && Local->hasLocalStorage() &&
                    !Local->getType()->isReferenceType();
    if (Dangling) {
      // A local borrowed past its lifetime: fearless-dangling-ref reports it,
      // and the race is the lesser problem. Not reported twice.
      S.Reported = true;
    } else if (!A.Scoped) {
      report(S);
      diag(A.WhyLoc.isValid() ? A.WhyLoc : S.Site,
           "the thread is not joined before the spawner goes on, so both may "
           "use " + Subject + " at once: %0",
           DiagnosticIDs::Note)
          << A.Why;
      S.Reported = true;
    } else if (!S.ReadOnly && inLoopAround(B.Site, Referent, Ctx)) {
      report(S);
      diag(S.Site, "the thread is started in a loop, so several threads "
                   "share " + Subject,
           DiagnosticIDs::Note);
      S.Reported = true;
    } else if (const Stmt *Use =
                   S.ReadOnly ? (RefVar ? publication(Ctx).writeBetween(
                                              RefVar, Body, B.Site->getEndLoc(),
                                              A.JoinLoc)
                                        : nullptr)
                   : Referent || Item.IsThis
                       ? useBetween(Body, Referent, B.Site, B.Site->getEndLoc(),
                                    A.JoinLoc, SM)
                       : nullptr) {
      report(S);
      diag(Use->getBeginLoc(),
           Subject + " is used here while the thread may still be running",
           DiagnosticIDs::Note);
      S.Reported = true;
    } else if (WriteThrough W =
                   S.ReadOnly && (Item.IsThis || Pointer)
                       ? Writes->in(Body, Pointer, B.Site->getEndLoc(),
                                    A.JoinLoc, B.Site,
                                    [&](const Expr *Arg) {
                                      return ownElement(Arg, B, Ctx,
                                                        publication(Ctx));
                                    })
                       : WriteThrough()) {
      // The spawner writes through it before the join: not read-only.
      S.ReadOnly = false;
      report(S);
      diag(W.Loc,
           "the spawner writes through " + Subject +
               " while the thread may still be running: it " + W.What,
           DiagnosticIDs::Note);
      S.Reported = true;
    }
    if (S.Reported && !Dangling && ThreadWrite)
      diag(ThreadWrite.Loc,
           "the thread writes through " + Subject + ": it " + ThreadWrite.What,
           DiagnosticIDs::Note);
    if (S.Reported && !Dangling)
      emitChain(V, Item.Loc);
    if (Referent || Item.IsThis)
      Shared[{Body, Referent}].push_back(std::move(S));
  }
}

bool SharedRefCheck::sharedSafely(const Decl *Referent,
                                  const std::vector<Sharing> &List) {
  // Only readers: fork-join code over shared state.
  if (!List.empty() &&
      llvm::all_of(List, [](const Sharing &S) { return S.ReadOnly; }))
    return true;
  const auto *VD = dyn_cast_or_null<VarDecl>(Referent);
  if (!VD || List.empty() || !Unit)
    return false;
  // Written by threads: safe only when every use on every thread is
  // published (a release store after the writes, an acquire load before
  // the reads).
  Publication &P = publication(*Unit);
  for (const Sharing &S : List) {
    if (!S.CallableBody)
      return false;
    bool Safe = true;
    forEachUse(S.CallableBody, VD, [&](const DeclRefExpr *Use) {
      Safe = Safe && P.published(VD, Use) != Published::No;
    });
    if (!Safe)
      return false;
  }
  return true;
}

void SharedRefCheck::report(const Sharing &S) {
  diag(S.Loc, Message) << S.Name << S.How << S.Boundary << S.Type << 1;
}

void SharedRefCheck::endOfUnit() {
  // The same referent handed to several threads of one function.
  for (auto &[Key, List] : Shared) {
    if (sharedSafely(Key.second, List))
      continue;
    for (Sharing &S : List) {
      if (S.Reported)
        continue;
      const Sharing *Other = nullptr;
      // Threads joined before the other spawn never run beside it (one
      // fork-join after another).
      auto Before = [&](const Sharing &A, const Sharing &B) {
        return A.JoinLoc.isValid() && Unit &&
               Unit->getSourceManager().isBeforeInTranslationUnit(A.JoinLoc,
                                                                  B.Site);
      };
      for (const Sharing &O : List)
        if (O.Site != S.Site && !Before(O, S) && !Before(S, O))
          Other = &O;
      if (!Other)
        continue;
      report(S);
      diag(Other->Site, "'" + S.Name + "' is also shared with the thread "
                        "started here",
           DiagnosticIDs::Note);
      if (S.Write)
        diag(S.Write.Loc, "the thread writes through '" + S.Name + "': it " +
                              S.Write.What,
             DiagnosticIDs::Note);
      for (const ReasonStep &Step : S.Why.Chain)
        diag(Step.Loc.isValid() ? Step.Loc : S.Loc, "%0", DiagnosticIDs::Note)
            << Step.Text;
      S.Reported = true;
    }
  }
  Shared.clear();
  Writes.reset();
}

} // namespace clang::tidy::fearless
