//===--- StdMutexAttributes.cpp - std::mutex as an annotated capability ---===//
//
// How the engine reads attributes decides what is attached where:
// - it looks at the attributes of the very declaration a call refers to, so
//   every redeclaration gets them;
// - it substitutes call arguments only for the callee's own parameters, so a
//   locker's constructor is annotated per specialization with references to
//   that instantiated constructor's parameters (attributes on the template
//   pattern never reach specializations that already exist).
//
//===----------------------------------------------------------------------===//

#include "StdMutexAttributes.h"
#include "ThreadBoundary.h"

#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"

namespace clang::tidy::fearless {

namespace {

template <class AttrT> void addToAllRedecls(Decl *D, AttrT *A) {
  for (Decl *R : D->redecls())
    if (!R->hasAttr<AttrT>())
      R->addAttr(A);
}

NamedDecl *lookupInStd(ASTContext &Ctx, StringRef Name) {
  DeclContext *TU = Ctx.getTranslationUnitDecl();
  for (NamedDecl *Std : TU->lookup(&Ctx.Idents.get("std"))) {
    auto *NS = dyn_cast<NamespaceDecl>(Std);
    if (!NS)
      continue;
    for (NamedDecl *D : NS->getPrimaryContext()->lookup(&Ctx.Idents.get(Name)))
      if (isa<CXXRecordDecl, ClassTemplateDecl>(D))
        return D;
  }
  return nullptr;
}

// Every function named Name declared in Record, including each
// specialization of a member function template of that name.
llvm::SmallVector<FunctionDecl *, 4> methodsNamed(CXXRecordDecl *Record,
                                                  StringRef Name) {
  llvm::SmallVector<FunctionDecl *, 4> Result;
  for (Decl *D : Record->decls()) {
    if (auto *MD = dyn_cast<CXXMethodDecl>(D)) {
      if (MD->getDeclName().isIdentifier() && MD->getName() == Name)
        Result.push_back(MD);
    } else if (auto *FTD = dyn_cast<FunctionTemplateDecl>(D)) {
      if (FTD->getDeclName().isIdentifier() && FTD->getName() == Name) {
        Result.push_back(FTD->getTemplatedDecl());
        for (FunctionDecl *Spec : FTD->specializations())
          Result.push_back(Spec);
      }
    }
  }
  return Result;
}

Expr *paramRef(ASTContext &Ctx, ParmVarDecl *P) {
  return DeclRefExpr::Create(Ctx, NestedNameSpecifierLoc(), SourceLocation(),
                             P, /*RefersToEnclosingVariableOrCapture=*/false,
                             P->getLocation(), P->getType().getNonReferenceType(),
                             VK_LValue);
}

void annotateMutex(ASTContext &Ctx, CXXRecordDecl *Record) {
  Record = Record->getDefinition();
  if (!Record || Record->hasAttr<CapabilityAttr>())
    return;
  addToAllRedecls(Record, CapabilityAttr::CreateImplicit(Ctx, "mutex"));

  auto Annotate = [&](StringRef Name, auto MakeAttr) {
    for (FunctionDecl *FD : methodsNamed(Record, Name))
      addToAllRedecls(FD, MakeAttr());
  };
  Expr *True = nullptr;
  auto TrueLiteral = [&] {
    if (!True)
      True = CXXBoolLiteralExpr::Create(Ctx, true, Ctx.BoolTy, SourceLocation());
    return True;
  };
  Annotate("lock", [&] {
    return AcquireCapabilityAttr::CreateImplicit(Ctx, nullptr, 0);
  });
  Annotate("unlock", [&] {
    return ReleaseCapabilityAttr::CreateImplicit(Ctx, nullptr, 0);
  });
  for (StringRef Name : {"try_lock", "try_lock_for", "try_lock_until"})
    Annotate(Name, [&] {
      return TryAcquireCapabilityAttr::CreateImplicit(Ctx, TrueLiteral(),
                                                      nullptr, 0);
    });
  Annotate("lock_shared", [&] {
    return AcquireCapabilityAttr::CreateImplicit(
        Ctx, nullptr, 0, SourceRange(),
        AcquireCapabilityAttr::GNU_acquire_shared_capability);
  });
  Annotate("unlock_shared", [&] {
    return ReleaseCapabilityAttr::CreateImplicit(
        Ctx, nullptr, 0, SourceRange(),
        ReleaseCapabilityAttr::GNU_release_shared_capability);
  });
  for (StringRef Name :
       {"try_lock_shared", "try_lock_shared_for", "try_lock_shared_until"})
    Annotate(Name, [&] {
      return TryAcquireCapabilityAttr::CreateImplicit(
          Ctx, TrueLiteral(), nullptr, 0, SourceRange(),
          TryAcquireCapabilityAttr::GNU_try_acquire_shared_capability);
    });
}

bool isStdTag(QualType T, StringRef Name) {
  const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  return RD && qualifiedName(RD) == Name;
}

// A parameter that names a mutex: an lvalue reference to something that is
// not a tag type (adopt_lock_t, ...) and not the locker itself.
bool isMutexParam(const ParmVarDecl *P, const CXXRecordDecl *Locker) {
  QualType T = P->getType();
  if (!T->isLValueReferenceType())
    return false;
  const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  return !RD || RD->getCanonicalDecl() != Locker->getCanonicalDecl();
}

enum class LockerKind { Exclusive, Shared, Multi };

void annotateLocker(ASTContext &Ctx, ClassTemplateSpecializationDecl *Spec,
                    LockerKind Kind) {
  CXXRecordDecl *Record = Spec->getDefinition();
  if (!Record || Record->hasAttr<ScopedLockableAttr>())
    return;
  addToAllRedecls(Record, ScopedLockableAttr::CreateImplicit(Ctx));
  const bool Shared = Kind == LockerKind::Shared;

  for (CXXConstructorDecl *Ctor : Record->ctors()) {
    llvm::SmallVector<Expr *, 4> Mutexes;
    enum { None, Acquire, Adopt, Defer } What = None;
    unsigned N = Ctor->getNumParams();
    if (Kind == LockerKind::Multi) {
      unsigned First = 0;
      if (N > 0 && isStdTag(Ctor->getParamDecl(0)->getType(), "std::adopt_lock_t"))
        First = 1;
      for (unsigned I = First; I < N; ++I) {
        if (!isMutexParam(Ctor->getParamDecl(I), Record)) {
          Mutexes.clear();
          break;
        }
        Mutexes.push_back(paramRef(Ctx, Ctor->getParamDecl(I)));
      }
      What = Mutexes.empty() ? None : First ? Adopt : Acquire;
    } else if (N >= 1 && isMutexParam(Ctor->getParamDecl(0), Record)) {
      Mutexes.push_back(paramRef(Ctx, Ctor->getParamDecl(0)));
      if (N == 1)
        What = Acquire;
      else if (N == 2) {
        QualType Tag = Ctor->getParamDecl(1)->getType();
        if (isStdTag(Tag, "std::adopt_lock_t"))
          What = Adopt;
        else if (isStdTag(Tag, "std::defer_lock_t"))
          What = Defer;
        // try_to_lock_t: the engine would record the locker, not the mutex,
        // as tried; left unannotated (documented gap).
      }
    }
    Attr *A = nullptr;
    switch (What) {
    case None:
      continue;
    case Acquire:
      A = AcquireCapabilityAttr::CreateImplicit(
          Ctx, Mutexes.data(), Mutexes.size(), SourceRange(),
          Shared ? AcquireCapabilityAttr::GNU_acquire_shared_capability
                 : AcquireCapabilityAttr::GNU_acquire_capability);
      break;
    case Adopt:
      A = RequiresCapabilityAttr::CreateImplicit(
          Ctx, Mutexes.data(), Mutexes.size(), SourceRange(),
          Shared ? RequiresCapabilityAttr::GNU_requires_shared_capability
                 : RequiresCapabilityAttr::GNU_requires_capability);
      break;
    case Defer:
      A = LocksExcludedAttr::CreateImplicit(Ctx, Mutexes.data(),
                                            Mutexes.size());
      break;
    }
    for (Decl *R : Ctor->redecls())
      R->addAttr(A);
  }

  if (CXXDestructorDecl *Dtor = Record->getDestructor())
    addToAllRedecls(Dtor,
                    ReleaseCapabilityAttr::CreateImplicit(
                        Ctx, nullptr, 0, SourceRange(),
                        ReleaseCapabilityAttr::GNU_release_generic_capability));
  if (Kind == LockerKind::Multi)
    return;
  // Relocking through the locker itself (unique_lock, shared_lock).
  for (FunctionDecl *FD : methodsNamed(Record, "lock"))
    addToAllRedecls(FD, AcquireCapabilityAttr::CreateImplicit(
                            Ctx, nullptr, 0, SourceRange(),
                            Shared ? AcquireCapabilityAttr::
                                         GNU_acquire_shared_capability
                                   : AcquireCapabilityAttr::
                                         GNU_acquire_capability));
  for (FunctionDecl *FD : methodsNamed(Record, "unlock"))
    addToAllRedecls(FD,
                    ReleaseCapabilityAttr::CreateImplicit(
                        Ctx, nullptr, 0, SourceRange(),
                        ReleaseCapabilityAttr::GNU_release_generic_capability));
}

} // namespace

void annotateStdMutexes(ASTContext &Ctx) {
  for (StringRef Name : {"mutex", "timed_mutex", "recursive_mutex",
                         "recursive_timed_mutex", "shared_mutex",
                         "shared_timed_mutex"})
    if (auto *RD = dyn_cast_or_null<CXXRecordDecl>(lookupInStd(Ctx, Name)))
      annotateMutex(Ctx, RD);

  const std::pair<StringRef, LockerKind> Lockers[] = {
      {"lock_guard", LockerKind::Exclusive},
      {"unique_lock", LockerKind::Exclusive},
      {"scoped_lock", LockerKind::Multi},
      {"shared_lock", LockerKind::Shared}};
  for (const auto &[Name, Kind] : Lockers)
    if (auto *CTD = dyn_cast_or_null<ClassTemplateDecl>(lookupInStd(Ctx, Name)))
      for (ClassTemplateSpecializationDecl *Spec : CTD->specializations())
        annotateLocker(Ctx, Spec, Kind);
}

} // namespace clang::tidy::fearless
