// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
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
#include "ClangCompat.h"
#include "ThreadBoundary.h"

#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"

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

// What a locker's constructor does with its mutex.
enum class CtorEffect { None, Acquire, Adopt, Defer };

// The effect of a unique_lock/shared_lock/lock_guard constructor whose first
// parameter is the mutex and whose second (if any) has type \p Second.
// try_to_lock and the timed constructors (a chrono duration or time_point)
// may or may not acquire: they start deferred, and the locker's owns_lock(),
// operator bool and try_lock*() are try-acquisitions (see annotateLocker).
CtorEffect effectOfSecondParam(QualType Second) {
  if (isStdTag(Second, "std::adopt_lock_t"))
    return CtorEffect::Adopt;
  if (isStdTag(Second, "std::defer_lock_t") ||
      isStdTag(Second, "std::try_to_lock_t"))
    return CtorEffect::Defer;
  const auto *RD = Second.getNonReferenceType()->getAsCXXRecordDecl();
  if (RD) {
    std::string Name = qualifiedName(RD);
    if (Name == "std::chrono::duration" || Name == "std::chrono::time_point")
      return CtorEffect::Defer;
  }
  return CtorEffect::None;
}

// Every constructor of Record, including specializations of constructor
// templates (the timed constructors of unique_lock and shared_lock).
llvm::SmallVector<CXXConstructorDecl *, 8> allCtors(CXXRecordDecl *Record) {
  llvm::SmallVector<CXXConstructorDecl *, 8> Result(Record->ctors());
  for (Decl *D : Record->decls())
    if (auto *FTD = dyn_cast<FunctionTemplateDecl>(D))
      for (FunctionDecl *Spec : FTD->specializations())
        if (auto *Ctor = dyn_cast<CXXConstructorDecl>(Spec))
          Result.push_back(Ctor);
  return Result;
}

void annotateLocker(ASTContext &Ctx, ClassTemplateSpecializationDecl *Spec,
                    LockerKind Kind) {
  CXXRecordDecl *Record = Spec->getDefinition();
  if (!Record || Record->hasAttr<ScopedLockableAttr>())
    return;
  addToAllRedecls(Record, ScopedLockableAttr::CreateImplicit(Ctx));
  const bool Shared = Kind == LockerKind::Shared;

  for (CXXConstructorDecl *Ctor : allCtors(Record)) {
    llvm::SmallVector<Expr *, 4> Mutexes;
    CtorEffect What = CtorEffect::None;
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
      What = Mutexes.empty() ? CtorEffect::None
             : First         ? CtorEffect::Adopt
                             : CtorEffect::Acquire;
    } else if (N >= 1 && isMutexParam(Ctor->getParamDecl(0), Record)) {
      Mutexes.push_back(paramRef(Ctx, Ctor->getParamDecl(0)));
      if (N == 1)
        What = CtorEffect::Acquire;
      else if (N == 2)
        What = effectOfSecondParam(Ctor->getParamDecl(1)->getType());
    } else if (Ctor->isMoveConstructor() || Ctor->isDefaultConstructor()) {
      // A default-constructed locker owns nothing: its destructor must not
      // release anything either (see the move constructor below).
      // The new locker takes over a lock the engine cannot name (it is the
      // other locker's): any attribute makes the engine create a scoped
      // capability for it, here one that manages nothing, so that its
      // destructor releases nothing. The moved-from locker keeps the
      // mutex in the engine's view until its own scope ends.
      What = CtorEffect::Defer;
    }
    // Adopting a mutex the engine cannot see taken: a type that is not a
    // capability (a user's spin lock without annotations) is never held in
    // the engine's view, however it was locked (lock(), a successful
    // try_lock()), so requiring it would report every adoption. The locker
    // then manages nothing, as a deferred one.
    if (What == CtorEffect::Adopt &&
        llvm::any_of(Ctor->parameters(), [&](const ParmVarDecl *P) {
          if (!isMutexParam(P, Record))
            return false;
          const auto *RD =
              P->getType().getNonReferenceType()->getAsCXXRecordDecl();
          return !RD || !RD->hasAttr<CapabilityAttr>();
        })) {
      What = CtorEffect::Defer;
      Mutexes.clear();
    }
    Attr *A = nullptr;
    switch (What) {
    case CtorEffect::None:
      continue;
    case CtorEffect::Acquire:
      A = AcquireCapabilityAttr::CreateImplicit(
          Ctx, Mutexes.data(), Mutexes.size(), SourceRange(),
          Shared ? AcquireCapabilityAttr::GNU_acquire_shared_capability
                 : AcquireCapabilityAttr::GNU_acquire_capability);
      break;
    case CtorEffect::Adopt:
      A = RequiresCapabilityAttr::CreateImplicit(
          Ctx, Mutexes.data(), Mutexes.size(), SourceRange(),
          Shared ? RequiresCapabilityAttr::GNU_requires_shared_capability
                 : RequiresCapabilityAttr::GNU_requires_capability);
      break;
    case CtorEffect::Defer:
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
  // Conditional ownership. A try-acquisition of the locker itself, on the
  // branch where it succeeded, finds the locker's scoped capability in the
  // fact set and relocks the mutexes it manages -- the engine's own relock
  // path -- so `if (lk.try_lock())`, `if (lk.owns_lock())` and `if (lk)`
  // hold the mutex on their true branch. owns_lock() and operator bool on a
  // locker that already holds its mutex only confirm it: the engine's
  // "already held" finding at such a call is dropped (isOwnershipQuery).
  Expr *True =
      CXXBoolLiteralExpr::Create(Ctx, true, Ctx.BoolTy, SourceLocation());
  auto TryAcquire = [&] {
    return TryAcquireCapabilityAttr::CreateImplicit(
        Ctx, True, nullptr, 0, SourceRange(),
        Shared ? TryAcquireCapabilityAttr::GNU_try_acquire_shared_capability
               : TryAcquireCapabilityAttr::GNU_try_acquire_capability);
  };
  for (StringRef Name :
       {"try_lock", "try_lock_for", "try_lock_until", "owns_lock"})
    for (FunctionDecl *FD : methodsNamed(Record, Name))
      addToAllRedecls(FD, TryAcquire());
  for (Decl *D : Record->decls())
    if (auto *Conv = dyn_cast<CXXConversionDecl>(D))
      if (Conv->getConversionType()->isBooleanType())
        addToAllRedecls(Conv, TryAcquire());
}

// The locker a `return` hands out: a local locker variable or a locker
// built in place, seen through the copy/move that returning it may imply.
// \p Var is set to the local variable returned, if any.
const CXXConstructExpr *
returnedLockerConstruction(const Expr *E, const VarDecl **Var = nullptr) {
  if (!E)
    return nullptr;
  E = E->IgnoreImplicit();
  if (const auto *Cast = dyn_cast<CXXFunctionalCastExpr>(E))
    return returnedLockerConstruction(Cast->getSubExpr(), Var);
  if (const auto *CE = dyn_cast<CXXConstructExpr>(E)) {
    if (CE->getNumArgs() == 1 && CE->getConstructor()->isCopyOrMoveConstructor())
      return returnedLockerConstruction(CE->getArg(0), Var);
    return CE;
  }
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParens()))
    if (const auto *V = dyn_cast<VarDecl>(DRE->getDecl()))
      if (V->isLocalVarDecl() && V->getInit()) {
        if (Var)
          *Var = V;
        return dyn_cast<CXXConstructExpr>(V->getInit()->IgnoreImplicit());
      }
  return nullptr;
}

// Whether the engine can evaluate \p E at a call of \p FD: built only from
// `this`, FD's parameters and variables with static storage.
bool nameableByCallers(const Expr *E, const FunctionDecl *FD) {
  E = E->IgnoreParenImpCasts();
  if (isa<CXXThisExpr>(E))
    return true;
  if (const auto *ME = dyn_cast<MemberExpr>(E))
    return isa<FieldDecl>(ME->getMemberDecl()) &&
           nameableByCallers(ME->getBase(), FD);
  if (const auto *UO = dyn_cast<UnaryOperator>(E))
    return (UO->getOpcode() == UO_Deref || UO->getOpcode() == UO_AddrOf) &&
           nameableByCallers(UO->getSubExpr(), FD);
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *P = dyn_cast<ParmVarDecl>(DRE->getDecl()))
      return P->getDeclContext() == FD;
    if (const auto *V = dyn_cast<VarDecl>(DRE->getDecl()))
      return V->hasGlobalStorage() && !V->isStaticLocal();
  }
  return false;
}

struct ReturnCollector : RecursiveASTVisitor<ReturnCollector> {
  llvm::SmallVector<const ReturnStmt *, 2> Returns;
  /// Local variables a member function is called on (lk.unlock(), ...).
  llvm::SmallPtrSet<const Decl *, 4> CalledOn;
  bool VisitReturnStmt(ReturnStmt *R) {
    Returns.push_back(R);
    return true;
  }
  bool VisitCXXMemberCallExpr(CXXMemberCallExpr *MC) {
    if (const auto *DRE = dyn_cast<DeclRefExpr>(
            MC->getImplicitObjectArgument()->IgnoreParenImpCasts()))
      CalledOn.insert(DRE->getDecl());
    return true;
  }
  // Returns of nested lambdas and local classes are theirs.
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
};

// Whether FD returns a std::unique_lock or std::shared_lock by value.
bool returnsStdLocker(const FunctionDecl *FD) {
  return stdLockerKind(FD->getReturnType()->getAsCXXRecordDecl()) !=
         StdLocker::None;
}

} // namespace

StdLocker stdLockerKind(const CXXRecordDecl *RD) {
  const IdentifierInfo *Id = RD ? RD->getIdentifier() : nullptr;
  if (!Id || !RD->isInStdNamespace())
    return StdLocker::None;
  if (Id->getName() == "unique_lock")
    return StdLocker::Unique;
  if (Id->getName() == "shared_lock")
    return StdLocker::Shared;
  return StdLocker::None;
}

llvm::SmallVector<SourceLocation, 2> returnedLockerSites(const FunctionDecl *FD) {
  llvm::SmallVector<SourceLocation, 2> Sites;
  const CXXRecordDecl *Returned = FD->getReturnType()->getAsCXXRecordDecl();
  if (!FD->doesThisDeclarationHaveABody() || !Returned ||
      !(returnsStdLocker(FD) || (!engineKeepsReturnedScopedLocks() &&
                                 Returned->hasAttr<ScopedLockableAttr>())))
    return Sites;
  ReturnCollector Collector;
  Collector.TraverseStmt(FD->getBody());
  for (const ReturnStmt *R : Collector.Returns) {
    const Expr *E = R->getRetValue();
    if (const CXXConstructExpr *CE = returnedLockerConstruction(E)) {
      Sites.push_back(CE->getExprLoc());
      Sites.push_back(CE->getBeginLoc());
    }
    if (E) {
      Sites.push_back(E->getExprLoc());
      Sites.push_back(E->IgnoreImplicit()->getBeginLoc());
    }
  }
  return Sites;
}

const Expr *inferReturnedLocker(ASTContext &Ctx, FunctionDecl *FD) {
  if (!FD->doesThisDeclarationHaveABody() || FD->isDependentContext() ||
      !returnsStdLocker(FD))
    return nullptr;
  for (const FunctionDecl *R : FD->redecls())
    if (R->hasAttr<AcquireCapabilityAttr>() ||
        R->hasAttr<TryAcquireCapabilityAttr>() ||
        R->hasAttr<RequiresCapabilityAttr>() ||
        R->hasAttr<ReleaseCapabilityAttr>() ||
        R->hasAttr<NoThreadSafetyAnalysisAttr>())
      return nullptr;
  ReturnCollector Collector;
  Collector.TraverseStmt(FD->getBody());
  const Expr *Mutex = nullptr;
  std::string MutexText;
  for (const ReturnStmt *R : Collector.Returns) {
    const VarDecl *Var = nullptr;
    const CXXConstructExpr *CE =
        returnedLockerConstruction(R->getRetValue(), &Var);
    // Only a locker that acquired its mutex when built: one argument, the
    // mutex (adopted, deferred and tried ones say nothing certain), and
    // that the function did not unlock or release before returning it.
    if (!CE || CE->getNumArgs() != 1 ||
        !CE->getConstructor()->hasAttr<AcquireCapabilityAttr>() ||
        (Var && Collector.CalledOn.contains(Var)))
      return nullptr;
    const Expr *Arg = CE->getArg(0);
    if (!nameableByCallers(Arg, FD))
      return nullptr;
    std::string Text;
    llvm::raw_string_ostream OS(Text);
    Arg->IgnoreParenImpCasts()->printPretty(OS, nullptr,
                                            Ctx.getPrintingPolicy());
    if (Mutex && Text != MutexText)
      return nullptr;
    Mutex = Arg;
    MutexText = std::move(Text);
  }
  if (!Mutex)
    return nullptr;
  auto *E = const_cast<Expr *>(Mutex);
  bool Shared = stdLockerKind(FD->getReturnType()->getAsCXXRecordDecl()) ==
                StdLocker::Shared;
  addToAllRedecls(FD, AcquireCapabilityAttr::CreateImplicit(
                          Ctx, &E, 1, SourceRange(),
                          Shared ? AcquireCapabilityAttr::
                                       GNU_acquire_shared_capability
                                 : AcquireCapabilityAttr::
                                       GNU_acquire_capability));
  return Mutex;
}

namespace {

// std::lock(m1, m2, ...) acquires every mutex it is given (in an order of
// its own): ACQUIRE of each mutex parameter, on each specialization; given
// lockers (deferred unique_locks), it relocks each (see mutexParams).
// std::try_lock(m1, m2, ...) returns -1 when it took every mutex (and
// otherwise the index of the one it could not take, having released the
// others): TRY_ACQUIRE(-1, each mutex parameter).
template <class Each>
void forEachStdSpecialization(ASTContext &Ctx, StringRef Name, Each F) {
  DeclContext *TU = Ctx.getTranslationUnitDecl();
  for (NamedDecl *Std : TU->lookup(&Ctx.Idents.get("std"))) {
    auto *NS = dyn_cast<NamespaceDecl>(Std);
    if (!NS)
      continue;
    for (NamedDecl *D : NS->getPrimaryContext()->lookup(&Ctx.Idents.get(Name)))
      if (auto *FTD = dyn_cast<FunctionTemplateDecl>(D))
        for (FunctionDecl *Spec : FTD->specializations())
          F(Spec);
  }
}

// The parameters of a std::lock/std::try_lock specialization, if there are
// at least two and every one is a capability (a mutex) or every one is a
// scoped capability (a locker: deferred unique_locks, shared_locks). A
// locker named by ACQUIRE finds its own scoped capability in the engine's
// fact set -- made by its deferred constructor, which names the mutex it
// manages -- and relocks that mutex, as the locker's lock() does
// (llvm-project #156760).
llvm::SmallVector<Expr *, 4> mutexParams(ASTContext &Ctx, FunctionDecl *Spec) {
  llvm::SmallVector<Expr *, 4> Mutexes;
  unsigned Lockers = 0;
  for (ParmVarDecl *P : Spec->parameters()) {
    const CXXRecordDecl *RD =
        P->getType().getNonReferenceType()->getAsCXXRecordDecl();
    if (!RD || !(RD->hasAttr<CapabilityAttr>() ||
                 RD->hasAttr<ScopedLockableAttr>()))
      return {};
    Lockers += RD->hasAttr<ScopedLockableAttr>();
    Mutexes.push_back(paramRef(Ctx, P));
  }
  if (Lockers != 0 && Lockers != Mutexes.size())
    return {};
  if (Mutexes.size() < 2)
    return {};
  return Mutexes;
}

IntegerLiteral *minusOne(ASTContext &Ctx, SourceLocation Loc) {
  return IntegerLiteral::Create(
      Ctx, llvm::APInt(Ctx.getIntWidth(Ctx.IntTy), -1, /*isSigned=*/true),
      Ctx.IntTy, Loc);
}

// Returns whether the unit uses std::try_lock on mutexes.
bool annotateStdLock(ASTContext &Ctx) {
  bool TryLock = false;
  forEachStdSpecialization(Ctx, "lock", [&](FunctionDecl *Spec) {
    if (Spec->hasAttr<AcquireCapabilityAttr>())
      return;
    llvm::SmallVector<Expr *, 4> Mutexes = mutexParams(Ctx, Spec);
    if (!Mutexes.empty())
      addToAllRedecls(Spec, AcquireCapabilityAttr::CreateImplicit(
                                Ctx, Mutexes.data(), Mutexes.size()));
  });
  forEachStdSpecialization(Ctx, "try_lock", [&](FunctionDecl *Spec) {
    if (Spec->hasAttr<TryAcquireCapabilityAttr>()) {
      TryLock = true;
      return;
    }
    llvm::SmallVector<Expr *, 4> Mutexes = mutexParams(Ctx, Spec);
    if (Mutexes.empty())
      return;
    addToAllRedecls(Spec, TryAcquireCapabilityAttr::CreateImplicit(
                              Ctx, minusOne(Ctx, SourceLocation()),
                              Mutexes.data(), Mutexes.size()));
    TryLock = true;
  });
  return TryLock;
}

// The engine reads a try-lock's comparison only against a literal it can
// take as a boolean: `std::try_lock(a, b) == -1` spells -1 as a negation
// of 1, which it cannot read, so the success branch was never seen. The
// operand is replaced by the literal -1 (same value, same type) in the
// comparisons whose other side calls an annotated std::try_lock.
struct TryLockComparisons : RecursiveASTVisitor<TryLockComparisons> {
  ASTContext &Ctx;
  explicit TryLockComparisons(ASTContext &Ctx) : Ctx(Ctx) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  static bool callsStdTryLock(const Expr *E) {
    const auto *Call = dyn_cast<CallExpr>(E->IgnoreParenImpCasts());
    const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
    return FD && FD->hasAttr<TryAcquireCapabilityAttr>() &&
           FD->isInStdNamespace() && FD->getDeclName().isIdentifier() &&
           FD->getName() == "try_lock";
  }
  static bool isMinusOne(const Expr *E) {
    const auto *Neg = dyn_cast<UnaryOperator>(E->IgnoreParenImpCasts());
    const auto *One = Neg && Neg->getOpcode() == UO_Minus
                          ? dyn_cast<IntegerLiteral>(
                                Neg->getSubExpr()->IgnoreParenImpCasts())
                          : nullptr;
    return One && One->getValue() == 1;
  }
  bool VisitBinaryOperator(BinaryOperator *BO) {
    if (BO->getOpcode() != BO_EQ && BO->getOpcode() != BO_NE)
      return true;
    if (callsStdTryLock(BO->getLHS()) && isMinusOne(BO->getRHS()))
      BO->setRHS(minusOne(Ctx, BO->getRHS()->getBeginLoc()));
    else if (callsStdTryLock(BO->getRHS()) && isMinusOne(BO->getLHS()))
      BO->setLHS(minusOne(Ctx, BO->getLHS()->getBeginLoc()));
    return true;
  }
};

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
  if (annotateStdLock(Ctx))
    TryLockComparisons(Ctx).TraverseAST(Ctx);
}

} // namespace clang::tidy::fearless
