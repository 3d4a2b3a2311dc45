// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- TypeProperties.cpp - Send, Sync and ThreadSafe of a type ----------===//

#include "TypeProperties.h"
#include "ThreadBoundary.h"
#include "UnderLock.h"

#include "fearless/names.h"

#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclFriend.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/LambdaCapture.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::fearless {

namespace {

// Reason chains longer than this are cut: the first links say enough.
constexpr size_t MaxChain = 8;

const char *markerName(Property P) {
  switch (P) {
  case Property::Send:
    return FEARLESS_MARKER_SEND_NAME;
  case Property::Sync:
    return FEARLESS_MARKER_SYNC_NAME;
  case Property::ThreadSafe:
    return FEARLESS_MARKER_THREAD_SAFE_NAME;
  }
  return "";
}

// The value V of a std::bool_constant<V> type, or -1 if it is not one (or
// still dependent).
int boolConstantValue(QualType T) {
  if (T.isNull() || T->isDependentType())
    return -1;
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T.getCanonicalType()->getAsCXXRecordDecl());
  if (!Spec || Spec->getTemplateArgs().size() != 2)
    return -1;
  const TemplateArgument &Arg = Spec->getTemplateArgs()[1];
  if (Arg.getKind() != TemplateArgument::Integral)
    return -1;
  return Arg.getAsIntegral().getBoolValue() ? 1 : 0;
}

struct Marker {
  int Value = -1;          ///< -1 none, 0 false, 1 true
  llvm::StringRef Spelled; ///< the annotation string, if any
};

// The marker of property P declared in RD or one of its bases. A "false"
// anywhere in the hierarchy wins over a "true", as in send_sync.h.
Marker findMarker(const CXXRecordDecl *RD, Property P, int Depth = 0) {
  Marker Result;
  if (!RD || !(RD = RD->getDefinition()) || Depth > 16)
    return Result;
  for (const FriendDecl *F : RD->friends()) {
    const NamedDecl *ND = F->getFriendDecl();
    if (!ND)
      continue;
    const FunctionDecl *FD = nullptr;
    if (const auto *FTD = dyn_cast<FunctionTemplateDecl>(ND))
      FD = FTD->getTemplatedDecl();
    else
      FD = dyn_cast<FunctionDecl>(ND);
    if (!FD || !FD->getDeclName().isIdentifier() ||
        FD->getName() != markerName(P))
      continue;
    Marker M;
    for (const auto *A : FD->specific_attrs<AnnotateAttr>())
      M.Spelled = A->getAnnotation();
    if (FD->getNumParams() == 3)
      M.Value = boolConstantValue(FD->getParamDecl(2)->getType());
    if (M.Value < 0 && !M.Spelled.empty()) {
      if (M.Spelled == FEARLESS_ANNOTATE_NOT_SEND ||
          M.Spelled == FEARLESS_ANNOTATE_NOT_SYNC)
        M.Value = 0;
      else if (M.Spelled == FEARLESS_ANNOTATE_UNSAFE_SEND ||
               M.Spelled == FEARLESS_ANNOTATE_UNSAFE_SYNC ||
               M.Spelled == FEARLESS_ANNOTATE_THREAD_SAFE)
        M.Value = 1;
    }
    if (M.Value == 0)
      return M;
    if (M.Value == 1)
      Result = M;
  }
  for (const CXXBaseSpecifier &Base : RD->bases()) {
    Marker M = findMarker(Base.getType()->getAsCXXRecordDecl(), P, Depth + 1);
    if (M.Value == 0)
      return M;
    if (M.Value == 1 && Result.Value < 0)
      Result = M;
  }
  return Result;
}

llvm::StringRef macroFor(llvm::StringRef Annotation) {
  return llvm::StringSwitch<llvm::StringRef>(Annotation)
      .Case(FEARLESS_ANNOTATE_NOT_SEND, "FEARLESS_NOT_SEND")
      .Case(FEARLESS_ANNOTATE_NOT_SYNC, "FEARLESS_NOT_SYNC")
      .Case(FEARLESS_ANNOTATE_SEND_IF, "FEARLESS_SEND_IF")
      .Case(FEARLESS_ANNOTATE_SYNC_IF, "FEARLESS_SYNC_IF")
      .Case(FEARLESS_ANNOTATE_THREAD_SAFE_IF, "FEARLESS_THREAD_SAFE_IF")
      .Default("");
}

const NamedDecl *templateOrSelf(const CXXRecordDecl *RD) {
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD))
    return Spec->getSpecializedTemplate();
  return RD;
}

bool inTable(const CXXRecordDecl *RD, llvm::ArrayRef<const char *> Table) {
  std::string Name = qualifiedName(templateOrSelf(RD));
  for (llvm::StringRef Entry : Table)
    if (Entry.drop_front(2) == Name)
      return true;
  return false;
}

bool isCapability(const CXXRecordDecl *RD) {
  return RD->hasAttr<CapabilityAttr>() ||
         inTable(RD, ::fearless::names::kThreadSafeTypes);
}

Verdict holds() { return Verdict{}; }

Verdict fails(SourceLocation Loc, std::string Text) {
  Verdict V;
  V.Holds = false;
  V.Chain.push_back({Loc, std::move(Text)});
  return V;
}

// Text, then the chain of the link that caused it.
Verdict because(SourceLocation Loc, std::string Text, const Verdict &Cause,
                bool WithCause = true) {
  Verdict V = fails(Loc, std::move(Text));
  V.GuardOnly = Cause.GuardOnly;
  if (WithCause)
    for (const ReasonStep &S : Cause.Chain)
      if (V.Chain.size() < MaxChain)
        V.Chain.push_back(S);
  return V;
}

// Picks the reason to report among several failing parts: the first one
// that is not only a lock guard (fearless-guard-not-send reports those).
struct FirstFailure {
  std::optional<Verdict> Best;
  void offer(Verdict V) {
    if (V.Holds)
      return;
    if (!Best || (Best->GuardOnly && !V.GuardOnly))
      Best = std::move(V);
  }
  Verdict result() { return Best ? std::move(*Best) : holds(); }
};

// A declaration of a local of a SCOPED_CAPABILITY class (leveldb's and
// benchmark's MutexLock): the block is locked from there on. The standard
// guards are UnderLock's business.
bool declaresScopedCapability(const Stmt *S) {
  const auto *DS = dyn_cast<DeclStmt>(S);
  if (!DS)
    return false;
  for (const Decl *D : DS->decls())
    if (const auto *VD = dyn_cast<VarDecl>(D))
      if (const CXXRecordDecl *RD = VD->getType()->getAsCXXRecordDecl();
          RD && RD->hasAttr<ScopedLockableAttr>())
        return true;
  return false;
}

// Collects into Unlocked the names of the members of the class whose uses
// in S (a member function's body) are not under a held lock: Locked (the
// function REQUIRES a capability, or a scoped capability was declared
// earlier in an enclosing block), or a lock UnderLock recognises. A lambda
// counts the locks held where it is written (a wait predicate runs under
// them). Only lambdas are searched when OnlyCallables (a constructor or
// destructor runs before or after the object is shared, but a thread it
// starts does not), and they count only their own locks.
void collectUnlockedUses(const Stmt *S, const Stmt *Body, ASTContext &Ctx,
                         bool OnlyCallables, bool Locked,
                         llvm::StringSet<> &Unlocked) {
  if (!S)
    return;
  if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
    bool Held = !OnlyCallables && (Locked || isUnderLock(S, Body, Ctx));
    collectUnlockedUses(Lambda->getBody(), Lambda->getBody(), Ctx,
                        /*OnlyCallables=*/false, Held, Unlocked);
    return;
  }
  if (!OnlyCallables && !Locked)
    if (const auto *Member = dyn_cast<MemberExpr>(S))
      if (const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
          Field && !Field->getName().empty() &&
          isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts()) &&
          !isUnderLock(S, Body, Ctx))
        Unlocked.insert(Field->getName());
  bool Block = isa<CompoundStmt>(S);
  for (const Stmt *Child : S->children()) {
    collectUnlockedUses(Child, Body, Ctx, OnlyCallables, Locked, Unlocked);
    Locked |= Block && Child && declaresScopedCapability(Child);
  }
}

} // namespace

llvm::StringRef propertyName(Property P) {
  switch (P) {
  case Property::Send:
    return "Send";
  case Property::Sync:
    return "Sync";
  case Property::ThreadSafe:
    return "thread-safe";
  }
  return "";
}

std::string TypeProperties::print(QualType T) const {
  PrintingPolicy Policy(Ctx.getLangOpts());
  Policy.SuppressTagKeyword = true;
  Policy.AnonymousTagLocations = false;
  Policy.SplitTemplateClosers = false;
  return T.getAsString(Policy);
}

const Verdict &TypeProperties::get(QualType T, Property P) {
  static const Verdict Holds;
  if (T.isNull())
    return Holds;
  QualType Canon = T.getCanonicalType();
  if (P != Property::ThreadSafe)
    Canon = Canon.getUnqualifiedType();
  auto Key = std::make_pair(Canon.getAsOpaquePtr(), static_cast<int>(P));
  if (auto It = Cache.find(Key); It != Cache.end())
    return It->second;
  // Invariant: a type under computation reads as having the property, so
  // recursive types (struct Node { Node *next; }) terminate, as with Rust's
  // coinductive auto traits.
  Cache[Key] = Verdict{};
  Verdict V = compute(Canon, P);
  return Cache.insert_or_assign(Key, std::move(V)).first->second;
}

Verdict TypeProperties::viaReferent(QualType T, QualType Pointee, Property P,
                                    llvm::StringRef What) {
  if (Pointee->isFunctionType() || Pointee->isVoidType())
    return holds();
  bool Const = Pointee.isConstQualified();
  const Verdict &Inner =
      get(Pointee, Const ? Property::Sync : Property::ThreadSafe);
  if (Inner.Holds)
    return holds();
  std::string Text = "'" + print(T) + "' is not " + propertyName(P).str() +
                     " because the '" + print(Pointee.getUnqualifiedType()) +
                     "' " + What.str() + " is not " +
                     propertyName(Const ? Property::Sync : Property::ThreadSafe)
                         .str();
  return because(SourceLocation(), std::move(Text), Inner);
}

Verdict TypeProperties::compute(QualType T, Property P) {
  if (P == Property::ThreadSafe && T.isConstQualified()) {
    // Only const operations are possible on a const object.
    const Verdict &Sync = get(T.getUnqualifiedType(), Property::Sync);
    return Sync;
  }
  T = T.getUnqualifiedType();
  if (const auto *Ref = T->getAs<ReferenceType>())
    return viaReferent(T, Ref->getPointeeType(), P, "it refers to");
  if (const auto *Ptr = T->getAs<PointerType>()) {
    if (P == Property::ThreadSafe && !Ptr->getPointeeType()->isFunctionType())
      return fails(SourceLocation(),
                   "'" + print(T) +
                       "' is not thread-safe: a pointer written from two "
                       "threads is a data race");
    return viaReferent(T, Ptr->getPointeeType(), P, "it points to");
  }
  if (const auto *Arr = Ctx.getAsArrayType(T))
    return get(Arr->getElementType(), P);
  if (const auto *RD = T->getAsCXXRecordDecl())
    return computeRecord(T, RD, P);
  if (P == Property::ThreadSafe && !T->isDependentType() &&
      !T->isMemberPointerType() && !T->isFunctionType() && !T->isVoidType())
    return fails(SourceLocation(), "'" + print(T) +
                                       "' is not thread-safe: a plain '" +
                                       print(T) +
                                       "' written from two threads is a data "
                                       "race");
  return holds();
}

DeclaredTypes DeclaredTypes::fromOptions(
    const std::map<std::string, std::string> &Options) {
  DeclaredTypes D;
  auto Read = [&](const char *Key, llvm::StringSet<> &Into) {
    auto It = Options.find(Key);
    if (It == Options.end())
      return;
    llvm::SmallVector<llvm::StringRef, 8> Names;
    llvm::StringRef(It->second).split(Names, ';', -1, false);
    for (llvm::StringRef N : Names) {
      N = N.trim();
      N.consume_front("::");
      if (!N.empty())
        Into.insert(N);
    }
  };
  Read("ThreadSafeTypes", D.ThreadSafe);
  Read("SendTypes", D.Send);
  Read("NotSendTypes", D.NotSend);
  Read("NotSyncTypes", D.NotSync);
  return D;
}

std::optional<Verdict> TypeProperties::declared(QualType T,
                                                const CXXRecordDecl *RD,
                                                Property P) {
  if (Declared.ThreadSafe.empty() && Declared.Send.empty() &&
      Declared.NotSend.empty() && Declared.NotSync.empty())
    return std::nullopt;
  std::string Name = qualifiedName(templateOrSelf(RD));
  std::string Self = "'" + print(T) + "'";
  if (P == Property::Send && Declared.NotSend.contains(Name))
    return fails(RD->getLocation(),
                 Self + " is not Send: it is listed in the option NotSendTypes");
  if (P != Property::Send && Declared.NotSync.contains(Name))
    return fails(RD->getLocation(), Self + " is not " +
                                        propertyName(P).str() +
                                        ": it is listed in the option "
                                        "NotSyncTypes");
  if (Declared.ThreadSafe.contains(Name) ||
      (P == Property::Send && Declared.Send.contains(Name)))
    return holds();
  return std::nullopt;
}

Verdict TypeProperties::computeRecord(QualType T, const CXXRecordDecl *RD,
                                      Property P) {
  if (!RD->hasDefinition())
    return holds(); // incomplete: assume every property
  RD = RD->getDefinition();
  std::string Self = "'" + print(T) + "'";

  // Markers override everything computed; so do the types the options
  // declare (markers the user could not write into third-party headers).
  if (std::optional<Verdict> D = declared(T, RD, P))
    return *D;
  Marker M = findMarker(RD, P);
  if (M.Value == 1)
    return holds();
  if (M.Value == 0) {
    llvm::StringRef Macro = macroFor(M.Spelled);
    std::string Text = Self + " is not " + propertyName(P).str();
    if (Macro.ends_with("_IF"))
      Text += ": the condition of its " + Macro.str() + " is false";
    else if (!Macro.empty())
      Text += ": it is marked " + Macro.str();
    return fails(RD->getLocation(), Text);
  }
  if (P == Property::Sync && findMarker(RD, Property::ThreadSafe).Value == 1)
    return holds();

  if (P == Property::Send && isGuardType(T)) {
    Verdict V = fails(SourceLocation(),
                      Self + " is not Send: it is a lock guard, and a mutex "
                             "must be unlocked by the thread that locked it");
    V.GuardOnly = true;
    return V;
  }
  if (isCapability(RD)) {
    // fearless::Mutex<T> and friends are thread-safe when T is Send.
    if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
        Spec && !RD->isInStdNamespace()) {
      for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray()) {
        if (Arg.getKind() != TemplateArgument::Type)
          continue;
        const Verdict &Inner = get(Arg.getAsType(), Property::Send);
        if (!Inner.Holds)
          return because(RD->getLocation(),
                         Self + " is not " + propertyName(P).str() +
                             " because it holds '" + print(Arg.getAsType()) +
                             "', which is not Send",
                         Inner);
      }
    }
    return holds();
  }
  if (RD->isLambda())
    return computeLambda(T, RD, P);
  const SourceManager &SM = Ctx.getSourceManager();
  if (RD->isInStdNamespace() || SM.isInSystemHeader(RD->getLocation()))
    return computeStdRecord(T, RD, P);
  if (P == Property::ThreadSafe)
    return computeThreadSafeRecord(T, RD);

  FirstFailure First;
  for (const CXXBaseSpecifier &Base : RD->bases()) {
    const Verdict &V = get(Base.getType(), P);
    if (!V.Holds)
      First.offer(because(Base.getBeginLoc(),
                          Self + " is not " + propertyName(P).str() +
                              " because its base '" + print(Base.getType()) +
                              "' is not",
                          V));
  }
  for (const FieldDecl *Field : RD->fields()) {
    QualType FT = Field->getType();
    std::string Member = "member '" + Field->getNameAsString() + "'";
    if (P == Property::Sync && Field->isMutable()) {
      if (Field->hasAttr<GuardedByAttr>())
        continue;
      const Verdict &V = get(FT, Property::ThreadSafe);
      if (!V.Holds)
        First.offer(because(Field->getLocation(),
                            Self + " is not Sync because " + Member +
                                " is mutable and its type '" + print(FT) +
                                "' is not thread-safe",
                            V, FT->isRecordType()));
      continue;
    }
    const Verdict &V = get(FT, P);
    if (!V.Holds)
      First.offer(because(Field->getLocation(),
                          Self + " is not " + propertyName(P).str() +
                              " because " + Member + " has type '" +
                              print(FT) + "'",
                          V));
  }
  return First.result();
}

const llvm::StringSet<> *
TypeProperties::unlockedMembers(const CXXRecordDecl *RD) {
  if (auto It = Unlocked.find(RD); It != Unlocked.end())
    return It->second ? &*It->second : nullptr;
  std::optional<llvm::StringSet<>> &Result = Unlocked[RD];
  // A class template's code is its pattern's (unused members of a
  // specialisation are not instantiated).
  const CXXRecordDecl *Code = RD->getTemplateInstantiationPattern();
  if (!Code)
    Code = RD;
  // A friend may touch anything: only the fearless markers are allowed.
  for (const FriendDecl *F : Code->friends()) {
    const NamedDecl *ND = F->getFriendDecl();
    if (const auto *FTD = dyn_cast_or_null<FunctionTemplateDecl>(ND))
      ND = FTD->getTemplatedDecl();
    if (!ND || !ND->getDeclName().isIdentifier() ||
        !ND->getName().starts_with("fearless_marker_"))
      return nullptr;
  }
  llvm::StringSet<> Names;
  for (const Decl *D : Code->decls()) {
    if (const auto *FTD = dyn_cast<FunctionTemplateDecl>(D))
      D = FTD->getTemplatedDecl();
    const auto *M = dyn_cast<CXXMethodDecl>(D);
    if (!M || M->isImplicit() || M->isDeleted() || M->isDefaulted() ||
        M->isPureVirtual() || M->isStatic())
      continue;
    bool Lifecycle = isa<CXXConstructorDecl, CXXDestructorDecl>(M);
    const FunctionDecl *Def = nullptr;
    if (!M->hasBody(Def) || !Def->getBody()) {
      // A constructor or destructor runs before or after the object is
      // shared; any other member function defined elsewhere may touch
      // anything.
      if (Lifecycle)
        continue;
      return nullptr;
    }
    collectUnlockedUses(Def->getBody(), Def->getBody(), Ctx, Lifecycle,
                        /*Locked=*/Def->hasAttr<RequiresCapabilityAttr>(),
                        Names);
  }
  Result = std::move(Names);
  return &*Result;
}

Verdict TypeProperties::computeThreadSafeRecord(QualType T,
                                                const CXXRecordDecl *RD) {
  std::string Self = "'" + print(T) + "'";
  for (const CXXBaseSpecifier &Base : RD->bases()) {
    const Verdict &V = get(Base.getType(), Property::ThreadSafe);
    if (!V.Holds)
      return because(Base.getBeginLoc(),
                     Self + " is not thread-safe because its base '" +
                         print(Base.getType()) + "' is not",
                     V);
  }
  const llvm::StringSet<> *Unsafe = nullptr;
  bool Looked = false;
  for (const FieldDecl *Field : RD->fields()) {
    QualType FT = Field->getType();
    if (Field->hasAttr<GuardedByAttr>())
      continue;
    const Verdict &V = get(FT, Property::ThreadSafe);
    // Not annotated, but private state that the class's own code touches
    // only under a lock (or only while constructing and destroying): the
    // class synchronises it, as an unannotated mutex-protected queue does.
    if (!V.Holds && Field->getAccess() != AS_public &&
        !Field->getName().empty()) {
      if (!Looked) {
        Unsafe = unlockedMembers(RD);
        Looked = true;
      }
      if (Unsafe && !Unsafe->contains(Field->getName()))
        continue;
    }
    if (!V.Holds) {
      const auto *FieldRD = FT->getAsCXXRecordDecl();
      bool UserRecord = FieldRD && !FieldRD->isInStdNamespace() &&
                        !FT.isConstQualified();
      return because(Field->getLocation(),
                     Self + " is not thread-safe because member '" +
                         Field->getNameAsString() + "' of type '" + print(FT) +
                         "' is not synchronised (neither atomic, const nor "
                         "GUARDED_BY a mutex)",
                     V, UserRecord);
    }
  }
  // A class whose members are all const (or that has none) has no state a
  // T& could change: thread-safe. A class with mutable state is thread-safe
  // only when all of it is synchronised (checked above).
  return holds();
}

Verdict TypeProperties::computeStdRecord(QualType T, const CXXRecordDecl *RD,
                                         Property P) {
  std::string Self = "'" + print(T) + "'";
  const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(RD);
  std::string Name = qualifiedName(templateOrSelf(RD));
  auto FirstArg = [&]() -> QualType {
    if (!Spec || Spec->getTemplateArgs().size() == 0 ||
        Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
      return QualType();
    return Spec->getTemplateArgs()[0].getAsType();
  };

  // std::array, std::pair and std::tuple are plain aggregates of their
  // elements, as a C array or struct is: thread-safe when every element is
  // (a std::array<std::atomic<int>, N> of counters).
  bool Aggregate =
      Name == "std::array" || Name == "std::pair" || Name == "std::tuple";
  if (P == Property::ThreadSafe && !Aggregate)
    return fails(SourceLocation(),
                 Self + " is not thread-safe: only the standard "
                        "synchronisation types are internally synchronised");

  bool Shared = Name == "std::shared_ptr" || Name == "std::weak_ptr";
  bool View = Name == "std::reference_wrapper" || Name == "std::span";
  if (Shared || View || (Name == "std::unique_ptr" && P == Property::Sync)) {
    QualType U = FirstArg();
    if (U.isNull())
      return holds();
    if (U->isArrayType())
      U = QualType(U->getArrayElementTypeNoTypeQual(), 0)
              .withFastQualifiers(U.getLocalFastQualifiers());
    return viaReferent(T, U, P,
                       Shared ? "it shares" : "it gives access to");
  }
  if (!Spec)
    return holds(); // std::thread, std::string, ...: opaque, Send and Sync
  for (const TemplateArgument &Arg : Spec->getTemplateArgs().asArray()) {
    if (Arg.getKind() != TemplateArgument::Type)
      continue;
    QualType AT = Arg.getAsType();
    if (AT->isFunctionType())
      continue; // std::function<void()>: the signature, not a value
    const Verdict &V = get(AT, P);
    if (!V.Holds)
      return because(SourceLocation(),
                     Self + " is not " + propertyName(P).str() +
                         " because it holds '" + print(AT) + "'",
                     V);
  }
  return holds();
}

Verdict TypeProperties::computeLambda(QualType T, const CXXRecordDecl *RD,
                                      Property P) {
  llvm::DenseMap<const ValueDecl *, FieldDecl *> Fields;
  FieldDecl *ThisField = nullptr;
  RD->getCaptureFields(Fields, ThisField);
  // Calling a lambda's const operator() concurrently needs Sync captures; a
  // mutable lambda's operator() changes them.
  const CXXMethodDecl *Call = RD->getLambdaCallOperator();
  Property FieldProp = P;
  if (P == Property::ThreadSafe && Call && Call->isConst())
    FieldProp = Property::Sync;
  FirstFailure First;
  for (const LambdaCapture &C : RD->captures()) {
    QualType FT;
    std::string What;
    if (C.capturesThis()) {
      if (!ThisField)
        continue;
      FT = ThisField->getType();
      What = "'this'";
    } else if (C.capturesVariable()) {
      const FieldDecl *F = Fields.lookup(C.getCapturedVar());
      if (!F)
        continue;
      FT = F->getType();
      What = "'" + C.getCapturedVar()->getNameAsString() + "' " +
             (C.getCaptureKind() == LCK_ByRef ? "by reference" : "by copy");
    } else {
      continue;
    }
    const Verdict &V = get(FT, FieldProp);
    if (!V.Holds)
      First.offer(because(C.getLocation(),
                          "the lambda is not " + propertyName(P).str() +
                              " because it captures " + What + " as '" +
                              print(FT) + "'",
                          V));
  }
  return First.result();
}

} // namespace clang::tidy::fearless
