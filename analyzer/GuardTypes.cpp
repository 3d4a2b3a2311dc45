// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- GuardTypes.cpp - find lock guards inside a type -------------------===//

#include "GuardTypes.h"
#include "ThreadBoundary.h"

#include "fearless/names.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/LambdaCapture.h"

namespace clang::tidy::fearless {

namespace {

// Strips references, pointers, arrays and cv-qualifiers: a pointer to a guard
// crosses with the guard's lifetime attached to the other thread too.
QualType pointee(QualType T) {
  while (true) {
    T = T.getNonReferenceType();
    if (const auto *PT = T->getAs<PointerType>())
      T = PT->getPointeeType();
    else if (const auto *AT = T->getAsArrayTypeUnsafe())
      T = AT->getElementType();
    else
      return T.getCanonicalType().getUnqualifiedType();
  }
}

} // namespace

bool isRecordNamed(QualType T, llvm::ArrayRef<const char *> Names) {
  const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  if (!RD)
    return false;
  const NamedDecl *Named = RD;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD))
    Named = Spec->getSpecializedTemplate();
  std::string Name = qualifiedName(Named);
  for (llvm::StringRef N : Names)
    if (N.drop_front(2) == Name)
      return true;
  return false;
}

bool isGuardType(QualType T) {
  return isRecordNamed(T, ::fearless::names::kGuardTypes);
}

std::string GuardFinder::print(QualType T) const {
  return T.getAsString(Ctx.getPrintingPolicy());
}

const std::vector<GuardPathStep> *GuardFinder::find(QualType T) {
  if (T.isNull())
    return nullptr;
  const Type *Key = pointee(T).getTypePtr();
  auto It = Cache.find(Key);
  if (It == Cache.end()) {
    // Invariant: a type under computation reads as "no guard", so recursive
    // types (struct Node { Node *next; }) terminate.
    Cache[Key] = std::nullopt;
    auto Result = compute(QualType(Key, 0));
    It = Cache.insert_or_assign(Key, std::move(Result)).first;
  }
  return It->second ? &*It->second : nullptr;
}

std::optional<std::vector<GuardPathStep>> GuardFinder::compute(QualType T) {
  if (isGuardType(T))
    return std::vector<GuardPathStep>{};
  const auto *RD = T->getAsCXXRecordDecl();
  if (!RD || !RD->hasDefinition())
    return std::nullopt; // incomplete or opaque: assume no guard
  RD = RD->getDefinition();

  auto Extend = [](const std::vector<GuardPathStep> &Tail, SourceLocation Loc,
                   std::string Text) {
    std::vector<GuardPathStep> Path{{Loc, std::move(Text)}};
    Path.insert(Path.end(), Tail.begin(), Tail.end());
    return Path;
  };
  std::string Self = "'" + print(T) + "'";

  if (RD->isLambda()) {
    for (const LambdaCapture &C : RD->captures()) {
      if (!C.capturesVariable())
        continue;
      const ValueDecl *Var = C.getCapturedVar();
      QualType VarType = Var->getType();
      if (const auto *Tail = find(VarType))
        return Extend(*Tail, C.getLocation(),
                      "the lambda captures '" + Var->getNameAsString() + "' " +
                          (C.getCaptureKind() == LCK_ByRef ? "by reference"
                                                           : "by copy") +
                          " as '" + print(VarType) + "'");
    }
    return std::nullopt;
  }

  // Standard templates hold their template arguments in members that are
  // implementation details (std::optional's storage, std::vector's buffer):
  // name the argument rather than the member.
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
      Spec && RD->isInStdNamespace()) {
    for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray()) {
      if (Arg.getKind() != TemplateArgument::Type)
        continue;
      if (const auto *Tail = find(Arg.getAsType()))
        return Extend(*Tail, SourceLocation(),
                      Self + " holds '" + print(Arg.getAsType()) + "'");
    }
    return std::nullopt;
  }

  for (const CXXBaseSpecifier &Base : RD->bases())
    if (const auto *Tail = find(Base.getType()))
      return Extend(*Tail, Base.getBeginLoc(),
                    Self + " derives from '" + print(Base.getType()) + "'");

  for (const FieldDecl *Field : RD->fields())
    if (const auto *Tail = find(Field->getType()))
      return Extend(*Tail, Field->getLocation(),
                    Self + " has member '" + Field->getNameAsString() +
                        "' of type '" + print(Field->getType()) + "'");
  return std::nullopt;
}

} // namespace clang::tidy::fearless
