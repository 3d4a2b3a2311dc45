// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- Vocabulary.cpp - what is a mutex, a wait, a blocking call ---------===//

#include "model/Vocabulary.h"
#include "ClangCompat.h"
#include "LockScope.h"
#include "fearless/names.h"

#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/StringMap.h"

namespace clang::tidy::fearless {

namespace {

const CXXRecordDecl *mutexRecord(QualType T) {
  T = T.getNonReferenceType();
  if (T->isPointerType())
    T = T->getPointeeType();
  return T->getAsCXXRecordDecl();
}

// Built-in blocking calls: qualified name (class named after the object's
// static type for members) -> what the call waits for.
const llvm::StringMap<llvm::StringRef> &builtinBlocking() {
  static const llvm::StringMap<llvm::StringRef> Map = {
      {"std::this_thread::sleep_for", "sleeps"},
      {"std::this_thread::sleep_until", "sleeps"},
      {"std::thread::join", "waits for a thread"},
      {"std::jthread::join", "waits for a thread"},
      {"std::future::get", "waits for a result"},
      {"std::future::wait", "waits for a result"},
      {"std::future::wait_for", "waits for a result"},
      {"std::future::wait_until", "waits for a result"},
      {"std::shared_future::get", "waits for a result"},
      {"std::shared_future::wait", "waits for a result"},
      {"std::shared_future::wait_for", "waits for a result"},
      {"std::shared_future::wait_until", "waits for a result"},
      {"fearless::JoinHandle::join", "waits for a thread"},
      {"fearless::Receiver::recv", "waits for a message"},
      {"fearless::Receiver::recv_timeout", "waits for a message"},
      {"fearless::SyncSender::send", "waits for room in a bounded channel"},
  };
  return Map;
}

// The member name of a condition variable's member function ("" if
// \p Name is not one).
llvm::StringRef conditionMember(llvm::StringRef Name) {
  for (llvm::StringRef Class :
       {"std::condition_variable::", "std::condition_variable_any::",
        "fearless::Condvar::"})
    if (Name.consume_front(Class))
      return Name;
  return "";
}

// std function templates that call their callable arguments before they
// return (and never keep them).
const llvm::StringSet<> &inPlaceStdFunctions() {
  static const llvm::StringSet<> Names = {
      "std::call_once",  "std::invoke",         "std::for_each",
      "std::for_each_n", "std::transform",      "std::find_if",
      "std::find_if_not", "std::any_of",        "std::all_of",
      "std::none_of",    "std::count_if",       "std::remove_if",
      "std::sort",       "std::stable_sort",    "std::partition",
      "std::accumulate", "std::generate",       "std::generate_n",
      "std::copy_if",    "std::replace_if",     "std::min_element",
      "std::max_element", "std::lower_bound",   "std::upper_bound",
      "std::erase_if"};
  return Names;
}

} // namespace

bool isMutexType(QualType T) {
  const CXXRecordDecl *RD = mutexRecord(T);
  if (!RD)
    return false;
  static const llvm::StringSet<> Names = {
      "std::mutex",        "std::recursive_mutex",
      "std::timed_mutex",  "std::recursive_timed_mutex",
      "std::shared_mutex", "std::shared_timed_mutex",
      "fearless::Mutex",   "fearless::RwLock"};
  if (Names.contains(plainQualifiedName(RD)))
    return true;
  return RD->hasAttr<CapabilityAttr>();
}

bool isRecursiveMutexType(QualType T) {
  const CXXRecordDecl *RD = mutexRecord(T);
  if (!RD)
    return false;
  std::string Name = plainQualifiedName(RD);
  if (Name == "std::recursive_mutex" || Name == "std::recursive_timed_mutex")
    return true;
  // FEARLESS_REENTRANT_CAPABILITY: the attribute (Clang 21+) or, for LLVM
  // 19, the annotation the macro adds beside it.
  if (hasReentrantCapabilityAttr(RD))
    return true;
  return llvm::any_of(RD->specific_attrs<AnnotateAttr>(), [](const auto *A) {
    return A->getAnnotation() == FEARLESS_ANNOTATE_REENTRANT;
  });
}

bool isConditionWait(llvm::StringRef Name) {
  return conditionMember(Name).starts_with("wait");
}

bool isConditionNotify(llvm::StringRef Name) {
  llvm::StringRef Member = conditionMember(Name);
  return Member == "notify_one" || Member == "notify_all";
}

bool adoptsLock(const ValueDecl *Guard) {
  const auto *VD = dyn_cast_or_null<VarDecl>(Guard);
  const Expr *Init = VD && VD->getInit()
                         ? VD->getInit()->IgnoreUnlessSpelledInSource()
                         : nullptr;
  const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Init);
  if (!Construct)
    return false;
  for (const Expr *Arg : Construct->arguments())
    if (const CXXRecordDecl *RD = mutexRecord(Arg->getType());
        RD && plainQualifiedName(RD) == "std::adopt_lock_t")
      return true;
  return false;
}

const Expr *movedOperand(const CallExpr *CE) {
  const FunctionDecl *FD = CE ? CE->getDirectCallee() : nullptr;
  if (!FD || CE->getNumArgs() != 1 || !FD->isInStdNamespace() ||
      !FD->getDeclName().isIdentifier() ||
      (FD->getName() != "move" && FD->getName() != "forward"))
    return nullptr;
  return CE->getArg(0);
}

llvm::StringSet<> parseBlockingFunctions(llvm::StringRef Text) {
  llvm::StringSet<> Result;
  llvm::SmallVector<llvm::StringRef, 8> Names;
  Text.split(Names, ';', -1, false);
  for (llvm::StringRef N : Names) {
    N = N.trim();
    N.consume_front("::");
    if (!N.empty())
      Result.insert(N);
  }
  return Result;
}

llvm::StringRef blockingKind(const Expr *Call, const llvm::StringSet<> &Extra,
                             const Expr *&WaitGuard) {
  WaitGuard = nullptr;
  std::string Declaring;
  std::string Name = calleeName(Call, &Declaring);
  if (Name.empty())
    return "";
  const auto &Builtin = builtinBlocking();
  for (const std::string &N : {Name, Declaring}) {
    if (N.empty())
      continue;
    if (auto It = Builtin.find(N); It != Builtin.end())
      return It->second;
    if (Extra.contains(N))
      return "may block";
    if (isConditionWait(N)) {
      const auto *CE = dyn_cast<CallExpr>(Call);
      if (CE && CE->getNumArgs() > 0)
        WaitGuard = isa<CXXMemberCallExpr>(CE) ? CE->getArg(0) : nullptr;
      return WaitGuard ? "waits for a notification" : "";
    }
  }
  return "";
}

bool runsCallableInPlace(const CallExpr *Call, const Expr *Arg) {
  // `[&] { ... }()`: the lambda is the object of its own operator().
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Call))
    return Op->getOperator() == OO_Call && Op->getNumArgs() > 0 &&
           Op->getArg(0)->IgnoreImplicit() == Arg->IgnoreImplicit();
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD)
    return false;
  std::string Name = calleeName(Call);
  return isConditionWait(Name) || inPlaceStdFunctions().contains(Name);
}

} // namespace clang::tidy::fearless
