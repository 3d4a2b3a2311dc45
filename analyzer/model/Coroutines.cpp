// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Coroutines.cpp - suspension points and the threads coroutines run on //

#include "Coroutines.h"
#include "UnitModel.h"
#include "Vocabulary.h"
#include "BodyParents.h"
#include "fearless/names.h"

#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/StmtCXX.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::fearless {

bool isCoroutineBody(const Stmt *Body) {
  return isa_and_nonnull<CoroutineBodyStmt>(Body);
}

const Stmt *coroutineBody(const FunctionDecl *FD) {
  const FunctionDecl *Def = nullptr;
  if (!FD || !FD->hasBody(Def) || !isCoroutineBody(Def->getBody()))
    return nullptr;
  return Def->getBody();
}

llvm::StringRef suspendKeyword(const CoroutineSuspendExpr *S) {
  return isa<CoyieldExpr>(S) ? "co_yield" : "co_await";
}

namespace {

// The variable a `std::move(v)` / `std::forward<T>(v)` call moves, if any.
const VarDecl *movedVariable(const CallExpr *CE) {
  const Expr *Moved = movedOperand(CE);
  const auto *Ref =
      Moved ? dyn_cast<DeclRefExpr>(Moved->IgnoreParenImpCasts()) : nullptr;
  return Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
}

// The variable `v = ...` assigns (again), if any.
const VarDecl *assignedVariable(const Stmt *S) {
  const Expr *LHS = nullptr;
  if (const auto *BO = dyn_cast<BinaryOperator>(S); BO && BO->isAssignmentOp())
    LHS = BO->getLHS();
  else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S);
           Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2)
    LHS = Op->getArg(0);
  const auto *Ref =
      LHS ? dyn_cast<DeclRefExpr>(LHS->IgnoreParenImpCasts()) : nullptr;
  return Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
}

// One walk in evaluation order, with the variables of each enclosing scope.
class LiveWalker {
public:
  explicit LiveWalker(LiveAcross &Out) : Out(Out) {}

  llvm::SmallVector<llvm::SmallVector<const VarDecl *, 4>, 8> Scopes;

  void visit(const Stmt *S) {
    if (!S)
      return;
    // A lambda's body is a function of its own; its captures are built
    // here.
    if (const auto *L = dyn_cast<LambdaExpr>(S)) {
      for (const Expr *Init : L->capture_inits())
        visit(Init);
      return;
    }
    if (const auto *Coro = dyn_cast<CoroutineBodyStmt>(S)) {
      visit(Coro->getBody());
      return;
    }
    if (const auto *Suspend = dyn_cast<CoroutineSuspendExpr>(S)) {
      visit(Suspend->getOperand());
      auto &Vars = Out[Suspend];
      for (const auto &Scope : Scopes)
        for (const VarDecl *V : Scope)
          if (!Moved.contains(V))
            Vars.push_back(V);
      return;
    }
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D)) {
          visit(VD->getInit());
          // A static local is not in the frame.
          if (VD->hasLocalStorage())
            Scopes.back().push_back(VD);
        }
      return;
    }
    bool Scoped = isa<CompoundStmt, IfStmt, ForStmt, WhileStmt, SwitchStmt,
                      CXXForRangeStmt>(S);
    if (Scoped)
      Scopes.emplace_back();
    if (const auto *RF = dyn_cast<CXXForRangeStmt>(S)) {
      // The loop variable as written; the hidden range and iterators are
      // the compiler's.
      visit(RF->getInit());
      visit(RF->getRangeInit());
      Scopes.back().push_back(RF->getLoopVariable());
      visit(RF->getBody());
    } else {
      for (const Stmt *Child : S->children())
        visit(Child);
    }
    if (Scoped)
      Scopes.pop_back();
    if (const auto *CE = dyn_cast<CallExpr>(S))
      if (const VarDecl *V = movedVariable(CE))
        Moved.insert(V);
    if (const VarDecl *V = assignedVariable(S))
      Moved.erase(V);
  }

private:
  LiveAcross &Out;
  llvm::SmallPtrSet<const VarDecl *, 8> Moved;
};

bool markedResumesElsewhere(QualType T) {
  const CXXRecordDecl *RD = T.isNull() ? nullptr
                                       : T.getNonReferenceType()
                                             ->getAsCXXRecordDecl();
  if (!RD)
    return false;
  // A specialisation carries the attribute of its template's pattern.
  llvm::SmallVector<const CXXRecordDecl *, 2> Decls{RD};
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD))
    Decls.push_back(Spec->getSpecializedTemplate()->getTemplatedDecl());
  for (const CXXRecordDecl *D : Decls)
    for (const auto *A : D->specific_attrs<AnnotateAttr>())
      if (A->getAnnotation() == FEARLESS_ANNOTATE_RESUMES_ELSEWHERE)
        return true;
  return false;
}

std::string recordName(QualType T) {
  const CXXRecordDecl *RD = T.isNull() ? nullptr
                                       : T.getNonReferenceType()
                                             ->getAsCXXRecordDecl();
  return RD ? qualifiedName(RD) : "";
}

// The class whose facts a specialisation shares: its template's pattern.
const CXXRecordDecl *patternOf(const CXXRecordDecl *RD) {
  if (const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(RD))
    if (const ClassTemplateDecl *T = Spec->getSpecializedTemplate())
      RD = T->getTemplatedDecl();
  if (RD)
    if (const CXXRecordDecl *Pattern = RD->getTemplateInstantiationPattern())
      RD = Pattern;
  return RD ? RD->getCanonicalDecl() : nullptr;
}

// Whether \p S names \p V (a lambda's captures and body included).
bool mentions(const Stmt *S, const VarDecl *V) {
  if (!S)
    return false;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(S); Ref && Ref->getDecl() == V)
    return true;
  if (const auto *L = dyn_cast<LambdaExpr>(S)) {
    for (const LambdaCapture &C : L->captures())
      if (C.capturesVariable() && C.getCapturedVar() == V)
        return true;
    return mentions(L->getBody(), V);
  }
  for (const Stmt *Child : S->children())
    if (mentions(Child, V))
      return true;
  return false;
}

} // namespace

LiveAcross liveAcrossSuspensions(const Stmt *Body,
                                 llvm::ArrayRef<const ParmVarDecl *> Params) {
  LiveAcross Out;
  LiveWalker W(Out);
  // The frame keeps its own copies of the parameters for the whole call.
  W.Scopes.emplace_back(Params.begin(), Params.end());
  W.visit(Body);
  return Out;
}

HandOffAwaiters handOffAwaiters(llvm::ArrayRef<ThreadBoundary> Boundaries,
                                ASTContext &Ctx) {
  HandOffAwaiters Out;
  for (const ThreadBoundary &B : Boundaries) {
    if (!B.Site)
      continue;
    // The function the boundary is written in (through the lambdas around
    // it).
    DynTypedNode Node = DynTypedNode::create(*B.Site);
    const CXXMethodDecl *Method = nullptr;
    for (int Depth = 0; Depth < 64 && !Method; ++Depth) {
      DynTypedNodeList Parents = parentsOf(Node, Ctx);
      if (Parents.empty())
        break;
      Node = Parents[0];
      if (const auto *FD = Node.get<FunctionDecl>()) {
        Method = dyn_cast<CXXMethodDecl>(FD);
        if (!Method)
          break;
      }
    }
    if (!Method || !Method->getDeclName().isIdentifier() ||
        Method->getName() != "await_suspend" || Method->getNumParams() < 1)
      continue;
    // The handle itself crosses: the other thread resumes the coroutine.
    const ParmVarDecl *Handle = Method->getParamDecl(0);
    if (llvm::none_of(B.Crossing,
                      [&](const Expr *E) { return mentions(E, Handle); }))
      continue;
    if (const CXXRecordDecl *RD = patternOf(Method->getParent()))
      Out.try_emplace(RD, B.Spawner);
  }
  return Out;
}

std::optional<ResumesElsewhere>
awaitResumesElsewhere(const CoroutineSuspendExpr *S,
                      const llvm::StringSet<> &Listed,
                      const HandOffAwaiters *HandOff) {
  const Expr *Operand = S->getOperand();
  if (!Operand)
    return std::nullopt;
  const Expr *Bare = Operand->IgnoreImplicit();
  for (QualType T : {Operand->getType(), S->getCommonExpr()
                                              ? S->getCommonExpr()->getType()
                                              : QualType()}) {
    if (markedResumesElsewhere(T))
      return ResumesElsewhere{"it awaits '" + recordName(T) +
                                  "', which resumes it on another thread "
                                  "(FEARLESS_RESUMES_ELSEWHERE)",
                              S->getKeywordLoc()};
    if (const CXXRecordDecl *RD =
            T.isNull() ? nullptr
                       : patternOf(T.getNonReferenceType()->getAsCXXRecordDecl());
        RD && HandOff)
      if (auto It = HandOff->find(RD); It != HandOff->end())
        return ResumesElsewhere{"it awaits '" + recordName(T) +
                                    "', whose await_suspend hands the "
                                    "coroutine to '" + It->second + "'",
                                S->getKeywordLoc()};
    if (std::string Name = recordName(T);
        !Name.empty() && Listed.contains(Name))
      return ResumesElsewhere{"it awaits '" + Name +
                                  "', listed in ResumesElsewhere",
                              S->getKeywordLoc()};
  }
  if (const auto *CE = dyn_cast<CallExpr>(Bare))
    if (const FunctionDecl *FD = CE->getDirectCallee())
      if (std::string Name = qualifiedName(FD); Listed.contains(Name))
        return ResumesElsewhere{"it awaits '" + Name +
                                    "()', listed in ResumesElsewhere",
                                S->getKeywordLoc()};
  return std::nullopt;
}

const FunctionDecl *coroutineStartedBy(const Expr *Crossing) {
  if (!Crossing)
    return nullptr;
  const Expr *E = Crossing->IgnoreUnlessSpelledInSource();
  // task(x), obj.task(x), [&]() -> Task { ... }()
  if (const auto *CE = dyn_cast<CallExpr>(E)) {
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(CE);
        Op && Op->getOperator() == OO_Call && Op->getNumArgs() > 0)
      if (const auto *L = dyn_cast<LambdaExpr>(
              Op->getArg(0)->IgnoreUnlessSpelledInSource()))
        return isCoroutineBody(L->getBody()) ? L->getCallOperator() : nullptr;
    const FunctionDecl *FD = CE->getDirectCallee();
    return coroutineBody(FD) ? FD : nullptr;
  }
  // A coroutine lambda the spawner calls: pool.spawn([]() -> Task { ... }).
  if (const auto *L = dyn_cast<LambdaExpr>(E))
    return isCoroutineBody(L->getBody()) ? L->getCallOperator() : nullptr;
  return nullptr;
}

namespace {

// Where the task \p Call makes goes in the statement that makes it.
TaskFate directFate(const Expr *Call, ASTContext &Ctx) {
  DynTypedNode Node = DynTypedNode::create(*Call);
  const Stmt *Child = Call;
  for (int Depth = 0; Depth < 16; ++Depth) {
    DynTypedNodeList Parents = parentsOf(Node, Ctx);
    if (Parents.empty())
      break;
    Node = Parents[0];
    if (const auto *VD = Node.get<VarDecl>()) {
      if (VD->hasLocalStorage() && !VD->getType()->isReferenceType())
        return {TaskFate::StoredInLocal, "is stored in '" + VD->getName().str() + "'", VD};
      if (VD->hasLocalStorage())
        return {TaskFate::StoredInLocal, "is bound to '" + VD->getName().str() + "'", VD};
      return {TaskFate::Escapes, "is stored in '" + VD->getName().str() + "'"};
    }
    const Stmt *P = Node.get<Stmt>();
    if (!P)
      break;
    // task(x).detach(), t.start(): the object of a member call sits under
    // the callee's MemberExpr.
    if (const auto *ME = dyn_cast<MemberExpr>(P)) {
      DynTypedNodeList Up = parentsOf(Node, Ctx);
      const auto *MC =
          Up.empty() ? nullptr : Up[0].get<CXXMemberCallExpr>();
      if (!MC || MC->getCallee()->IgnoreParens() != ME)
        break;
      Node = Up[0];
      P = MC;
    }
    if (isa<ImplicitCastExpr, MaterializeTemporaryExpr, CXXBindTemporaryExpr,
            ExprWithCleanups, ParenExpr, CXXFunctionalCastExpr>(P) ||
        (isa<CXXConstructExpr>(P) &&
         cast<CXXConstructExpr>(P)->getConstructor()->isCopyOrMoveConstructor())) {
      Child = P;
      continue;
    }
    // std::move(t): the same task, going wherever the move puts it.
    if (const auto *Move = dyn_cast<CallExpr>(P);
        Move && movedOperand(Move) &&
        movedOperand(Move)->IgnoreParenImpCasts() ==
            cast<Expr>(Child)->IgnoreParenImpCasts()) {
      Child = P;
      continue;
    }
    if (const auto *Suspend = dyn_cast<CoroutineSuspendExpr>(P))
      return {Suspend->getOperand() == Child ||
                      Suspend->getOperand()->IgnoreImplicit() ==
                          cast<Expr>(Child)->IgnoreImplicit()
                  ? TaskFate::Awaited
                  : TaskFate::Consumed,
              ""};
    if (isa<ReturnStmt, CoreturnStmt>(P))
      return {TaskFate::Escapes, "is returned"};
    const Expr *Target = nullptr;
    if (const auto *BO = dyn_cast<BinaryOperator>(P);
        BO && BO->isAssignmentOp() && BO->getRHS() == Child)
      Target = BO->getLHS();
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(P);
        Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2 &&
        Op->getArg(1) == Child)
      Target = Op->getArg(0);
    if (Target) {
      const Expr *T = Target->IgnoreParenImpCasts();
      const ValueDecl *D = nullptr;
      if (const auto *ME = dyn_cast<MemberExpr>(T))
        D = ME->getMemberDecl();
      else if (const auto *Ref = dyn_cast<DeclRefExpr>(T))
        D = Ref->getDecl();
      const auto *VD = dyn_cast_or_null<VarDecl>(D);
      if (VD && VD->hasLocalStorage())
        return {TaskFate::StoredInLocal, "is stored in '" + VD->getName().str() + "'", VD};
      return {TaskFate::Escapes,
              D ? "is stored in '" + D->getName().str() + "'" : "is stored"};
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(P)) {
      const CXXMethodDecl *MD = MC->getMethodDecl();
      llvm::StringRef Name =
          MD && MD->getDeclName().isIdentifier() ? MD->getName() : "";
      const Expr *Obj = MC->getImplicitObjectArgument();
      // task(x).detach() / .start(): left running after this statement.
      if (Obj && Obj->IgnoreImplicit() == cast<Expr>(Child)->IgnoreImplicit()) {
        if (Name == "detach" || Name == "start")
          return {TaskFate::Escapes, "is started by '" + Name.str() +
                                         "()' and left running"};
        return {TaskFate::Consumed, ""};
      }
      // tasks_.push_back(task(x)): kept in a container.
      if (llvm::is_contained({"push_back", "emplace_back", "push_front",
                              "emplace_front", "insert", "emplace", "push"},
                             Name)) {
        std::string Name = "a container";
        const Expr *O = Obj ? Obj->IgnoreParenImpCasts() : nullptr;
        // A local container (`tasks.push_back(task(x)); co_await
        // when_all(std::move(tasks));`): the task lives as long as it.
        if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(O))
          if (const auto *VD = dyn_cast<VarDecl>(Ref->getDecl());
              VD && VD->hasLocalStorage() &&
              !VD->getType()->isReferenceType())
            return {TaskFate::StoredInLocal,
                    "is stored in '" + VD->getName().str() + "'", VD};
        if (const auto *ME = dyn_cast_or_null<MemberExpr>(O))
          Name = "'" + ME->getMemberDecl()->getName().str() + "'";
        else if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(O))
          Name = "'" + Ref->getDecl()->getName().str() + "'";
        return {TaskFate::Escapes, "is stored in " + Name};
      }
      return {TaskFate::Consumed, ""};
    }
    break;
  }
  return {TaskFate::Consumed, ""};
}

void collectRefs(const Stmt *S, const VarDecl *V,
                 llvm::SmallVectorImpl<const DeclRefExpr *> &Out) {
  if (!S || isa<LambdaExpr>(S))
    return;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(S); Ref && Ref->getDecl() == V)
    Out.push_back(Ref);
  for (const Stmt *Child : S->children())
    collectRefs(Child, V, Out);
}

TaskFate fateOf(const Expr *Call, ASTContext &Ctx, int Depth) {
  TaskFate F = directFate(Call, Ctx);
  if (F.K != TaskFate::StoredInLocal || !F.Local || Depth > 3 ||
      F.Local->getType()->isReferenceType())
    return F;
  // `Task t = task(name); tasks_.push_back(std::move(t));`: the local is
  // only a stop on the way; where it goes next decides.
  const auto *Fn = dyn_cast<FunctionDecl>(F.Local->getDeclContext());
  llvm::SmallVector<const DeclRefExpr *, 4> Refs;
  collectRefs(Fn ? Fn->getBody() : nullptr, F.Local, Refs);
  for (const DeclRefExpr *Ref : Refs)
    if (TaskFate Later = fateOf(Ref, Ctx, Depth + 1);
        Later.K == TaskFate::Escapes)
      return Later;
  return F;
}

} // namespace

TaskFate taskFate(const Expr *Call, ASTContext &Ctx) {
  return fateOf(Call, Ctx, 0);
}

llvm::DenseMap<const FunctionDecl *, ResumesElsewhere>
UnitModel::coroutinesResumingElsewhere(
    llvm::ArrayRef<ThreadBoundary> Boundaries) const {
  llvm::DenseMap<const FunctionDecl *, ResumesElsewhere> Out;
  llvm::SmallVector<const FunctionDecl *, 8> Work;
  auto Add = [&](const FunctionDecl *FD, ResumesElsewhere Why) {
    if (FD && Out.try_emplace(FD->getCanonicalDecl(), std::move(Why)).second)
      Work.push_back(FD->getCanonicalDecl());
  };
  for (const ThreadBoundary &B : Boundaries)
    for (const Expr *Arg : B.Crossing)
      Add(coroutineStartedBy(Arg),
          {"it is handed to '" + B.Spawner + "'", Arg->getExprLoc()});
  // What such a coroutine co_awaits runs, and resumes, on its threads.
  while (!Work.empty()) {
    const FunctionDecl *FD = Work.pop_back_val();
    auto It = Facts.find(FD);
    if (It == Facts.end())
      continue;
    for (const Suspension &S : It->second.Suspensions)
      Add(coroutineStartedBy(S.Expr->getOperand()),
          {"it is co_awaited by '" + displayName(FD) +
               "', which may resume on another thread",
           S.Loc});
  }
  return Out;
}

} // namespace clang::tidy::fearless
