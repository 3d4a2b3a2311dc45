// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- WakeUps.cpp - which writes can release a condition variable waiter ===//

#include "WakeUps.h"
#include "BodyParents.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMapContext.h"

#include <optional>

namespace clang::tidy::fearless {

namespace {

// Within the function's body (BodyParents: not the whole unit's map).
const Stmt *parentOf(const Stmt *S, ASTContext &Ctx) {
  DynTypedNodeList Parents = parentsOf(DynTypedNode::create(*S), Ctx);
  return Parents.size() == 1 ? Parents[0].get<Stmt>() : nullptr;
}

// The parent of \p E seen through parentheses and implicit nodes.
const Stmt *parentThroughImplicit(const Expr *&E, ASTContext &Ctx) {
  const Stmt *P = parentOf(E, Ctx);
  while (P && isa<ParenExpr, ImplicitCastExpr, MaterializeTemporaryExpr,
                  ExprWithCleanups, CXXBindTemporaryExpr>(P)) {
    E = cast<Expr>(P);
    P = parentOf(P, Ctx);
  }
  return P;
}

// The type of the value a use of \p E stands for: T for a std::atomic<T>.
QualType valueType(const Expr *E) {
  QualType T = E->getType().getNonReferenceType();
  if (const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
          T->getAsCXXRecordDecl()))
    if (Spec->isInStdNamespace() && Spec->getName() == "atomic" &&
        Spec->getTemplateArgs().size() == 1 &&
        Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
      return Spec->getTemplateArgs()[0].getAsType();
  return T;
}

std::optional<llvm::APSInt> constantOf(const Expr *E, ASTContext &Ctx) {
  if (!E || E->isValueDependent())
    return std::nullopt;
  Expr::EvalResult R;
  if (!E->EvaluateAsInt(R, Ctx))
    return std::nullopt;
  return R.Val.getInt();
}

const char *methodName(const CXXMemberCallExpr *MC) {
  const CXXMethodDecl *MD = MC->getMethodDecl();
  return MD && MD->getDeclName().isIdentifier() ? MD->getName().data() : "";
}

// What a write leaves in the variable.
struct Written {
  enum Kind { Unknown, Constant, UnsignedAdd } What = Unknown;
  llvm::APSInt Value;
};

Written whatIsWritten(const Expr *Use, ASTContext &Ctx) {
  Written W;
  const Expr *Inner = Use;
  const Stmt *P = parentThroughImplicit(Inner, Ctx);
  if (!P)
    return W;
  bool Unsigned = valueType(Use)->isUnsignedIntegerType();
  auto Store = [&](const Expr *Value) {
    if (auto V = constantOf(Value, Ctx)) {
      W.What = Written::Constant;
      W.Value = *V;
    }
  };
  auto Add = [&](const Expr *Amount) {
    if (!Unsigned)
      return;
    if (Amount) {
      auto V = constantOf(Amount, Ctx);
      bool NonNegative = V ? !V->isNegative()
                           : Amount->IgnoreImpCasts()
                                 ->getType()
                                 ->isUnsignedIntegerType();
      if (!NonNegative)
        return;
    }
    W.What = Written::UnsignedAdd;
  };
  if (const auto *BO = dyn_cast<BinaryOperator>(P)) {
    if (BO->getLHS()->IgnoreParenImpCasts() != Use->IgnoreParenImpCasts())
      return W;
    if (BO->getOpcode() == BO_Assign)
      Store(BO->getRHS());
    else if (BO->getOpcode() == BO_AddAssign)
      Add(BO->getRHS());
  } else if (const auto *UO = dyn_cast<UnaryOperator>(P)) {
    if (UO->isIncrementOp())
      Add(nullptr);
  } else if (const auto *OC = dyn_cast<CXXOperatorCallExpr>(P)) {
    if (OC->getNumArgs() == 0 ||
        OC->getArg(0)->IgnoreParenImpCasts() != Use->IgnoreParenImpCasts())
      return W;
    switch (OC->getOperator()) {
    case OO_Equal:
      if (OC->getNumArgs() == 2)
        Store(OC->getArg(1));
      break;
    case OO_PlusEqual:
      if (OC->getNumArgs() == 2)
        Add(OC->getArg(1));
      break;
    case OO_PlusPlus:
      Add(nullptr);
      break;
    default:
      break;
    }
  } else if (const auto *ME = dyn_cast<MemberExpr>(P)) {
    // x.store(v), x.fetch_add(n) on a std::atomic.
    const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(parentOf(ME, Ctx));
    if (!MC || MC->getCallee()->IgnoreParens() != ME || MC->getNumArgs() == 0)
      return W;
    llvm::StringRef Name = methodName(MC);
    if (Name == "store" || Name == "exchange")
      Store(MC->getArg(0));
    else if (Name == "fetch_add")
      Add(MC->getArg(0));
  }
  return W;
}

// The value a predicate's read yields: the read itself, `x.load()`, or the
// atomic's conversion to its value.
const Expr *readValue(const Expr *Read, ASTContext &Ctx) {
  const Expr *E = Read;
  for (;;) {
    const Stmt *P = parentThroughImplicit(E, Ctx);
    const auto *ME = dyn_cast_or_null<MemberExpr>(P);
    if (!ME || ME->getBase()->IgnoreParenImpCasts() != E->IgnoreParenImpCasts())
      return E;
    const auto *MC = dyn_cast_or_null<CXXMemberCallExpr>(parentOf(ME, Ctx));
    if (!MC || MC->getCallee()->IgnoreParens() != ME)
      return E;
    if (!isa<CXXConversionDecl>(MC->getMethodDecl()) &&
        llvm::StringRef(methodName(MC)) != "load")
      return E;
    E = MC;
  }
}

enum class Truth { False, True, Unknown };

Truth compare(BinaryOperatorKind Op, const llvm::APSInt &L,
              const llvm::APSInt &R) {
  int C = llvm::APSInt::compareValues(L, R);
  switch (Op) {
  case BO_EQ:
    return C == 0 ? Truth::True : Truth::False;
  case BO_NE:
    return C != 0 ? Truth::True : Truth::False;
  case BO_LT:
    return C < 0 ? Truth::True : Truth::False;
  case BO_LE:
    return C <= 0 ? Truth::True : Truth::False;
  case BO_GT:
    return C > 0 ? Truth::True : Truth::False;
  case BO_GE:
    return C >= 0 ? Truth::True : Truth::False;
  default:
    return Truth::Unknown;
  }
}

// The comparison with \p Op when its operands are swapped (0 < x is x > 0).
BinaryOperatorKind swapped(BinaryOperatorKind Op) {
  switch (Op) {
  case BO_LT:
    return BO_GT;
  case BO_GT:
    return BO_LT;
  case BO_LE:
    return BO_GE;
  case BO_GE:
    return BO_LE;
  default:
    return Op;
  }
}

} // namespace

bool writeCannotWake(const Expr *Write, const Expr *Read,
                     const PredicateRoot &Where, ASTContext &Ctx) {
  if (!Write || !Read || !Where.Root)
    return false;
  Written W = whatIsWritten(Write, Ctx);
  if (W.What == Written::Unknown)
    return false;

  // The condition the read is part of, and its value after the write.
  const Expr *Atom = readValue(Read, Ctx);
  Truth After = Truth::Unknown;
  const Expr *Probe = Atom;
  const Stmt *P = Atom == Where.Root ? nullptr : parentThroughImplicit(Probe, Ctx);
  const auto *Cmp = dyn_cast_or_null<BinaryOperator>(P);
  if (Cmp && Cmp->isComparisonOp()) {
    bool ValueOnLeft = Cmp->getLHS()->IgnoreParenImpCasts() ==
                       Probe->IgnoreParenImpCasts();
    auto K = constantOf(ValueOnLeft ? Cmp->getRHS() : Cmp->getLHS(), Ctx);
    if (!K)
      return false;
    BinaryOperatorKind Op = ValueOnLeft ? Cmp->getOpcode()
                                        : swapped(Cmp->getOpcode());
    if (W.What == Written::Constant) {
      After = compare(Op, W.Value, *K);
    } else if (K->isZero()) {
      // An unsigned counter increased: not zero afterwards (or unchanged).
      if (Op == BO_EQ || Op == BO_LE)
        After = Truth::False;
      else if (Op == BO_NE || Op == BO_GT)
        After = Truth::True;
    }
    Atom = Cmp;
  } else if (W.What == Written::Constant) {
    After = W.Value.isZero() ? Truth::False : Truth::True;
  } else {
    After = Truth::True; // an unsigned counter increased, tested for truth
  }
  if (After == Truth::Unknown)
    return false;

  // Up to the predicate through &&, || and ! only: the predicate is then
  // monotone in the condition, which moves the way that does not help.
  bool Flipped = false;
  const Expr *E = Atom;
  while (E != Where.Root) {
    const Stmt *Up = parentOf(E, Ctx);
    if (const auto *UO = dyn_cast_or_null<UnaryOperator>(Up);
        UO && UO->getOpcode() == UO_LNot)
      Flipped = !Flipped;
    else if (const auto *BO = dyn_cast_or_null<BinaryOperator>(Up);
             BO && BO->isLogicalOp())
      ;
    else if (!isa_and_nonnull<ParenExpr, ImplicitCastExpr, ExprWithCleanups>(
                 Up))
      return false;
    E = cast<Expr>(Up);
  }
  bool Helpful = Where.DoneWhen != Flipped;
  return (After == Truth::True) != Helpful;
}

} // namespace clang::tidy::fearless
