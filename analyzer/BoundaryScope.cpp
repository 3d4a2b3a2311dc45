//===--- BoundaryScope.cpp - is a thread boundary scoped? ------------------===//

#include "BoundaryScope.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"
#include "clang/AST/StmtCXX.h"

namespace clang::tidy::fearless {

namespace {

// Where the thread object (or future, or container of them) lives.
struct Handle {
  const VarDecl *Var = nullptr;     ///< a variable (local or not)
  const FieldDecl *Field = nullptr; ///< a member of the class
  bool Detached = false;            ///< std::thread(f).detach()
  bool Discarded = false;           ///< a temporary destroyed at the ';'
  SourceLocation DetachLoc;
};

const DynTypedNode *firstParent(const DynTypedNode &N, ASTContext &Ctx,
                                DynTypedNodeList &Storage) {
  Storage = Ctx.getParents(N);
  return Storage.empty() ? nullptr : &Storage[0];
}

void setFromLValue(Handle &H, const Expr *E) {
  E = E->IgnoreParenImpCasts();
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
  DynTypedNodeList Storage = Ctx.getParents(N);
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
    if (const auto *Ctor = P->get<CXXConstructorDecl>()) {
      // A member initialiser: the parent map skips the CXXCtorInitializer.
      for (const CXXCtorInitializer *Init : Ctor->inits())
        if (Init->getInit() && N.get<Expr>() == Init->getInit())
          H.Field = Init->getMember();
      return H;
    }
    if (const auto *E = P->get<Expr>()) {
      if (isa<MaterializeTemporaryExpr, CXXBindTemporaryExpr, ImplicitCastExpr,
              ParenExpr, CXXFunctionalCastExpr, ExprWithCleanups>(E)) {
        N = *P;
        continue;
      }
      if (const auto *Ctor = dyn_cast<CXXConstructExpr>(E);
          Ctor && Ctor->getConstructor()->isCopyOrMoveConstructor()) {
        N = *P;
        continue;
      }
      if (const auto *Member = dyn_cast<MemberExpr>(E)) {
        if (Member->getMemberDecl()->getDeclName().isIdentifier() &&
            Member->getMemberDecl()->getName() == "detach") {
          H.Detached = true;
          H.DetachLoc = Member->getMemberLoc();
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
             MD->getName() == "insert"))
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
  DynTypedNodeList Storage = Ctx.getParents(N);
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
  DynTypedNodeList Storage = Ctx.getParents(N);
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

// A statement that leaves the block early: return, throw, goto, co_return,
// and break/continue outside a loop or switch of their own.
const Stmt *findJump(const Stmt *S, bool InLoop) {
  if (!S || isa<LambdaExpr>(S))
    return nullptr;
  if (isa<ReturnStmt, GotoStmt, CXXThrowExpr, CoreturnStmt>(S))
    return S;
  if (!InLoop && isa<BreakStmt, ContinueStmt>(S))
    return S;
  bool Loop = InLoop || isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt,
                            SwitchStmt>(S);
  for (const Stmt *Child : S->children())
    if (const Stmt *Found = findJump(Child, Loop))
      return Found;
  return nullptr;
}

// A statement that joins D on every path through it.
bool joinsUnconditionally(const Stmt *S, const Decl *D) {
  if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(S))
    S = Cleanups->getSubExpr();
  if (const auto *If = dyn_cast<IfStmt>(S))
    // if (t.joinable()) t.join(); joins whenever there is something to join.
    return !If->getElse() && findCallOn(If->getCond(), D, "joinable") &&
           findCallOn(If->getThen(), D, "join");
  if (isa<Expr, CXXForRangeStmt, ForStmt>(S))
    return findCallOn(S, D, "join") != nullptr;
  if (const auto *CS = dyn_cast<CompoundStmt>(S))
    for (const Stmt *Child : CS->body())
      if (joinsUnconditionally(Child, D))
        return true;
  return false;
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

ScopeAnswer joinedThread(const ThreadBoundary &B, const Handle &H,
                         const ValueDecl *Referent, ASTContext &Ctx) {
  const VarDecl *T = H.Var;
  const Stmt *Body = enclosingBody(B.Site, Ctx);
  if (const Stmt *Detach = findCallOn(Body, T, "detach"))
    return notScoped(quoted(T) + " is detached here", Detach->getBeginLoc());
  if (const Stmt *Move = findMoveOf(Body, T))
    return notScoped(quoted(T) + " is moved out here, so it may outlive the "
                                 "function",
                     Move->getBeginLoc());
  const CompoundStmt *Scope = enclosingCompound(DynTypedNode::create(*T), Ctx);
  std::string Victim =
      Referent ? quoted(Referent) + " is destroyed" : "the function returns";
  if (!Scope)
    return notScoped(quoted(T) + " is not joined before " + Victim,
                     T->getLocation());
  // Statements of the block, from the thread's declaration on.
  bool After = false;
  for (const Stmt *S : Scope->body()) {
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls())
        if (D == T)
          After = true;
      if (!After)
        continue;
    }
    if (!After)
      continue;
    if (joinsUnconditionally(S, T)) {
      if (!outlivesLocal(Referent, T, Scope, Ctx))
        return notScoped(quoted(Referent) + " goes out of scope before " +
                             quoted(T) + " is joined",
                         Referent->getLocation());
      return scoped(S->getEndLoc());
    }
    if (const Stmt *Jump = findJump(S, /*InLoop=*/false))
      return notScoped("this path leaves the block without joining " +
                           quoted(T),
                       Jump->getBeginLoc());
  }
  return notScoped(quoted(T) + " is not joined on every path before " + Victim,
                   T->getLocation());
}

} // namespace

const Stmt *enclosingBody(const Stmt *S, ASTContext &Ctx) {
  DynTypedNode N = DynTypedNode::create(*S);
  DynTypedNodeList Storage = Ctx.getParents(N);
  for (int Depth = 0; Depth < 256; ++Depth) {
    const DynTypedNode *P = firstParent(N, Ctx, Storage);
    if (!P)
      return N.get<Stmt>();
    if (const auto *FD = P->get<FunctionDecl>())
      return FD->getBody();
    if (const auto *Lambda = P->get<LambdaExpr>();
        Lambda && N.get<Stmt>() == Lambda->getBody())
      return Lambda->getBody();
    N = *P;
  }
  return nullptr;
}

bool inLoopAround(const Stmt *S, const Decl *Referent, ASTContext &Ctx) {
  DynTypedNode N = DynTypedNode::create(*S);
  DynTypedNodeList Storage = Ctx.getParents(N);
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
    llvm::StringRef Name = B.Spawner;
    if (!Name.ends_with("Scope::spawn") && !Name.ends_with("ScopedBuilder::spawn"))
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
  if (SelfJoining && H.Discarded)
    return scoped(B.Site->getEndLoc()); // the temporary joins at the ';'
  std::string What = B.Kind == BoundaryKind::AsyncCall ? "future" : "thread";

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
    if (Dtor && Dtor->hasBody(Def) &&
        findCallOn(Def->getBody(), H.Field, "join"))
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
    return joinedThread(B, H, Referent, Ctx);

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
