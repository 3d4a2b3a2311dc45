// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Crossing.cpp - what a thread boundary hands to the other thread ---===//

#include "Crossing.h"
#include "ClangCompat.h"
#include "model/Callables.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/LambdaCapture.h"

namespace clang::tidy::fearless {

// The element type seen through a view (span, string_view,
// reference_wrapper), or null if T is not one.
QualType viewElement(QualType T) {
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getNonReferenceType()->getAsCXXRecordDecl());
  if (!Spec || !Spec->isInStdNamespace() ||
      Spec->getTemplateArgs().size() == 0 ||
      Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return QualType();
  llvm::StringRef Name = Spec->getName();
  QualType Arg = Spec->getTemplateArgs()[0].getAsType();
  if (Name == "span" || Name == "reference_wrapper")
    return Arg;
  if (Name == "basic_string_view")
    return Arg.withConst();
  return QualType();
}

namespace {

bool isThisExpr(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (isa<CXXThisExpr>(E))
    return true;
  if (const auto *Op = dyn_cast<UnaryOperator>(E);
      Op && Op->getOpcode() == UO_AddrOf)
    if (const auto *Deref =
            dyn_cast<UnaryOperator>(Op->getSubExpr()->IgnoreParenImpCasts()))
      return Deref->getOpcode() == UO_Deref && isThisExpr(Deref->getSubExpr());
  return false;
}

} // namespace

const ValueDecl *traceReferent(const Expr *E, bool &IsThis, int Depth) {
  if (!E || Depth > 4)
    return nullptr;
  E = E->IgnoreUnlessSpelledInSource()->IgnoreParenImpCasts();
  if (isThisExpr(E)) {
    IsThis = true;
    return nullptr;
  }
  llvm::StringRef Wrapper;
  if (const Expr *Inner = unwrapStdCall(E, Wrapper); Inner != E)
    return traceReferent(Inner, IsThis, Depth + 1);
  if (const auto *Op = dyn_cast<UnaryOperator>(E);
      Op && Op->getOpcode() == UO_AddrOf)
    return traceReferent(Op->getSubExpr(), IsThis, Depth + 1);
  if (const auto *Ctor = dyn_cast<CXXConstructExpr>(E);
      Ctor && Ctor->getNumArgs() >= 1)
    return traceReferent(Ctor->getArg(0), IsThis, Depth + 1);
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
    const auto *MD = Call->getMethodDecl();
    if (MD && MD->getDeclName().isIdentifier() &&
        (MD->getName() == "data" || MD->getName() == "c_str" ||
         MD->getName() == "get"))
      return traceReferent(Call->getImplicitObjectArgument(), IsThis,
                           Depth + 1);
    return nullptr;
  }
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    // A member of a local object lives as long as the object, but a
    // reference member, or the value of a pointer or view member, points
    // somewhere else: its referent is unknown.
    if (Member->getMemberDecl()->getType()->isReferenceType() ||
        E->getType()->isPointerType() || !viewElement(E->getType()).isNull())
      return nullptr;
    if (Member->isArrow())
      return isThisExpr(Member->getBase())
                 ? (IsThis = true, nullptr)
                 : nullptr;
    return traceReferent(Member->getBase(), IsThis, Depth + 1);
  }
  const auto *Ref = dyn_cast<DeclRefExpr>(E);
  const auto *VD = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  if (!VD)
    return nullptr;
  QualType T = VD->getType();
  if (T->isReferenceType())
    return nullptr; // refers to something the caller owns: unknown
  if (T->isPointerType() || !viewElement(T).isNull()) {
    // A local pointer or view: follow its initialiser.
    if (VD->hasLocalStorage() && VD->getInit())
      return traceReferent(VD->getInit(), IsThis, Depth + 1);
    return nullptr;
  }
  return VD;
}

namespace {

// The variable or member an argument names ('job', 'b' for this->b), or "".
std::string nameOf(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return Ref->getDecl()->getNameAsString();
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return Member->getMemberDecl()->getNameAsString();
  return "";
}

bool callsFromThis(const Stmt *S) {
  if (!S)
    return false;
  if (const auto *Call = dyn_cast<CXXMemberCallExpr>(S))
    if (const auto *MD = Call->getMethodDecl();
        MD && MD->getDeclName().isIdentifier() &&
        (MD->getName() == "shared_from_this" ||
         MD->getName() == "weak_from_this"))
      return true;
  for (const Stmt *Child : S->children())
    if (callsFromThis(Child))
      return true;
  return false;
}

// A by-copy value, or a pointer or view that shares its referent.
void addValue(std::vector<CrossingItem> &Items, CrossingItem Item,
              const Expr *Source, CrossHow PointerHow, CrossHow ViewHow) {
  QualType T = Item.Type.getNonReferenceType();
  if (const auto *PT = T->getAs<PointerType>();
      PT && !PT->getPointeeType()->isFunctionType()) {
    Item.IsReference = true;
    Item.How = PointerHow;
    Item.Type = PT->getPointeeType();
    Item.Referent = traceReferent(Source, Item.IsThis);
  } else if (QualType Elem = viewElement(T); !Elem.isNull()) {
    Item.IsReference = true;
    Item.How = ViewHow;
    Item.Type = Elem;
    Item.Referent = traceReferent(Source, Item.IsThis);
  } else {
    Item.Type = T.getUnqualifiedType();
  }
  if (Item.IsThis && Item.Name.empty())
    Item.Name = "this";
  Items.push_back(std::move(Item));
}

void addCaptures(std::vector<CrossingItem> &Items, const CXXRecordDecl *Closure,
                 const Stmt *Body) {
  bool KeepAlive = false;
  for (const LambdaCapture &C : Closure->captures())
    if (C.capturesVariable())
      if (const auto *VD = dyn_cast<VarDecl>(C.getCapturedVar()))
        KeepAlive |= callsFromThis(VD->getInit());
  for (const LambdaCapture &C : Closure->captures()) {
    CrossingItem Item;
    Item.Loc = C.getLocation();
    Item.CallableBody = Body;
    if (C.capturesThis()) {
      const Decl *Owner = Closure->getDeclContext()->getNonClosureAncestor();
      if (!Owner) {
        // Not in a function: the class of a default member initialiser.
        const DeclContext *DC = Closure->getDeclContext();
        while (isa_and_nonnull<CXXRecordDecl>(DC) &&
               cast<CXXRecordDecl>(DC)->isLambda())
          DC = DC->getParent();
        Owner = dyn_cast_or_null<CXXRecordDecl>(DC);
      }
      QualType Class;
      if (const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Owner)) {
        if (!Method->isInstance())
          continue;
        Class = Method->getFunctionObjectParameterType();
      } else if (const auto *Record = dyn_cast_or_null<CXXRecordDecl>(Owner)) {
        // A default member initialiser (`std::thread t_{[this] {...}};`):
        // `this` is the object every constructor builds.
        Class = recordTypeOf(Record);
      } else {
        continue;
      }
      if (C.getCaptureKind() == LCK_StarThis) {
        Item.Name = "*this";
        Item.How = CrossHow::CapturedByCopy;
        Item.Type = Class.getUnqualifiedType();
      } else {
        Item.Name = "this";
        Item.How = CrossHow::CapturedThis;
        Item.Type = Class;
        Item.IsReference = Item.IsThis = true;
        Item.KeepsThisAlive = KeepAlive;
      }
      Items.push_back(std::move(Item));
      continue;
    }
    if (!C.capturesVariable())
      continue;
    const ValueDecl *Var = C.getCapturedVar();
    Item.Name = Var->getNameAsString();
    if (C.getCaptureKind() == LCK_ByRef) {
      Item.How = CrossHow::CapturedByRef;
      Item.Type = Var->getType().getNonReferenceType();
      Item.IsReference = true;
      if (!Var->getType()->isReferenceType())
        Item.Referent = Var;
      Items.push_back(std::move(Item));
      continue;
    }
    Item.How = CrossHow::CapturedByCopy;
    Item.Type = Var->getType();
    const auto *VD = dyn_cast<VarDecl>(Var);
    const Expr *Source = nullptr;
    if (VD && VD->isInitCapture() && VD->getInit()) {
      Source = VD->getInit();
      llvm::StringRef Wrapper;
      const Expr *Inner =
          unwrapStdCall(VD->getInit()->IgnoreUnlessSpelledInSource(), Wrapper);
      if (Wrapper == "move" || Wrapper == "forward") {
        Item.How = CrossHow::Moved;
        if (const auto *Ref = dyn_cast<DeclRefExpr>(Inner))
          Item.Name = Ref->getDecl()->getNameAsString();
      }
    } else if (VD && VD->hasLocalStorage() && VD->getInit() &&
               !VD->getType()->isReferenceType()) {
      Source = VD->getInit(); // a captured local pointer: where it points
    }
    addValue(Items, std::move(Item), Source, CrossHow::CapturedPointer,
             CrossHow::CapturedView);
  }
}

} // namespace

const Expr *unwrapStdCall(const Expr *E, llvm::StringRef &Wrapper) {
  if (const auto *Call = dyn_cast<CallExpr>(E->IgnoreParenImpCasts())) {
    if (const auto *FD = Call->getDirectCallee();
        FD && FD->isInStdNamespace() && Call->getNumArgs() == 1 &&
        FD->getDeclName().isIdentifier()) {
      llvm::StringRef Name = FD->getName();
      if (Name == "move" || Name == "forward" || Name == "ref" ||
          Name == "cref" || Name == "as_const") {
        Wrapper = Name;
        return Call->getArg(0)->IgnoreParenImpCasts();
      }
    }
  }
  return E;
}

std::string describeBoundary(const ThreadBoundary &B) {
  if (B.Kind == BoundaryKind::ChannelSend)
    return "another thread through '" + B.Spawner + "'";
  return "a thread started by '" + B.Spawner + "'";
}

std::vector<CrossingItem> crossingItems(const ThreadBoundary &B,
                                        const ASTContext &Ctx) {
  std::vector<CrossingItem> Items;
  for (const Expr *Arg : B.Crossing) {
    const Expr *E = Arg->IgnoreUnlessSpelledInSource()->IgnoreParenImpCasts();
    // A lambda, also held by a variable or a std::function made from one.
    if (const LambdaExpr *Lambda = lambdaHeld(Arg)) {
      addCaptures(Items, Lambda->getLambdaClass(), Lambda->getBody());
      continue;
    }
    // A lambda stored in a variable: its captures cross.
    if (const auto *RD = E->getType()->getAsCXXRecordDecl();
        RD && RD->isLambda() && RD->getLambdaCallOperator()) {
      addCaptures(Items, RD, RD->getLambdaCallOperator()->getBody());
      continue;
    }
    if (E->getType()->isFunctionType() ||
        E->getType()->isFunctionPointerType() ||
        E->getType()->isMemberFunctionPointerType())
      continue;
    CrossingItem Item;
    Item.Loc = E->getBeginLoc();
    llvm::StringRef Wrapper;
    const Expr *Inner = unwrapStdCall(E, Wrapper);
    Item.Name = nameOf(Inner);
    if (const auto *Op = dyn_cast<UnaryOperator>(Inner);
        Op && Op->getOpcode() == UO_AddrOf)
      Item.Name = nameOf(Op->getSubExpr());
    if (Wrapper == "ref" || Wrapper == "cref") {
      Item.How = CrossHow::PassedByRef;
      Item.IsReference = true;
      Item.Type = Inner->getType();
      if (Wrapper == "cref")
        Item.Type = Item.Type.withConst();
      Item.Referent = traceReferent(Inner, Item.IsThis);
      Items.push_back(std::move(Item));
      continue;
    }
    Item.How = B.Kind == BoundaryKind::ChannelSend ? CrossHow::Sent
               : (Wrapper == "move" || Wrapper == "forward") ? CrossHow::Moved
                                                             : CrossHow::Passed;
    Item.Type = E->getType();
    addValue(Items, std::move(Item), E, CrossHow::PassedByPointer,
             CrossHow::PassedView);
  }
  (void)Ctx;
  return Items;
}

} // namespace clang::tidy::fearless
