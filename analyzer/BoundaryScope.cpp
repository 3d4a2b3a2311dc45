// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- BoundaryScope.cpp - is a thread boundary scoped? ------------------===//

#include "BoundaryScope.h"
#include "model/UnitModel.h"
#include "BodyParents.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::fearless {

namespace {

// Where the thread object (or future, or container of them) lives.
struct Handle {
  const VarDecl *Var = nullptr;     ///< a variable (local or not)
  const FieldDecl *Field = nullptr; ///< a member of the class
  bool Detached = false;            ///< std::thread(f).detach()
  bool Discarded = false;           ///< a temporary destroyed at the ';'
  /// A temporary joined (a future waited for) in the same expression:
  /// `std::thread(f).join()`, `std::async(f).get()`.
  bool JoinedAtOnce = false;
  SourceLocation DetachLoc;
};

const DynTypedNode *firstParent(const DynTypedNode &N, ASTContext &Ctx,
                                DynTypedNodeList &Storage) {
  Storage = parentsOf(N, Ctx);
  return Storage.empty() ? nullptr : &Storage[0];
}

void setFromLValue(Handle &H, const Expr *E) {
  E = E->IgnoreParenImpCasts();
  // An element of a container or array: pool[i] = std::thread(...).
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
      Op && Op->getOperator() == OO_Subscript && Op->getNumArgs() == 2)
    return setFromLValue(H, Op->getArg(0));
  if (const auto *Sub = dyn_cast<ArraySubscriptExpr>(E))
    return setFromLValue(H, Sub->getBase());
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    H.Var = dyn_cast<VarDecl>(Ref->getDecl());
  else if (const auto *Member = dyn_cast<MemberExpr>(E))
    H.Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
}

Handle findHandle(const ThreadBoundary &B, ASTContext &Ctx) {
  Handle H;
  if (B.ContainerObject) {
    setFromLValue(H, B.ContainerObject);
    return H;
  }
  DynTypedNode N = DynTypedNode::create(*B.Site);
  DynTypedNodeList Storage = parentsOf(N, Ctx);
  for (int Depth = 0; Depth < 16; ++Depth) {
    const DynTypedNode *P = firstParent(N, Ctx, Storage);
    if (!P)
      return H;
    if (const auto *VD = P->get<VarDecl>()) {
      H.Var = VD;
      return H;
    }
    if (const auto *Init = P->get<CXXCtorInitializer>()) {
      H.Field = Init->getMember();
      return H;
    }
    if (const auto *Field = P->get<FieldDecl>()) {
      // A default member initialiser: `std::thread t_{[this] { run(); }};`.
      H.Field = Field;
      return H;
    }
    if (const auto *Ctor = P->get<CXXConstructorDecl>()) {
      // A member initialiser: the parent map skips the CXXCtorInitializer.
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->getInit() && N.get<Expr>() == Init->getInit())
          H.Field = Init->getMember();
      return H;
    }
    if (const auto *E = P->get<Expr>()) {
      // `thread_.reset(new std::thread(...))`: the handle is the smart
      // pointer the new thread goes into.
      if (isa<MaterializeTemporaryExpr, CXXBindTemporaryExpr, ImplicitCastExpr,
              ParenExpr, CXXFunctionalCastExpr, ExprWithCleanups,
              CXXNewExpr>(E)) {
        N = *P;
        continue;
      }
      if (const auto *Ctor = dyn_cast<CXXConstructExpr>(E);
          Ctor && Ctor->getConstructor()->isCopyOrMoveConstructor()) {
        N = *P;
        continue;
      }
      if (const auto *Member = dyn_cast<MemberExpr>(E)) {
        const NamedDecl *Called = Member->getMemberDecl();
        if (Called->getDeclName().isIdentifier()) {
          StringRef Name = Called->getName();
          if (Name == "detach") {
            H.Detached = true;
            H.DetachLoc = Member->getMemberLoc();
          }
          H.JoinedAtOnce = Name == "join" || Name == "get" || Name == "wait";
        }
        return H;
      }
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
          Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
        setFromLValue(H, Op->getArg(0));
        return H;
      }
      if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
        const auto *MD = Call->getMethodDecl();
        if (MD && MD->getDeclName().isIdentifier() &&
            (MD->getName().starts_with("push") ||
             MD->getName().starts_with("emplace") ||
             MD->getName() == "insert" || MD->getName() == "reset"))
          setFromLValue(H, Call->getImplicitObjectArgument());
        return H;
      }
      return H;
    }
    if (P->get<CompoundStmt>())
      H.Discarded = true;
    return H;
  }
  return H;
}

// The innermost compound statement around a declaration or statement.
const CompoundStmt *enclosingCompound(DynTypedNode N, ASTContext &Ctx) {
  DynTypedNodeList Storage = parentsOf(N, Ctx);
  for (int Depth = 0; Depth < 64; ++Depth) {
    const DynTypedNode *P = firstParent(N, Ctx, Storage);
    if (!P)
      return nullptr;
    if (const auto *CS = P->get<CompoundStmt>())
      return CS;
    if (P->get<FunctionDecl>() || P->get<LambdaExpr>())
      return nullptr;
    N = *P;
  }
  return nullptr;
}

// True if Outer is Inner or contains it.
bool encloses(const Stmt *Outer, const Stmt *Inner, ASTContext &Ctx) {
  DynTypedNode N = DynTypedNode::create(*Inner);
  DynTypedNodeList Storage = parentsOf(N, Ctx);
  for (int Depth = 0; Depth < 128; ++Depth) {
    if (N.get<Stmt>() == Outer)
      return true;
    const DynTypedNode *P = firstParent(N, Ctx, Storage);
    if (!P)
      return false;
    N = *P;
  }
  return false;
}

bool mentions(const Stmt *S, const Decl *D) {
  if (!S)
    return false;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(S); Ref && Ref->getDecl() == D)
    return true;
  if (const auto *Member = dyn_cast<MemberExpr>(S);
      Member && Member->getMemberDecl() == D)
    return true;
  if (isa<LambdaExpr>(S))
    return false;
  for (const Stmt *Child : S->children())
    if (mentions(Child, D))
      return true;
  return false;
}

bool isCallNamed(const Stmt *S, llvm::StringRef Name, const Expr *&Object) {
  const auto *Call = dyn_cast<CXXMemberCallExpr>(S);
  if (!Call || !Call->getMethodDecl() ||
      !Call->getMethodDecl()->getDeclName().isIdentifier() ||
      Call->getMethodDecl()->getName() != Name)
    return false;
  Object = Call->getImplicitObjectArgument();
  return Object != nullptr;
}

// Finds `X.name()` in S where X mentions D or a range-for variable looping
// over D (for (auto &t : threads) t.join();).
const Stmt *findCallOn(const Stmt *S, const Decl *D, llvm::StringRef Name,
                       llvm::SmallVector<const Decl *, 2> Aliases = {}) {
  if (!S || isa<LambdaExpr>(S))
    return nullptr;
  if (const auto *For = dyn_cast<CXXForRangeStmt>(S);
      For && mentions(For->getRangeInit(), D))
    Aliases.push_back(For->getLoopVariable());
  const Expr *Object = nullptr;
  if (isCallNamed(S, Name, Object)) {
    if (mentions(Object, D))
      return S;
    for (const Decl *A : Aliases)
      if (mentions(Object, A))
        return S;
  }
  for (const Stmt *Child : S->children())
    if (const Stmt *Found = findCallOn(Child, D, Name, Aliases))
      return Found;
  return nullptr;
}

// `std::move(x)` or `return x;` somewhere in S.
const Stmt *findMoveOf(const Stmt *S, const Decl *D) {
  if (!S || isa<LambdaExpr>(S))
    return nullptr;
  if (const auto *Call = dyn_cast<CallExpr>(S)) {
    if (const auto *FD = Call->getDirectCallee();
        FD && FD->isInStdNamespace() && FD->getDeclName().isIdentifier() &&
        FD->getName() == "move" && Call->getNumArgs() == 1 &&
        mentions(Call->getArg(0), D))
      return S;
  }
  if (const auto *Ret = dyn_cast<ReturnStmt>(S);
      Ret && Ret->getRetValue() &&
      isa<DeclRefExpr>(
          Ret->getRetValue()->IgnoreUnlessSpelledInSource()->IgnoreParenImpCasts()) &&
      mentions(Ret->getRetValue(), D))
    return S;
  for (const Stmt *Child : S->children())
    if (const Stmt *Found = findMoveOf(Child, D))
      return Found;
  return nullptr;
}

ScopeAnswer notScoped(std::string Why, SourceLocation Loc = {}) {
  ScopeAnswer A;
  A.Why = std::move(Why);
  A.WhyLoc = Loc;
  return A;
}

ScopeAnswer scoped(SourceLocation JoinLoc) {
  ScopeAnswer A;
  A.Scoped = true;
  A.JoinLoc = JoinLoc;
  return A;
}

std::string quoted(const NamedDecl *D) {
  return "'" + D->getNameAsString() + "'";
}

// True if Referent exists before, and lives at least as long as, the local
// H (declared in block HScope): it is a parameter, a non-local, or declared
// before H in the same or an enclosing block.
bool outlivesLocal(const ValueDecl *Referent, const VarDecl *H,
                   const CompoundStmt *HScope, ASTContext &Ctx) {
  const auto *VD = dyn_cast_or_null<VarDecl>(Referent);
  if (!VD || isa<ParmVarDecl>(VD) || !VD->hasLocalStorage())
    return true;
  const CompoundStmt *RScope =
      enclosingCompound(DynTypedNode::create(*VD), Ctx);
  if (!RScope || !HScope || !encloses(RScope, HScope, Ctx))
    return false;
  return RScope != HScope || Ctx.getSourceManager().isBeforeInTranslationUnit(
                                 VD->getLocation(), H->getLocation());
}

// True if T (a std::thread, or a container of them) is joined by the
// terminator of a CFG block: the 'if (t.joinable()) t.join();' idiom, or a
// loop over the container that joins each element.
bool joinsAtTerminator(const Stmt *Term, const ValueDecl *T) {
  if (!Term)
    return false;
  if (const auto *If = dyn_cast<IfStmt>(Term))
    return !If->getElse() && findCallOn(If->getCond(), T, "joinable") &&
           findCallOn(If->getThen(), T, "join");
  const CXXRecordDecl *RD = T->getType()->getAsCXXRecordDecl();
  bool Container = !RD || qualifiedName(RD) != "std::thread";
  return Container && isa<ForStmt, CXXForRangeStmt, WhileStmt, DoStmt>(Term) &&
         findCallOn(Term, T, "join");
}

bool isJump(const Stmt *S) {
  return S && isa<ReturnStmt, GotoStmt, IndirectGotoStmt, BreakStmt,
                  ContinueStmt, CXXThrowExpr, CoreturnStmt>(S);
}

// The CFG element that evaluates Site: Site itself, or the innermost
// enclosing statement the CFG keeps as an element.
struct CFGPoint {
  const CFGBlock *Block = nullptr;
  unsigned Index = 0;
};

CFGPoint findElement(const CFG &G, const Stmt *Site, ASTContext &Ctx) {
  // Site and the statements around it, innermost first.
  llvm::DenseMap<const Stmt *, unsigned> Depth;
  DynTypedNode N = DynTypedNode::create(*Site);
  DynTypedNodeList Storage = parentsOf(N, Ctx);
  for (unsigned D = 0; D < 64; ++D) {
    const auto *S = N.get<Stmt>();
    if (!S)
      break;
    Depth.try_emplace(S, D);
    const DynTypedNode *P = firstParent(N, Ctx, Storage);
    if (!P)
      break;
    N = *P;
  }
  CFGPoint Best;
  unsigned BestDepth = ~0u;
  for (const CFGBlock *Block : G)
    for (unsigned I = 0; I < Block->size(); ++I)
      if (std::optional<CFGStmt> E = (*Block)[I].getAs<CFGStmt>())
        if (auto It = Depth.find(E->getStmt());
            It != Depth.end() && It->second < BestDepth) {
          BestDepth = It->second;
          Best = {Block, I};
        }
  return Best;
}

// Whether the local thread T (or container of threads) is joined on every
// path of the CFG from the spawn at B.Site before T or Referent dies or the
// function returns. A path that ends in a noreturn call ends the process,
// not the referent; a 'throw' that leaves the function is a path.
ScopeAnswer joinedOnEveryPath(const ThreadBoundary &B, const ValueDecl *T,
                              const ValueDecl *Referent, ASTContext &Ctx) {
  const Decl *Function = nullptr;
  const Stmt *Body = enclosingBody(B.Site, Ctx, &Function);
  std::string Victim =
      Referent ? quoted(Referent) + " is destroyed" : "the function returns";
  if (!Body || !Function)
    return notScoped(quoted(T) + " is not joined before " + Victim,
                     T->getLocation());
  CFG::BuildOptions Options;
  Options.AddLifetime = true; // every local's end, also on early exits
  std::unique_ptr<CFG> G =
      CFG::buildCFG(Function, const_cast<Stmt *>(Body), &Ctx, Options);
  CFGPoint Start = G ? findElement(*G, B.Site, Ctx) : CFGPoint();
  // Invariant: no CFG, no answer; an unknown is not reported.
  if (!Start.Block)
    return scoped(SourceLocation());

  const SourceManager &SM = Ctx.getSourceManager();
  SourceLocation LastJoin;
  auto Joined = [&](SourceLocation Loc) {
    if (LastJoin.isInvalid() || SM.isBeforeInTranslationUnit(LastJoin, Loc))
      LastJoin = Loc;
  };
  auto Lost = [&](const ValueDecl *Dying, const Stmt *Trigger) {
    if (isJump(Trigger))
      return notScoped("this path leaves the block without joining " +
                           quoted(T),
                       Trigger->getBeginLoc());
    if (Dying != T) {
      const auto *CS = dyn_cast_or_null<CompoundStmt>(Trigger);
      return notScoped(quoted(Dying) + " goes out of scope here before " +
                           quoted(T) + " is joined",
                       CS ? CS->getRBracLoc() : Dying->getLocation());
    }
    return notScoped(quoted(T) + " is not joined on every path before " +
                         Victim,
                     T->getLocation());
  };

  llvm::SmallPtrSet<const CFGBlock *, 32> Seen;
  llvm::SmallVector<std::pair<const CFGBlock *, unsigned>, 16> Work;
  Work.push_back({Start.Block, Start.Index + 1});
  while (!Work.empty()) {
    auto [Block, First] = Work.pop_back_val();
    if (Block == &G->getExit())
      return notScoped(quoted(T) + " is not joined on every path before " +
                           Victim,
                       T->getLocation());
    bool PathDone = false;
    const Stmt *Throw = nullptr;
    for (unsigned I = First; I < Block->size() && !PathDone; ++I) {
      const CFGElement &E = (*Block)[I];
      if (std::optional<CFGStmt> S = E.getAs<CFGStmt>()) {
        const Expr *Object = nullptr;
        if (isa<CXXThrowExpr>(S->getStmt()))
          Throw = S->getStmt();
        if (isCallNamed(S->getStmt(), "join", Object) && mentions(Object, T)) {
          Joined(S->getStmt()->getEndLoc());
          PathDone = true;
        }
      } else if (std::optional<CFGLifetimeEnds> L =
                     E.getAs<CFGLifetimeEnds>()) {
        const VarDecl *Dying = L->getVarDecl();
        if (Dying == T || (Dying && Dying == Referent))
          return Lost(Dying, L->getTriggerStmt());
      }
    }
    if (PathDone || Block->hasNoReturnElement())
      continue;
    const Stmt *Term = Block->getTerminatorStmt();
    if (joinsAtTerminator(Term, T)) {
      Joined(Term->getEndLoc());
      continue;
    }
    for (const CFGBlock::AdjacentBlock &Succ : Block->succs()) {
      const CFGBlock *Next = Succ.getReachableBlock();
      if (!Next)
        continue;
      // A throw that no handler of this function catches leaves it; one
      // inside a try is assumed caught (the CFG does not match types).
      if (Next == &G->getExit() && isa_and_nonnull<CXXTryStmt>(Term))
        continue;
      if (Next == &G->getExit() && Throw)
        return Lost(nullptr, Throw);
      if (Seen.insert(Next).second)
        Work.push_back({Next, 0});
    }
  }
  return scoped(LastJoin);
}

// A std::thread kept in T (a local, or a member that the spawning function
// joins itself): not detached, not moved out, joined on every path.
ScopeAnswer joinedThread(const ThreadBoundary &B, const ValueDecl *T,
                         const ValueDecl *Referent, ASTContext &Ctx) {
  const Stmt *Body = enclosingBody(B.Site, Ctx);
  if (const Stmt *Detach = findCallOn(Body, T, "detach"))
    return notScoped(quoted(T) + " is detached here", Detach->getBeginLoc());
  if (const Stmt *Move = findMoveOf(Body, T))
    return notScoped(quoted(T) + " is moved out here, so it may outlive the "
                                 "function",
                     Move->getBeginLoc());
  return joinedOnEveryPath(B, T, Referent, Ctx);
}

} // namespace

const Stmt *enclosingBody(const Stmt *S, ASTContext &Ctx,
                          const Decl **Function) {
  DynTypedNode N = DynTypedNode::create(*S);
  DynTypedNodeList Storage = parentsOf(N, Ctx);
  for (int Depth = 0; Depth < 256; ++Depth) {
    const DynTypedNode *P = firstParent(N, Ctx, Storage);
    if (!P)
      return N.get<Stmt>();
    if (const auto *FD = P->get<FunctionDecl>()) {
      if (Function)
        *Function = FD;
      return FD->getBody();
    }
    if (const auto *Lambda = P->get<LambdaExpr>();
        Lambda && N.get<Stmt>() == Lambda->getBody()) {
      if (Function)
        *Function = Lambda->getCallOperator();
      return Lambda->getBody();
    }
    // A default member initialiser is a body of its own: every constructor
    // runs it, and nothing else runs in it.
    if (const auto *Field = P->get<FieldDecl>())
      return Field->getInClassInitializer();
    N = *P;
  }
  return nullptr;
}

bool isNeverDestroyed(QualType T, ASTContext &Ctx) {
  const CXXRecordDecl *RD = T.isNull() ? nullptr : T->getAsCXXRecordDecl();
  const CXXDestructorDecl *Dtor =
      RD && RD->hasDefinition() ? RD->getDestructor() : nullptr;
  if (!Dtor)
    return false;
  if (Dtor->isDeleted())
    return true;
  const FunctionDecl *Def = nullptr;
  if (!Dtor->hasBody(Def) || !Def->getBody())
    return false;
  if (Def->isNoReturn())
    return true;
  std::unique_ptr<CFG> G =
      CFG::buildCFG(Def, Def->getBody(), &Ctx, CFG::BuildOptions());
  if (!G)
    return false;
  // The exit is reached only through calls that do not return (abort).
  llvm::SmallPtrSet<const CFGBlock *, 16> Seen;
  llvm::SmallVector<const CFGBlock *, 16> Work{&G->getEntry()};
  while (!Work.empty()) {
    const CFGBlock *Block = Work.pop_back_val();
    if (Block == &G->getExit())
      return false;
    if (Block->hasNoReturnElement())
      continue;
    for (const CFGBlock::AdjacentBlock &Succ : Block->succs())
      if (const CFGBlock *Next = Succ.getReachableBlock();
          Next && Seen.insert(Next).second)
        Work.push_back(Next);
  }
  return true;
}

bool inLoopAround(const Stmt *S, const Decl *Referent, ASTContext &Ctx) {
  DynTypedNode N = DynTypedNode::create(*S);
  DynTypedNodeList Storage = parentsOf(N, Ctx);
  for (int Depth = 0; Depth < 128; ++Depth) {
    const DynTypedNode *P = firstParent(N, Ctx, Storage);
    if (!P || P->get<FunctionDecl>() || P->get<LambdaExpr>())
      return false;
    if (const auto *Loop = P->get<Stmt>();
        Loop && isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(Loop)) {
      // The loop body, not its init: `for (int i = 0; ...)` declares i once.
      const Stmt *LoopBody = nullptr;
      if (const auto *F = dyn_cast<ForStmt>(Loop))
        LoopBody = F->getBody();
      else if (const auto *W = dyn_cast<WhileStmt>(Loop))
        LoopBody = W->getBody();
      else if (const auto *D = dyn_cast<DoStmt>(Loop))
        LoopBody = D->getBody();
      else
        LoopBody = cast<CXXForRangeStmt>(Loop)->getBody();
      const auto *VD = dyn_cast_or_null<VarDecl>(Referent);
      bool DeclaredInside =
          VD && VD->hasLocalStorage() && !isa<ParmVarDecl>(VD) && LoopBody &&
          [&] {
            const CompoundStmt *RS =
                enclosingCompound(DynTypedNode::create(*VD), Ctx);
            return RS && encloses(LoopBody, RS, Ctx);
          }();
      if (!DeclaredInside)
        return true;
    }
    N = *P;
  }
  return false;
}

ScopeAnswer scopedFor(const ThreadBoundary &B, const ValueDecl *Referent,
                      ASTContext &Ctx) {
  switch (B.Kind) {
  case BoundaryKind::ChannelSend:
    return notScoped("the receiving thread may use it at any later time");
  case BoundaryKind::PThreadCreate:
    return notScoped("a thread started by 'pthread_create' may outlive the "
                     "caller");
  case BoundaryKind::Annotated:
  case BoundaryKind::Executor:
    return notScoped("'" + B.Spawner +
                     "' may run the callable after the caller returned");
  case BoundaryKind::SpawnCall: {
    if (!B.JoinedByScope)
      return notScoped("a thread started by '" + B.Spawner +
                       "' may outlive the caller (borrowing needs "
                       "'fearless::scope')");
    // The scope joins when its body returns: locals of the body die first.
    const auto *VD = dyn_cast_or_null<VarDecl>(Referent);
    const Stmt *Body = enclosingBody(B.Site, Ctx);
    if (VD && VD->hasLocalStorage() && Body) {
      bool InBody = false;
      if (isa<ParmVarDecl>(VD)) {
        if (const auto *FD = dyn_cast<FunctionDecl>(VD->getDeclContext()))
          InBody = FD->getBody() == Body;
      } else if (const CompoundStmt *RS =
                     enclosingCompound(DynTypedNode::create(*VD), Ctx)) {
        InBody = encloses(Body, RS, Ctx);
      }
      if (InBody)
        return notScoped(quoted(VD) + " is declared inside the scope's body "
                                      "and dies before the scope joins its "
                                      "threads",
                         VD->getLocation());
    }
    return scoped(Body ? Body->getEndLoc() : SourceLocation());
  }
  case BoundaryKind::ThreadCtor:
  case BoundaryKind::AsyncCall:
    break;
  }

  Handle H = findHandle(B, Ctx);
  if (H.Detached)
    return notScoped("the thread is detached here", H.DetachLoc);
  bool SelfJoining = B.JoinsItself || B.Kind == BoundaryKind::AsyncCall;
  if ((SelfJoining && H.Discarded) || H.JoinedAtOnce)
    return scoped(B.Site->getEndLoc()); // the temporary joins at the ';'
  std::string What = B.Kind == BoundaryKind::AsyncCall ? "future" : "thread";

  const Stmt *SpawnBody = enclosingBody(B.Site, Ctx);
  bool InBody = SpawnBody && !Ctx.getSourceManager().isBeforeInTranslationUnit(
                                 B.Site->getBeginLoc(), SpawnBody->getBeginLoc());
  if (H.Field && !SelfJoining && InBody) {
    // A member the spawning function itself joins on every path (not one
    // started in a constructor's initialiser list, before its body).
    ScopeAnswer Here = joinedThread(B, H.Field, Referent, Ctx);
    if (Here.Scoped)
      return Here;
  }
  if (H.Field) {
    const auto *Class = dyn_cast<CXXRecordDecl>(H.Field->getParent());
    if (Referent)
      return notScoped("the " + What + " is stored in member " +
                           quoted(H.Field) + " and may outlive " +
                           quoted(Referent),
                       H.Field->getLocation());
    if (SelfJoining)
      return scoped(SourceLocation());
    const CXXDestructorDecl *Dtor = Class ? Class->getDestructor() : nullptr;
    const FunctionDecl *Def = nullptr;
    // The destructor joins it, itself or through the helpers it calls on
    // `this` (a private Join(), Close(), Stop()).
    if (Dtor && Dtor->hasBody(Def) && UnitModel::get(Ctx).joins(Def, H.Field))
      return scoped(SourceLocation());
    // A destructor declared by the user and defined in another unit (a
    // compiled library): opaque, so assumed to join (no finding without
    // evidence; docs/checks/fearless-dangling-ref.md).
    if (Dtor && Dtor->isUserProvided() && !Dtor->hasBody())
      return scoped(SourceLocation());
    return notScoped("member " + quoted(H.Field) +
                         " is not joined in the destructor of '" +
                         (Class ? Class->getNameAsString() : "") + "'",
                     H.Field->getLocation());
  }
  if (!H.Var || !H.Var->hasLocalStorage())
    return notScoped("the " + What +
                     " is not kept in a local variable that is joined");
  if (!SelfJoining)
    return joinedThread(B, H.Var, Referent, Ctx);

  const Stmt *Body = enclosingBody(B.Site, Ctx);
  if (B.JoinsItself)
    if (const Stmt *Detach = findCallOn(Body, H.Var, "detach"))
      return notScoped(quoted(H.Var) + " is detached here",
                       Detach->getBeginLoc());
  if (const Stmt *Move = findMoveOf(Body, H.Var))
    return notScoped(quoted(H.Var) + " is moved out here, so it may outlive "
                                     "the function",
                     Move->getBeginLoc());
  const CompoundStmt *Scope =
      enclosingCompound(DynTypedNode::create(*H.Var), Ctx);
  if (!outlivesLocal(Referent, H.Var, Scope, Ctx))
    return notScoped(quoted(Referent) + " is declared after " +
                         quoted(H.Var) + ", so it is destroyed first",
                     Referent->getLocation());
  return scoped(Scope ? Scope->getEndLoc() : SourceLocation());
}

} // namespace clang::tidy::fearless
