// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- SendCheck.cpp - fearless-send -------------------------------------===//

#include "SendCheck.h"
#include "CheckRegistry.h"
#include "Crossing.h"
#include "model/UnitModel.h"

#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::fearless {

static RegisterCheck<SendCheck> Registration("fearless-send");

SendCheck::SendCheck(StringRef Name, ClangTidyContext *Context)
    : BoundaryCheck(Name, Context,
                    {"ResumesElsewhere", "CoroutinesResumeElsewhere"}),
      RawResumesElsewhere(
          Options.getLocalOrGlobal("ResumesElsewhere", "").str()),
      ResumesElsewhereNames(parseBlockingFunctions(RawResumesElsewhere)),
      EveryCoroutine(boolOption("CoroutinesResumeElsewhere", false)) {}

void SendCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  BoundaryCheck::storeOptions(Opts);
  Options.store(Opts, "ResumesElsewhere", RawResumesElsewhere);
  Options.store(Opts, "CoroutinesResumeElsewhere",
                EveryCoroutine ? "true" : "false");
}

void SendCheck::checkBoundary(const ThreadBoundary &B, ASTContext &Ctx) {
  for (const CrossingItem &Item : crossingItems(B, Ctx)) {
    // References, pointers and views are fearless-shared-ref's business.
    if (Item.IsReference || Item.Type.isNull() ||
        Item.Type->isDependentType())
      continue;
    const Verdict &V = props().get(Item.Type, Property::Send);
    // Lock guards, wherever they sit, are fearless-guard-not-send's.
    if (V.Holds || V.GuardOnly || props().guardPath(Item.Type))
      continue;
    std::string Name = Item.Name.empty()
                           ? "a value of type '" + props().print(Item.Type) + "'"
                           : "'" + Item.Name + "'";
    diag(Item.Loc, "%0 is %select{captured by copy|moved|passed|sent}1 into "
                   "%2 but '%3' is not Send")
        << Name << static_cast<int>(Item.How) << describeBoundary(B)
        << props().print(Item.Type.getCanonicalType());
    emitChain(V, Item.Loc);
  }
}

} // namespace clang::tidy::fearless

namespace clang::tidy::fearless {

void SendCheck::endOfUnit() {
  ASTContext *Ctx = unitContext();
  if (!Ctx)
    return;
  const UnitModel &M = UnitModel::get(*Ctx);
  auto Spawned = M.coroutinesResumingElsewhere(boundaries(*Ctx));
  // Awaiters whose await_suspend hands the handle to another thread.
  HandOffAwaiters HandOff;
  bool HandOffFound = false;
  for (const auto &[FD, F] : M.functions()) {
    if (!F.Coroutine)
      continue;
    std::optional<ResumesElsewhere> Whole;
    if (auto It = Spawned.find(FD); It != Spawned.end())
      Whole = It->second;
    else if (EveryCoroutine)
      Whole = ResumesElsewhere{"CoroutinesResumeElsewhere is set",
                               FD->getLocation()};
    // One report per variable, at the first suspension it is alive across
    // where the coroutine may change threads.
    llvm::SmallPtrSet<const VarDecl *, 4> Reported;
    for (const Suspension &S : F.Suspensions) {
      if (!Whole && !HandOffFound) {
        HandOff = handOffAwaiters(boundaries(*Ctx), *Ctx);
        HandOffFound = true;
      }
      std::optional<ResumesElsewhere> Why =
          Whole ? Whole
                : awaitResumesElsewhere(S.Expr, ResumesElsewhereNames,
                                        &HandOff);
      if (!Why)
        continue;
      for (const VarDecl *V : S.Live) {
        QualType T = V->getType();
        // A reference's referent stays where it is: fearless-shared-ref's.
        if (T.isNull() || T->isDependentType() || T->isReferenceType() ||
            Reported.contains(V))
          continue;
        const Verdict &Vd = props().get(T, Property::Send);
        // Lock guards are fearless-guard-across-await's.
        if (Vd.Holds || Vd.GuardOnly || props().guardPath(T))
          continue;
        Reported.insert(V);
        diag(S.Loc, "%select{local|parameter}0 '%1' of type '%2', which is "
                    "not Send, is alive across this %3, and the coroutine may "
                    "resume on another thread")
            << (isa<ParmVarDecl>(V) ? 1 : 0) << V->getName()
            << props().print(T.getCanonicalType()) << suspendKeyword(S.Expr);
        emitChain(Vd, V->getLocation());
        diag(V->getLocation(), "'%0' declared here", DiagnosticIDs::Note)
            << V->getName();
        diag(Why->Loc, "the coroutine may resume on another thread: %0",
             DiagnosticIDs::Note)
            << Why->Why;
      }
    }
  }
}

} // namespace clang::tidy::fearless
