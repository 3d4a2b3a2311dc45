// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- ThreadSafetyEngine.cpp - Clang's thread-safety analysis, hosted --===//
//
// The handler below mirrors ThreadSafetyReporter in Clang's
// lib/Sema/AnalysisBasedWarnings.cpp: the same diagnostic for each event, the
// same arguments and the same notes, so that fearless-guarded-by says exactly
// what clang -Wthread-safety says. The texts are those of
// DiagnosticSemaKinds.td for the LLVM major this is built against (19 or
// 22); where the majors differ, LLVM_VERSION_MAJOR selects the text and the
// handler methods, here and nowhere else.
//
//===----------------------------------------------------------------------===//

#include "ThreadSafetyEngine.h"
#include "model/UnitModel.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/Analysis/AnalysisDeclContext.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/Config/llvm-config.h"
#include <algorithm>

namespace clang::tidy::fearless {

using namespace threadSafety;

namespace {

// Clang's texts (DiagnosticSemaKinds.td, LLVM 19; LLVM 22 where marked).
constexpr const char *WarnCannotResolveLock = "cannot resolve lock expression";
constexpr const char *WarnUnlockButNoLock = "releasing %0 '%1' that was not held";
constexpr const char *WarnUnlockKindMismatch =
    "releasing %0 '%1' using %select{shared|exclusive}2 access, expected "
    "%select{shared|exclusive}3 access";
constexpr const char *WarnDoubleLock = "acquiring %0 '%1' that is already held";
constexpr const char *WarnNoUnlock =
    "%0 '%1' is still held at the end of function";
constexpr const char *WarnExpectingLocked =
    "expecting %0 '%1' to be held at the end of function";
#if LLVM_VERSION_MAJOR >= 21
// Reentrant capabilities (21) add the reentrancy depth to the join warnings.
constexpr const char *WarnLockSomePredecessors =
    "%0 '%1' is not held on every path through here"
    "%select{| with equal reentrancy depth}2";
constexpr const char *WarnExpectingLockHeldOnLoop =
    "expecting %0 '%1' to be held at start of each loop"
    "%select{| with equal reentrancy depth}2";
#else
constexpr const char *WarnLockSomePredecessors =
    "%0 '%1' is not held on every path through here";
constexpr const char *WarnExpectingLockHeldOnLoop =
    "expecting %0 '%1' to be held at start of each loop";
#endif
constexpr const char *WarnLockExclusiveAndShared =
    "%0 '%1' is acquired exclusively and shared in the same scope";
constexpr const char *NoteLockExclusiveAndShared =
    "the other acquisition of %0 '%1' is here";
constexpr const char *WarnVariableRequiresAnyLock =
    "%select{reading|writing}1 variable %0 requires holding "
    "%select{any mutex|any mutex exclusively}1";
constexpr const char *WarnVarDerefRequiresAnyLock =
    "%select{reading|writing}1 the value pointed to by %0 requires holding "
    "%select{any mutex|any mutex exclusively}1";
constexpr const char *WarnVariableRequiresLock =
    "%select{reading|writing}3 variable %1 requires holding %0 "
    "%select{'%2'|'%2' exclusively}3";
constexpr const char *WarnVarDerefRequiresLock =
    "%select{reading|writing}3 the value pointed to by %1 requires holding %0 "
    "%select{'%2'|'%2' exclusively}3";
constexpr const char *WarnFunRequiresLock =
    "calling function %1 requires holding %0 %select{'%2'|'%2' exclusively}3";
constexpr const char *WarnGuardedPassByReference =
    "passing variable %1 by reference requires holding %0 "
    "%select{'%2'|'%2' exclusively}3";
constexpr const char *WarnPtGuardedPassByReference =
    "passing the value that %1 points to by reference requires holding %0 "
    "%select{'%2'|'%2' exclusively}3";
constexpr const char *WarnGuardedReturnByReference =
    "returning variable %1 by reference requires holding %0 "
    "%select{'%2'|'%2' exclusively}3";
constexpr const char *WarnPtGuardedReturnByReference =
    "returning the value that %1 points to by reference requires holding %0 "
    "%select{'%2'|'%2' exclusively}3";
// LLVM 22: pointers to guarded data (-Wthread-safety-pointer).
constexpr const char *WarnGuardedPassPointer =
    "passing pointer to variable %1 requires holding %0 "
    "%select{'%2'|'%2' exclusively}3";
constexpr const char *WarnPtGuardedPassPointer =
    "passing pointer %1 requires holding %0 %select{'%2'|'%2' exclusively}3";
constexpr const char *WarnGuardedReturnPointer =
    "returning pointer to variable %1 requires holding %0 "
    "%select{'%2'|'%2' exclusively}3";
constexpr const char *WarnPtGuardedReturnPointer =
    "returning pointer %1 requires holding %0 %select{'%2'|'%2' exclusively}3";
// LLVM 22: attributes on parameters of scoped-capability type.
constexpr const char *WarnUnmatchedUnderlyingMutexes =
    "%0 managed by '%1' is '%3' instead of '%2'";
constexpr const char *WarnExpectMoreUnderlyingMutexes =
    "%0 '%2' not managed by '%1'";
constexpr const char *WarnExpectFewerUnderlyingMutexes =
    "did not expect %0 '%2' to be managed by '%1'";
constexpr const char *NoteManagedMismatchHereForParam =
    "see attribute on parameter here";
constexpr const char *WarnAcquireRequiresNegativeCap =
    "acquiring %0 '%1' requires negative capability '%2'";
constexpr const char *WarnFunRequiresNegativeCap =
    "calling function %0 requires negative capability '%1'";
constexpr const char *WarnFunExcludesMutex =
    "cannot call function '%1' while %0 '%2' is held";
constexpr const char *WarnAcquiredBefore = "%0 '%1' must be acquired before '%2'";
constexpr const char *WarnAcquiredBeforeAfterCycle =
    "cycle in acquired_before/after dependencies, starting with '%0'";
constexpr const char *NoteLockedHere = "%0 acquired here";
constexpr const char *NoteUnlockedHere = "%0 released here";
constexpr const char *NoteFoundMutexNearMatch = "found near match '%0'";
constexpr const char *NoteGuardedByDeclaredHere = "guarded_by declared here";
constexpr const char *NoteThreadWarningInFun = "thread warning in function %0";

class Reporter : public ThreadSafetyHandler {
public:
  Reporter(const FunctionDecl *FD, bool Verbose)
      : FunLocation(FD->getLocation()), FunEndLocation(FD->getEndLoc()),
        Verbose(Verbose) {}

  std::vector<TSFinding> Findings;

  void handleInvalidLockExp(SourceLocation Loc) override {
    add(Loc, WarnCannotResolveLock, {}).Kind = TSKind::InvalidLockExp;
  }

  void handleUnmatchedUnlock(StringRef Kind, Name LockName, SourceLocation Loc,
                             SourceLocation LocPreviousUnlock) override {
    if (Loc.isInvalid())
      Loc = FunLocation;
    TSFinding &F = add(Loc, WarnUnlockButNoLock, {Kind.str(), LockName.str()});
    F.Kind = TSKind::UnmatchedUnlock;
    noteIf(F, LocPreviousUnlock, NoteUnlockedHere, Kind);
  }

  void handleIncorrectUnlockKind(StringRef Kind, Name LockName,
                                 LockKind Expected, LockKind Received,
                                 SourceLocation LocLocked,
                                 SourceLocation LocUnlock) override {
    if (LocUnlock.isInvalid())
      LocUnlock = FunLocation;
    TSFinding &F = add(LocUnlock, WarnUnlockKindMismatch,
                       {Kind.str(), LockName.str(), int(Received), int(Expected)});
    noteIf(F, LocLocked, NoteLockedHere, Kind);
  }

  void handleDoubleLock(StringRef Kind, Name LockName, SourceLocation LocLocked,
                        SourceLocation LocDoubleLock) override {
    if (LocDoubleLock.isInvalid())
      LocDoubleLock = FunLocation;
    TSFinding &F =
        add(LocDoubleLock, WarnDoubleLock, {Kind.str(), LockName.str()});
    F.Kind = TSKind::DoubleLock;
    noteIf(F, LocLocked, NoteLockedHere, Kind);
  }

#if LLVM_VERSION_MAJOR >= 21
  void handleMutexHeldEndOfScope(StringRef Kind, Name LockName,
                                 SourceLocation LocLocked,
                                 SourceLocation LocEndOfScope,
                                 LockErrorKind LEK,
                                 bool ReentrancyMismatch) override {
#else
  void handleMutexHeldEndOfScope(StringRef Kind, Name LockName,
                                 SourceLocation LocLocked,
                                 SourceLocation LocEndOfScope,
                                 LockErrorKind LEK) override {
    const bool ReentrancyMismatch = false;
#endif
    const char *Format = WarnNoUnlock;
    switch (LEK) {
    case LEK_LockedSomePredecessors:
      Format = WarnLockSomePredecessors;
      break;
    case LEK_LockedSomeLoopIterations:
      Format = WarnExpectingLockHeldOnLoop;
      break;
    case LEK_LockedAtEndOfFunction:
      Format = WarnNoUnlock;
      break;
    case LEK_NotLockedAtEndOfFunction:
      Format = WarnExpectingLocked;
      break;
    }
    if (LocEndOfScope.isInvalid())
      LocEndOfScope = FunEndLocation;
    TSFinding &F = add(LocEndOfScope, Format, {Kind.str(), LockName.str()});
    if (LLVM_VERSION_MAJOR >= 21 && (LEK == LEK_LockedSomePredecessors ||
                                     LEK == LEK_LockedSomeLoopIterations))
      F.Args.push_back(int(ReentrancyMismatch));
    switch (LEK) {
    case LEK_NotLockedAtEndOfFunction:
      F.Kind = TSKind::NotHeldAtEnd;
      break;
    case LEK_LockedAtEndOfFunction:
      F.Kind = TSKind::HeldAtEnd;
      break;
    case LEK_LockedSomePredecessors:
    case LEK_LockedSomeLoopIterations:
      F.Kind = TSKind::HeldOnSomePaths;
      break;
    }
    F.LockName = LockName.str();
    noteIf(F, LocLocked, NoteLockedHere, Kind);
  }

  void handleExclusiveAndShared(StringRef Kind, Name LockName,
                                SourceLocation Loc1,
                                SourceLocation Loc2) override {
    TSFinding &F =
        add(Loc1, WarnLockExclusiveAndShared, {Kind.str(), LockName.str()},
            TSNote{Loc2, NoteLockExclusiveAndShared, {Kind.str(), LockName.str()}});
    (void)F;
  }

  void handleNoMutexHeld(const NamedDecl *D, ProtectedOperationKind POK,
                         AccessKind AK, SourceLocation Loc) override {
    const char *Format = WarnVariableRequiresAnyLock;
    switch (POK) {
    case POK_VarAccess:
    case POK_PassByRef:
    case POK_ReturnByRef:
      Format = WarnVariableRequiresAnyLock;
      break;
    case POK_VarDereference:
    case POK_PtPassByRef:
    case POK_PtReturnByRef:
      Format = WarnVarDerefRequiresAnyLock;
      break;
#if LLVM_VERSION_MAJOR >= 22
    case POK_PassPointer:
    case POK_ReturnPointer:
      Format = WarnVariableRequiresAnyLock;
      break;
    case POK_PtPassPointer:
    case POK_PtReturnPointer:
      Format = WarnVarDerefRequiresAnyLock;
      break;
#endif
    case POK_FunctionCall:
      break;
    }
    add(Loc, Format, {D, int(getLockKindFromAccessKind(AK))});
  }

  void handleMutexNotHeld(StringRef Kind, const NamedDecl *D,
                          ProtectedOperationKind POK, Name LockName,
                          LockKind LK, SourceLocation Loc,
                          Name *PossibleMatch) override {
    const char *Format = WarnVariableRequiresLock;
    TSGroup Group = PossibleMatch ? TSGroup::Precise : TSGroup::Analysis;
    switch (POK) {
    case POK_VarAccess:
      Format = WarnVariableRequiresLock;
      break;
    case POK_VarDereference:
      Format = WarnVarDerefRequiresLock;
      break;
    case POK_FunctionCall:
      Format = WarnFunRequiresLock;
      break;
    case POK_PassByRef:
      Format = WarnGuardedPassByReference;
      Group = TSGroup::Reference;
      break;
    case POK_PtPassByRef:
      Format = WarnPtGuardedPassByReference;
      Group = TSGroup::Reference;
      break;
    case POK_ReturnByRef:
      Format = WarnGuardedReturnByReference;
      Group = TSGroup::ReferenceReturn;
      break;
    case POK_PtReturnByRef:
      Format = WarnPtGuardedReturnByReference;
      Group = TSGroup::ReferenceReturn;
      break;
#if LLVM_VERSION_MAJOR >= 22
    case POK_PassPointer:
      Format = WarnGuardedPassPointer;
      Group = TSGroup::Pointer;
      break;
    case POK_PtPassPointer:
      Format = WarnPtGuardedPassPointer;
      Group = TSGroup::Pointer;
      break;
    case POK_ReturnPointer:
      Format = WarnGuardedReturnPointer;
      Group = TSGroup::Pointer;
      break;
    case POK_PtReturnPointer:
      Format = WarnPtGuardedReturnPointer;
      Group = TSGroup::Pointer;
      break;
#endif
    }
    TSFinding F;
    F.Loc = Loc;
    F.Format = Format;
    F.Args = {Kind.str(), D, LockName.str(), int(LK)};
    F.Group = Group;
    F.IsMutexNotHeld = true;
    F.D = D;
    F.POK = POK;
    F.LK = LK;
    F.LockName = LockName.str();
    if (PossibleMatch)
      F.NearMatch = PossibleMatch->str();
    if (PossibleMatch)
      F.Notes.push_back({Loc, NoteFoundMutexNearMatch, {PossibleMatch->str()}});
    if (Verbose && POK == POK_VarAccess)
      F.Notes.push_back({D->getLocation(), NoteGuardedByDeclaredHere, {}});
    addFunctionNote(F);
    Findings.push_back(std::move(F));
  }

  void handleNegativeNotHeld(StringRef Kind, Name LockName, Name Neg,
                             SourceLocation Loc) override {
    add(Loc, WarnAcquireRequiresNegativeCap,
        {Kind.str(), LockName.str(), Neg.str()})
        .Group = TSGroup::Negative;
  }

  void handleNegativeNotHeld(const NamedDecl *D, Name LockName,
                             SourceLocation Loc) override {
    add(Loc, WarnFunRequiresNegativeCap, {D, LockName.str()});
  }

  void handleFunExcludesLock(StringRef Kind, Name FunName, Name LockName,
                             SourceLocation Loc) override {
    add(Loc, WarnFunExcludesMutex, {Kind.str(), FunName.str(), LockName.str()});
  }

  void handleLockAcquiredBefore(StringRef Kind, Name L1Name, Name L2Name,
                                SourceLocation Loc) override {
    add(Loc, WarnAcquiredBefore, {Kind.str(), L1Name.str(), L2Name.str()});
  }

  void handleBeforeAfterCycle(Name L1Name, SourceLocation Loc) override {
    add(Loc, WarnAcquiredBeforeAfterCycle, {L1Name.str()});
  }

#if LLVM_VERSION_MAJOR >= 22
  void handleUnmatchedUnderlyingMutexes(SourceLocation Loc, SourceLocation DLoc,
                                        Name ScopeName, StringRef Kind,
                                        Name Expected, Name Actual) override {
    addParamMismatch(
        add(Loc, WarnUnmatchedUnderlyingMutexes,
            {Kind.str(), ScopeName.str(), Expected.str(), Actual.str()}),
        DLoc);
  }

  void handleExpectMoreUnderlyingMutexes(SourceLocation Loc,
                                         SourceLocation DLoc, Name ScopeName,
                                         StringRef Kind,
                                         Name Expected) override {
    addParamMismatch(add(Loc, WarnExpectMoreUnderlyingMutexes,
                         {Kind.str(), ScopeName.str(), Expected.str()}),
                     DLoc);
  }

  void handleExpectFewerUnderlyingMutexes(SourceLocation Loc,
                                          SourceLocation DLoc, Name ScopeName,
                                          StringRef Kind,
                                          Name Actual) override {
    addParamMismatch(add(Loc, WarnExpectFewerUnderlyingMutexes,
                         {Kind.str(), ScopeName.str(), Actual.str()}),
                     DLoc);
  }
#endif

  void enterFunction(const FunctionDecl *FD) override { CurrentFunction = FD; }
  void leaveFunction(const FunctionDecl *FD) override {
    CurrentFunction = nullptr;
  }

private:
  TSFinding &add(SourceLocation Loc, const char *Format,
                 llvm::SmallVector<TSArg, 4> Args,
                 std::optional<TSNote> Note = std::nullopt) {
    TSFinding F;
    F.Loc = Loc;
    F.Format = Format;
    F.Args = std::move(Args);
    if (Note)
      F.Notes.push_back(std::move(*Note));
    addFunctionNote(F);
    Findings.push_back(std::move(F));
    return Findings.back();
  }

  // "see attribute on parameter here" goes before the verbose note.
  void addParamMismatch(TSFinding &F, SourceLocation DLoc) {
    if (DLoc.isValid())
      F.Notes.insert(F.Notes.begin(),
                     TSNote{DLoc, NoteManagedMismatchHereForParam, {}});
  }

  // The locked-here / released-here note goes before the verbose note.
  void noteIf(TSFinding &F, SourceLocation Loc, const char *Format,
              StringRef Kind) {
    if (Loc.isValid())
      F.Notes.insert(F.Notes.begin(), TSNote{Loc, Format, {Kind.str()}});
  }

  void addFunctionNote(TSFinding &F) const {
    if (Verbose && CurrentFunction && CurrentFunction->getBody())
      F.Notes.push_back({CurrentFunction->getBody()->getBeginLoc(),
                         NoteThreadWarningInFun,
                         {static_cast<const NamedDecl *>(CurrentFunction)}});
  }

  SourceLocation FunLocation, FunEndLocation;
  const FunctionDecl *CurrentFunction = nullptr;
  bool Verbose;
};

} // namespace

ThreadSafetyEngine::~ThreadSafetyEngine() {
  if (BeforeCache)
    threadSafetyCleanup(BeforeCache);
}

bool ThreadSafetyEngine::isAnalysable(const FunctionDecl *FD,
                                      const SourceManager &SM) {
  // Sema analyses a template instantiation when it instantiates it: at the
  // end of the unit, or at an explicit instantiation, after the errors of a
  // unit that has them -- and it analyses nothing once an error occurred.
  if (FD->isTemplateInstantiation() &&
      FD->getASTContext().getDiagnostics().hasUncompilableErrorOccurred())
    return false;
  return UnitModel::isAnalysable(FD) && !FD->isDefaulted();
}

std::vector<TSFinding> ThreadSafetyEngine::analyse(const FunctionDecl *FD,
                                                   const SourceManager &SM) {
  // The context and CFG options Sema uses for its analysis-based warnings.
  AnalysisDeclContext AC(/*ADCMgr=*/nullptr, FD);
  CFG::BuildOptions &BO = AC.getCFGBuildOptions();
  BO.PruneTriviallyFalseEdges = true;
  BO.AddEHEdges = false;
  BO.AddInitializers = true;
  BO.AddImplicitDtors = true;
  BO.AddTemporaryDtors = true;
  BO.AddCXXNewAllocator = false;
  BO.AddCXXDefaultInitExprInCtors = true;
  // The engine walks a linearised CFG: every statement must be in it.
  BO.setAllAlwaysAdd();

  Reporter R(FD, Opts.Verbose);
#if LLVM_VERSION_MAJOR >= 22
  R.setIssueBetaWarnings(Opts.Beta);
#else
  // In LLVM 19 the beta flag gates only the acquired_before/after checks,
  // which LLVM 22 runs always: they run always here too.
  R.setIssueBetaWarnings(true);
#endif
  runThreadSafetyAnalysis(AC, R, &BeforeCache);

  std::vector<TSFinding> Findings = std::move(R.Findings);
  std::stable_sort(Findings.begin(), Findings.end(),
                   [&SM](const TSFinding &A, const TSFinding &B) {
                     return SM.isBeforeInTranslationUnit(A.Loc, B.Loc);
                   });
  return Findings;
}

} // namespace clang::tidy::fearless
