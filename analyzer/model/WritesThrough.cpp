// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- WritesThrough.cpp - what a function writes through a shared object ===//

#include "WritesThrough.h"
#include "Accesses.h"
#include "TypeProperties.h"
#include "UnitModel.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <functional>

namespace clang::tidy::fearless {

namespace {

std::string nameOf(const NamedDecl *D) {
  return D ? D->getQualifiedNameAsString() : std::string("?");
}

bool isIterator(llvm::StringRef N) {
  return N == "begin" || N == "end" || N == "rbegin" || N == "rend" ||
         N == "find" || N == "lower_bound" || N == "upper_bound";
}

// An iterator into something reachable: `auto it = v_.begin()`.
bool iteratorInit(const Expr *Init) {
  Init = Init->IgnoreImplicit();
  if (const auto *CE = dyn_cast<CXXConstructExpr>(Init);
      CE && CE->getNumArgs() == 1)
    Init = CE->getArg(0)->IgnoreImplicit();
  const auto *MC = dyn_cast<CXXMemberCallExpr>(Init);
  const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
  return MD && MD->getDeclName().isIdentifier() && isIterator(MD->getName());
}

} // namespace

/// One walk of one body for one base (`this` or a pointer variable).
class WriteSearch {
public:
  WriteSearch(WritesThrough &Model, const VarDecl *Var)
      : Model(Model), SM(Model.Ctx.getSourceManager()), Var(Var) {}

  SourceLocation From, To;
  const Stmt *Skip = nullptr;
  llvm::function_ref<bool(const Expr *)> Own;
  WriteThrough Found;

  void walk(const Stmt *S) {
    if (!S || Found || S == Skip)
      return;
    visit(S);
    for (const Stmt *C : S->children())
      walk(C);
  }

  /// Whether \p E designates (an lvalue) or points to (a pointer) something
  /// reachable through the base.
  bool reaches(const Expr *E, int Depth = 0) const {
    if (!E || Depth > 16)
      return false;
    E = E->IgnoreParenImpCasts();
    if (isa<CXXThisExpr>(E))
      return !Var;
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
      const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
      return VD && (VD == Var || Aliases.contains(VD));
    }
    if (const auto *ME = dyn_cast<MemberExpr>(E))
      return isa<FieldDecl>(ME->getMemberDecl()) &&
             reaches(ME->getBase(), Depth + 1);
    if (const auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() == UO_Deref || UO->getOpcode() == UO_AddrOf)
        return reaches(UO->getSubExpr(), Depth + 1);
      return false;
    }
    if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E))
      return reaches(AS->getBase(), Depth + 1);
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      OverloadedOperatorKind K = Op->getOperator();
      return (K == OO_Subscript || K == OO_Star || K == OO_Arrow) &&
             Op->getNumArgs() >= 1 && reaches(Op->getArg(0), Depth + 1);
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(E)) {
      // The element accessors of the containers and smart pointers a
      // reachable object holds.
      const CXXMethodDecl *MD = MC->getMethodDecl();
      if (MD && MD->getDeclName().isIdentifier()) {
        llvm::StringRef N = MD->getName();
        if (N == "get" || N == "data" || N == "front" || N == "back" ||
            N == "at" || isIterator(N))
          return reaches(MC->getImplicitObjectArgument(), Depth + 1);
      }
      return false;
    }
    if (const auto *CO = dyn_cast<ConditionalOperator>(E))
      return reaches(CO->getTrueExpr(), Depth + 1) ||
             reaches(CO->getFalseExpr(), Depth + 1);
    return false;
  }

private:
  bool inRange(SourceLocation L) const {
    return (From.isInvalid() || SM.isBeforeInTranslationUnit(From, L)) &&
           (To.isInvalid() || SM.isBeforeInTranslationUnit(L, To));
  }

  bool threadSafe(QualType T) const {
    T = T.getNonReferenceType().getUnqualifiedType();
    return !T.isNull() && !T->isDependentType() &&
           Model.Props.get(T, Property::ThreadSafe).Holds;
  }

  void found(SourceLocation L, std::string What) {
    if (!Found && inRange(CalledAt.isValid() ? CalledAt : L))
      Found = WriteThrough{L, std::move(What)};
  }

  std::string spelled(const Expr *E) const {
    E = E->IgnoreParenImpCasts();
    if (const auto *ME = dyn_cast<MemberExpr>(E))
      return ME->getMemberDecl()->getNameAsString();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      return DRE->getDecl()->getNameAsString();
    if (isa<CXXThisExpr>(E))
      return "this";
    if (const auto *UO = dyn_cast<UnaryOperator>(E))
      return spelled(UO->getSubExpr());
    if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E))
      return spelled(AS->getBase());
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E);
        Op && Op->getNumArgs() >= 1)
      return spelled(Op->getArg(0));
    return "it";
  }

  /// A write of the reachable lvalue \p E. A pointer or iterator variable
  /// itself (`p = q`, `++it`) is not what it points to.
  void writes(const Expr *E, SourceLocation L, llvm::StringRef How) {
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParens()))
      if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
          VD && !VD->getType()->isReferenceType())
        return;
    if (reaches(E) && !threadSafe(E->getType()))
      found(L, (How + " '" + spelled(E) + "'").str());
  }

  /// A call of \p MD on the reachable object \p Obj.
  void callOn(const CXXMethodDecl *MD, const Expr *Obj, SourceLocation L) {
    if (!MD || MD->isStatic() || !reaches(Obj))
      return;
    QualType ObjT = Obj->IgnoreParenImpCasts()->getType();
    if (ObjT->isPointerType())
      ObjT = ObjT->getPointeeType();
    if (threadSafe(ObjT))
      return;
    const FunctionDecl *Def = MD->getDefinition();
    if (Def && UnitModel::isAnalysable(Def) && !UnitModel::isSystem(Def)) {
      if (WriteThrough W = Model.of(Def, -1))
        found(L, "calls '" + nameOf(MD) + "', which " + W.What);
      return;
    }
    // Not visible: its constness says. A non-const member with a const
    // twin of the same name (operator[], begin, find) reads unless its
    // result is written, which the writes above see.
    if (!MD->isConst() && !hasConstTwin(MD))
      found(L, "calls '" + nameOf(MD) + "'" +
                   (Def ? "" : ", whose body is not in this unit"));
  }

  /// The constructor std::make_unique forwards its arguments to: the
  /// `new T(std::forward<Args>(args)...)` of its body.
  static const CXXConstructorDecl *forwardedTo(const FunctionDecl *FD) {
    if (!FD->isInStdNamespace() || !FD->getDeclName().isIdentifier() ||
        FD->getName() != "make_unique" || !FD->getBody())
      return nullptr;
    std::function<const CXXConstructExpr *(const Stmt *)> Find =
        [&](const Stmt *S) -> const CXXConstructExpr * {
      if (!S)
        return nullptr;
      if (const auto *New = dyn_cast<CXXNewExpr>(S))
        return New->getConstructExpr();
      for (const Stmt *C : S->children())
        if (const CXXConstructExpr *CE = Find(C))
          return CE;
      return nullptr;
    };
    const CXXConstructExpr *CE = Find(FD->getBody());
    return CE && CE->getNumArgs() == FD->getNumParams() ? CE->getConstructor()
                                                        : nullptr;
  }

  /// The arguments of a call of \p FD (\p Shift: the object of a member
  /// operator call comes first).
  void arguments(const FunctionDecl *FD, const Expr *const *Args,
                 unsigned NumArgs, unsigned Shift, SourceLocation L) {
    if (!FD)
      return;
    if (const CXXConstructorDecl *Ctor = forwardedTo(FD))
      FD = Ctor;
    for (unsigned I = Shift; I < NumArgs; ++I) {
      unsigned P = I - Shift;
      if (P >= FD->getNumParams())
        break;
      const Expr *Arg = Args[I];
      QualType T = FD->getParamDecl(P)->getType();
      addressesDecided(Arg);
      bool Pointer = T->isPointerType() && Arg->getType()->isPointerType();
      bool NonConstRef = T->isReferenceType() &&
                         !T.getNonReferenceType().isConstQualified();
      if (!(Pointer && !T->getPointeeType().isConstQualified()) && !NonConstRef)
        continue;
      if (!reaches(Arg) || (Own && Own(Arg)))
        continue;
      QualType Pointee = Pointer ? T->getPointeeType() : T.getNonReferenceType();
      if (threadSafe(Pointee))
        continue;
      const FunctionDecl *Def = FD->getDefinition();
      if (Def && UnitModel::isAnalysable(Def) && !UnitModel::isSystem(Def)) {
        if (WriteThrough W = Model.of(Def, static_cast<int>(P)))
          found(L, "passes '" + spelled(Arg) + "' to '" + nameOf(FD) +
                       "', which " + W.What);
        continue;
      }
      // A pointer the object holds, passed on: what the callee does with
      // the object it points to is not a write through this object.
      const Expr *Held = Arg->IgnoreParenImpCasts();
      const auto *HeldVar = dyn_cast<DeclRefExpr>(Held);
      if (Pointer && Held->getType()->isPointerType() &&
          (isa<MemberExpr>(Held) || (HeldVar && Var && HeldVar->getDecl() == Var)))
        continue;
      found(L, "passes '" + spelled(Arg) + "' to '" + nameOf(FD) + "'" +
                   (Def ? "" : ", whose body is not in this unit"));
    }
  }

  /// `&x` in \p E (through `c ? &x : nullptr`): its use is decided where
  /// \p E goes (a parameter, a pointer to const), not by the address-of.
  void addressesDecided(const Expr *E) {
    E = E->IgnoreParenImpCasts();
    if (const auto *CO = dyn_cast<ConditionalOperator>(E)) {
      addressesDecided(CO->getTrueExpr());
      addressesDecided(CO->getFalseExpr());
    } else if (const auto *UO = dyn_cast<UnaryOperator>(E);
               UO && UO->getOpcode() == UO_AddrOf) {
      Handled.insert(UO);
    }
  }

  void visit(const Stmt *S) {
    if (const auto *DS = dyn_cast<DeclStmt>(S)) {
      // `const T *p = &x_`: only read through.
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D);
            VD && VD->getInit() && VD->getType()->isPointerType() &&
            VD->getType()->getPointeeType().isConstQualified())
          addressesDecided(VD->getInit());
      // A local pointer or reference to something reachable: an alias.
      for (const Decl *D : DS->decls())
        if (const auto *VD = dyn_cast<VarDecl>(D);
            VD && VD->getInit() &&
            ((VD->getType()->isPointerType() ||
              VD->getType()->isReferenceType()) ||
             iteratorInit(VD->getInit())) &&
            !(VD->getType()->isPointerType() ||
              VD->getType()->isReferenceType()
                  ? VD->getType()->getPointeeType().isConstQualified()
                  : false) &&
            reaches(VD->getInit()))
          Aliases.insert(VD);
      return;
    }
    if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
      if (!BO->isAssignmentOp())
        return;
      writes(BO->getLHS(), BO->getOperatorLoc(), "assigns");
      // A reachable pointer copied: into a local, an alias; anywhere else,
      // stored where it may be written through later.
      const Expr *L = BO->getLHS()->IgnoreParenImpCasts();
      if (BO->getOpcode() == BO_Assign && L->getType()->isPointerType() &&
          !L->getType()->getPointeeType().isConstQualified() &&
          reaches(BO->getRHS()) && !reaches(L)) {
        const auto *DRE = dyn_cast<DeclRefExpr>(L);
        const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
        if (VD && VD->hasLocalStorage())
          Aliases.insert(VD);
        else
          found(BO->getOperatorLoc(), "stores '" + spelled(BO->getRHS()) + "'");
      }
      return;
    }
    if (const auto *UO = dyn_cast<UnaryOperator>(S)) {
      if (UO->isIncrementDecrementOp())
        writes(UO->getSubExpr(), UO->getOperatorLoc(), "changes");
      else if (UO->getOpcode() == UO_AddrOf && !Handled.contains(UO) &&
               !UO->getSubExpr()->getType().isConstQualified() &&
               !isa<CXXThisExpr>(UO->getSubExpr()->IgnoreParenImpCasts()))
        writes(UO->getSubExpr(), UO->getOperatorLoc(),
               "takes the address of");
      return;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
      const auto *MD = dyn_cast_or_null<CXXMethodDecl>(Op->getDirectCallee());
      // A local lambda called here (the spawner running a thread's body
      // itself): its body runs here, with what it captures.
      if (MD && MD->getParent()->isLambda() &&
          Op->getOperator() == OO_Call && MD->getBody() &&
          Lambdas.insert(MD).second) {
        SourceLocation Outer = CalledAt;
        if (Outer.isInvalid())
          CalledAt = Op->getBeginLoc();
        walk(MD->getBody());
        CalledAt = Outer;
      }
      if (Op->getNumArgs() >= 1 && MD) {
        if (Op->isAssignmentOp() || Op->getOperator() == OO_PlusPlus ||
            Op->getOperator() == OO_MinusMinus)
          writes(Op->getArg(0), Op->getOperatorLoc(), "assigns");
        else if (Op->getOperator() != OO_Arrow &&
                 Op->getOperator() != OO_Star &&
                 Op->getOperator() != OO_Subscript)
          callOn(MD, Op->getArg(0), Op->getOperatorLoc());
        arguments(MD, Op->getArgs(), Op->getNumArgs(), 1, Op->getBeginLoc());
      } else if (const FunctionDecl *FD = Op->getDirectCallee()) {
        arguments(FD, Op->getArgs(), Op->getNumArgs(), 0, Op->getBeginLoc());
      }
      return;
    }
    if (const auto *MC = dyn_cast<CXXMemberCallExpr>(S)) {
      callOn(MC->getMethodDecl(), MC->getImplicitObjectArgument(),
             MC->getExprLoc());
      arguments(MC->getMethodDecl(), MC->getArgs(), MC->getNumArgs(), 0,
                MC->getExprLoc());
      return;
    }
    if (const auto *CE = dyn_cast<CallExpr>(S)) {
      arguments(CE->getDirectCallee(), CE->getArgs(), CE->getNumArgs(), 0,
                CE->getBeginLoc());
      return;
    }
    if (const auto *CE = dyn_cast<CXXConstructExpr>(S)) {
      arguments(CE->getConstructor(), CE->getArgs(), CE->getNumArgs(), 0,
                CE->getBeginLoc());
      return;
    }
  }

  WritesThrough &Model;
  const SourceManager &SM;
  const VarDecl *Var;
  llvm::SmallPtrSet<const VarDecl *, 4> Aliases;
  llvm::SmallPtrSet<const UnaryOperator *, 4> Handled;
  llvm::SmallPtrSet<const CXXMethodDecl *, 2> Lambdas;
  /// Walking a local lambda's body: where it is called.
  SourceLocation CalledAt;
};

WriteThrough WritesThrough::in(const Stmt *Body, const VarDecl *Var,
                               SourceLocation From, SourceLocation To,
                               const Stmt *Skip,
                               llvm::function_ref<bool(const Expr *)> Own) {
  WriteSearch Search(*this, Var);
  Search.From = From;
  Search.To = To;
  Search.Skip = Skip;
  Search.Own = Own;
  Search.walk(Body);
  return Search.Found;
}

WriteThrough WritesThrough::of(const FunctionDecl *FD, int Param) {
  if (!FD)
    return {};
  auto Key = std::make_pair(FD->getCanonicalDecl(), Param);
  auto [It, New] = Cache.try_emplace(Key);
  // Being computed (a recursive call): what the rest of the body writes
  // decides. Too deep: assume the worst.
  if (!New)
    return It->second.W;
  const FunctionDecl *Def = FD->getDefinition();
  const VarDecl *Var = nullptr;
  if (Param >= 0) {
    if (!Def || static_cast<unsigned>(Param) >= Def->getNumParams())
      return {};
    Var = Def->getParamDecl(Param);
  }
  WriteThrough W;
  if (!Def || !Def->hasBody()) {
    W = {FD->getLocation(), "has no body in this unit"};
  } else if (Depth > 12) {
    W = {Def->getLocation(), "calls too deep to follow"};
  } else {
    ++Depth;
    WriteSearch Search(*this, Var);
    if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Def)) {
      for (const CXXCtorInitializer *Init : Ctor->inits()) {
        // A parameter stored into the new object: it may be written
        // through later.
        const Expr *E = Init->getInit();
        if (Var && E && Init->getMember() &&
            Init->getMember()->getType()->isPointerType() &&
            Search.reaches(E))
          W = {E->getBeginLoc(), "stores '" + Var->getNameAsString() + "'"};
        if (!W)
          Search.walk(E);
      }
    }
    if (!W) {
      Search.walk(Def->getBody());
      W = Search.Found;
    }
    --Depth;
  }
  Cache[Key] = Entry{true, W};
  return W;
}

} // namespace clang::tidy::fearless
