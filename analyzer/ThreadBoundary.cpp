// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- ThreadBoundary.cpp - where values cross into another thread -------===//

#include "ThreadBoundary.h"

#include "fearless/names.h"

#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchers.h"

using namespace clang::ast_matchers;

namespace clang::tidy::fearless {

namespace {

constexpr llvm::StringLiteral BoundaryId = "fearless-boundary";
constexpr llvm::StringLiteral CalleeId = "fearless-boundary-callee";

template <std::size_t N>
std::vector<llvm::StringRef> names(const char *const (&Table)[N]) {
  return std::vector<llvm::StringRef>(std::begin(Table), std::end(Table));
}

// The unqualified names of qualified ones. hasName("::ns::C::f") does not
// match a member of a class template specialisation (its name includes the
// template arguments), so methods are matched by their own name and then
// checked with qualifiedName() in getBoundary().
std::vector<llvm::StringRef> lastNames(llvm::ArrayRef<llvm::StringRef> Names) {
  std::vector<llvm::StringRef> Result;
  for (llvm::StringRef Name : Names)
    Result.push_back(Name.rsplit("::").second);
  return Result;
}

bool isSpawnsParam(const ParmVarDecl *P) {
  for (const auto *A : P->specific_attrs<AnnotateAttr>())
    if (A->getAnnotation() == FEARLESS_ANNOTATE_SPAWNS)
      return true;
  return false;
}

// std::async(std::launch::deferred, f) runs f on the thread that calls get().
bool isDeferredPolicy(const Expr *E) {
  const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
  const auto *Enumerator =
      Ref ? dyn_cast<EnumConstantDecl>(Ref->getDecl()) : nullptr;
  return Enumerator && Enumerator->getName() == "deferred";
}

bool isLaunchPolicy(const Expr *E) {
  const auto *ET = E->getType().getCanonicalType()->getAs<EnumType>();
  return ET && qualifiedName(ET->getDecl()) == "std::launch";
}

} // namespace

std::string qualifiedName(const NamedDecl *D) {
  std::string Name = D->getNameAsString();
  for (const DeclContext *Ctx = D->getDeclContext(); Ctx;
       Ctx = Ctx->getParent()) {
    if (const auto *NS = dyn_cast<NamespaceDecl>(Ctx)) {
      if (NS->isInline())
        continue;
      Name = (NS->isAnonymousNamespace() ? std::string("(anonymous)")
                                         : NS->getNameAsString()) +
             "::" + Name;
    } else if (const auto *RD = dyn_cast<RecordDecl>(Ctx)) {
      Name = RD->getNameAsString() + "::" + Name;
    }
  }
  return Name;
}

bool parseSpawnFunctions(llvm::StringRef Text,
                         std::vector<SpawnFunction> &Result, std::string &Bad) {
  llvm::SmallVector<llvm::StringRef, 4> Entries;
  Text.split(Entries, ';', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef Entry : Entries) {
    Entry = Entry.trim();
    if (Entry.empty())
      continue;
    auto [Name, Index] = Entry.rsplit(':');
    SpawnFunction F;
    Name = Name.trim();
    // "::ns::f:1": the name must be qualified from the global namespace and
    // must not end in "::" (which would mean the index was left out).
    if (Index.empty() || Index.trim().getAsInteger(10, F.Arg) ||
        !Name.starts_with("::") || Name.size() <= 2 || Name.ends_with(":") ||
        Name.contains(' ')) {
      Bad = Entry.str();
      return false;
    }
    F.Name = Name.str();
    Result.push_back(std::move(F));
  }
  return true;
}

void addBoundaryMatchers(MatchFinder *Finder, MatchFinder::MatchCallback *CB,
                         llvm::ArrayRef<SpawnFunction> Extra) {
  // Threads constructed in place in a container: threads.emplace_back(f).
  Finder->addMatcher(
      cxxMemberCallExpr(callee(cxxMethodDecl(
                            hasAnyName("emplace_back", "emplace",
                                       "emplace_front"),
                            ofClass(isInStdNamespace()))
                                   .bind(CalleeId)))
          .bind(BoundaryId),
      CB);
  if (!Extra.empty()) {
    std::vector<llvm::StringRef> ExtraNames;
    for (const SpawnFunction &F : Extra)
      ExtraNames.push_back(F.Name);
    Finder->addMatcher(
        callExpr(callee(functionDecl(anyOf(hasAnyName(ExtraNames),
                                           cxxMethodDecl(hasAnyName(
                                               lastNames(ExtraNames)))))
                            .bind(CalleeId)))
            .bind(BoundaryId),
        CB);
  }
  auto ThreadCtor = cxxConstructorDecl(
      ofClass(cxxRecordDecl(hasAnyName(names(::fearless::names::kThreadClasses)))),
      unless(isCopyConstructor()), unless(isMoveConstructor()));
  Finder->addMatcher(
      cxxConstructExpr(hasDeclaration(ThreadCtor.bind(CalleeId)),
                       argumentCountAtLeast(1))
          .bind(BoundaryId),
      CB);

  auto SpawnFunction =
      functionDecl(hasAnyName(names(::fearless::names::kSpawnFunctions)));
  auto SpawnMethod = cxxMethodDecl(
      hasAnyName(lastNames(names(::fearless::names::kSpawnMethods))));
  auto SendMethod = cxxMethodDecl(
      hasAnyName(lastNames(names(::fearless::names::kSendMethods))));
  auto Annotated = functionDecl(hasAnyParameter(hasAttr(attr::Annotate)));
  Finder->addMatcher(
      callExpr(callee(functionDecl(anyOf(SpawnFunction, SpawnMethod,
                                         SendMethod, Annotated,
                                         hasName("::pthread_create")))
                          .bind(CalleeId)))
          .bind(BoundaryId),
      CB);
  Finder->addMatcher(cxxConstructExpr(hasDeclaration(
                                          cxxConstructorDecl(hasAnyParameter(
                                                                 hasAttr(attr::Annotate)))
                                              .bind(CalleeId)))
                         .bind(BoundaryId),
                     CB);
}

// The element type of a std container is std::thread or std::jthread.
const CXXRecordDecl *threadElement(const Expr *Object) {
  QualType T = Object->getType();
  if (T->isPointerType())
    T = T->getPointeeType();
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      T->getAsCXXRecordDecl());
  if (!Spec || Spec->getTemplateArgs().size() == 0 ||
      Spec->getTemplateArgs()[0].getKind() != TemplateArgument::Type)
    return nullptr;
  const CXXRecordDecl *Elem =
      Spec->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
  if (!Elem)
    return nullptr;
  std::string Name = "::" + qualifiedName(Elem);
  for (llvm::StringRef Entry : ::fearless::names::kThreadClasses)
    if (Entry == Name)
      return Elem;
  return nullptr;
}

std::optional<ThreadBoundary>
getBoundary(const MatchFinder::MatchResult &Result,
            llvm::ArrayRef<SpawnFunction> Extra) {
  const auto *Site = Result.Nodes.getNodeAs<Expr>(BoundaryId);
  const auto *Callee = Result.Nodes.getNodeAs<FunctionDecl>(CalleeId);
  if (!Site || !Callee || Site->isInstantiationDependent())
    return std::nullopt;
  // The standard library's own plumbing (std::jthread starting a std::thread)
  // is not a boundary of the user's: the user's call site already is.
  if (Result.SourceManager->isInSystemHeader(Site->getBeginLoc()))
    return std::nullopt;

  llvm::SmallVector<const Expr *, 8> Args;
  if (const auto *Ctor = dyn_cast<CXXConstructExpr>(Site))
    Args.append(Ctor->arg_begin(), Ctor->arg_end());
  else if (const auto *Call = dyn_cast<CallExpr>(Site))
    Args.append(Call->arg_begin(), Call->arg_end());
  // For operator calls and member calls the object is not an argument.
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Site);
      Op && isa<CXXMethodDecl>(Callee) && !Args.empty())
    Args.erase(Args.begin());

  ThreadBoundary B;
  B.Site = Site;
  B.Callee = Callee;
  std::string Name = qualifiedName(Callee);

  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Site);
      Member && Callee->getDeclName().isIdentifier() &&
      Callee->getName().starts_with("emplace")) {
    const Expr *Object = Member->getImplicitObjectArgument();
    const CXXRecordDecl *Elem = Object ? threadElement(Object) : nullptr;
    if (!Elem || Args.empty())
      return std::nullopt;
    B.Kind = BoundaryKind::ThreadCtor;
    B.ContainerObject = Object;
    B.Spawner = qualifiedName(Elem);
    B.JoinsItself = B.Spawner == "std::jthread";
    // emplace(pos, f) on a vector: the first argument is the position, not
    // part of the pack forwarded to the thread's constructor.
    unsigned First = 0;
    if (const FunctionTemplateDecl *Primary = Callee->getPrimaryTemplate();
        Primary && Primary->getTemplatedDecl()->getNumParams() > 0 &&
        !Primary->getTemplatedDecl()->getParamDecl(0)->isParameterPack())
      First = 1;
    if (First >= Args.size())
      return std::nullopt;
    B.Crossing.append(Args.begin() + First, Args.end());
    return B;
  }
  for (const SpawnFunction &F : Extra) {
    if (F.Name.substr(2) != Name)
      continue;
    if (F.Arg >= Args.size())
      return std::nullopt;
    B.Kind = BoundaryKind::Executor;
    B.Crossing.push_back(Args[F.Arg]);
    B.Spawner = Name;
    return B;
  }
  if (isa<CXXConstructorDecl>(Callee))
    Name = qualifiedName(cast<CXXConstructorDecl>(Callee)->getParent());

  auto InTable = [&](const auto &Table) {
    for (llvm::StringRef Entry : Table)
      if (Entry.drop_front(2) == Name) // entries start with "::"
        return true;
    return false;
  };

  if (InTable(::fearless::names::kThreadClasses)) {
    B.Kind = BoundaryKind::ThreadCtor;
    B.JoinsItself = Name == "std::jthread";
    B.Crossing.append(Args.begin(), Args.end());
  } else if (Name == "std::async") {
    B.Kind = BoundaryKind::AsyncCall;
    for (const Expr *Arg : Args) {
      if (isLaunchPolicy(Arg)) {
        if (isDeferredPolicy(Arg))
          return std::nullopt;
        continue;
      }
      B.Crossing.push_back(Arg);
    }
  } else if (InTable(::fearless::names::kSpawnFunctions) ||
             InTable(::fearless::names::kSpawnMethods)) {
    B.Kind = BoundaryKind::SpawnCall;
    B.JoinedByScope = InTable(::fearless::names::kScopedSpawnMethods);
    B.Crossing.append(Args.begin(), Args.end());
  } else if (InTable(::fearless::names::kSendMethods)) {
    B.Kind = BoundaryKind::ChannelSend;
    B.Crossing.append(Args.begin(), Args.end());
  } else if (Name == "pthread_create") {
    B.Kind = BoundaryKind::PThreadCreate;
    if (Args.size() == 4)
      B.Crossing.push_back(Args[3]);
  } else {
    // Matched by its short name only (see lastNames): not one of ours.
    bool HasSpawnsParam = false;
    for (const ParmVarDecl *P : Callee->parameters())
      HasSpawnsParam |= isSpawnsParam(P);
    if (!HasSpawnsParam)
      return std::nullopt;
    B.Kind = BoundaryKind::Annotated;
    for (unsigned I = 0, E = std::min<unsigned>(Callee->getNumParams(),
                                                Args.size());
         I < E; ++I)
      if (isSpawnsParam(Callee->getParamDecl(I)))
        B.Crossing.push_back(Args[I]);
  }
  if (B.Crossing.empty())
    return std::nullopt;
  B.Spawner = Name;
  return B;
}

} // namespace clang::tidy::fearless
