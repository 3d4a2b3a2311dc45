// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- UnitFacts.cpp - the unit model written as facts for the driver --===//
//
// The per-unit facts file (docs/facts.md): every function's own
// acquisitions, blocking calls, calls and stores, keyed by USR, which
// fearless-check joins across units.
//
//===----------------------------------------------------------------------===//

#include "model/FactsFile.h"
#include "model/UnitModel.h"

#include "clang/AST/DeclCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Index/USRGeneration.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

namespace clang::tidy::fearless {

llvm::json::Object UnitModel::location(SourceLocation L) const {
  const SourceManager &SM = Ctx.getSourceManager();
  PresumedLoc P = SM.getPresumedLoc(SM.getExpansionLoc(L));
  llvm::SmallString<256> File(P.isValid() ? P.getFilename() : "");
  if (!File.empty()) {
    llvm::sys::fs::make_absolute(File);
    llvm::sys::path::remove_dots(File, true);
  }
  return llvm::json::Object{{"file", File.str().str()},
                            {"line", P.isValid() ? P.getLine() : 0},
                            {"column", P.isValid() ? P.getColumn() : 0}};
}

std::string usrOf(const Decl *D) {
  llvm::SmallString<128> Buf;
  if (index::generateUSRForDecl(D, Buf))
    return "";
  return Buf.str().str();
}

std::string unitPath(const SourceManager &SM) {
  llvm::SmallString<256> Unit;
  if (OptionalFileEntryRef Main = SM.getFileEntryRefForID(SM.getMainFileID()))
    Unit = Main->getName();
  llvm::sys::fs::make_absolute(Unit);
  llvm::sys::path::remove_dots(Unit, true);
  return Unit.str().str();
}

std::string writeUnitFacts(llvm::StringRef Dir, llvm::StringRef Unit,
                           llvm::json::Value Facts) {
  llvm::SmallString<256> Path(Dir);
  llvm::sys::path::append(Path,
                          llvm::utohexstr(llvm::xxh3_64bits(Unit)) + ".json");
  // Written whole then renamed: the driver never reads half a file.
  std::string Tmp = (Path + ".tmp").str();
  std::error_code EC;
  {
    llvm::raw_fd_ostream OS(Tmp, EC);
    if (EC)
      return "cannot write facts to '" + Tmp + "': " + EC.message();
    OS << Facts << "\n";
    OS.close();
    if (OS.has_error())
      return "cannot write facts to '" + Tmp + "': " + OS.error().message();
  }
  if (std::error_code R = llvm::sys::fs::rename(Tmp, Path))
    return "cannot write facts to '" + std::string(Path) + "': " + R.message();
  return "";
}

namespace {

// A slot across units: a member's USR; a parameter as its function's USR
// and its position (a declaration and the definition may name it
// differently).
std::string slotKey(const ValueDecl *Slot) {
  if (const auto *P = dyn_cast<ParmVarDecl>(Slot)) {
    const auto *FD = dyn_cast<FunctionDecl>(P->getDeclContext());
    std::string F = FD ? usrOf(FD->getCanonicalDecl()) : "";
    return F.empty() ? "" : F + "#" + std::to_string(P->getFunctionScopeIndex());
  }
  return usrOf(Slot);
}

} // namespace

std::string UnitModel::writeFacts(llvm::StringRef Dir, llvm::json::Array Edges,
                                  llvm::ArrayRef<std::string> Enabled) const {
  const SourceManager &SM = Ctx.getSourceManager();
  auto Lock = [&](const HeldLock &L) {
    llvm::json::Object O{{"lock", L.Name}, {"at", location(L.Loc)}};
    if (L.Global)
      O["global"] = L.Object && L.Object != L.Class
                        ? llvm::json::Value(plainQualifiedName(L.Object))
                        : llvm::json::Value(true);
    if (L.ViaThis)
      O["this"] = true;
    if (isRecursive(L.Class))
      O["recursive"] = true;
    return O;
  };
  auto Names = [](llvm::ArrayRef<const ValueDecl *> Decls) {
    llvm::json::Array A;
    for (const ValueDecl *D : Decls)
      A.push_back(plainQualifiedName(D));
    return A;
  };
  llvm::json::Array Functions;
  for (const auto &[FD, F] : Facts) {
    std::string USR = usrOf(FD);
    if (USR.empty())
      continue;
    llvm::json::Array Acq, Blk, Calls, Overrides;
    for (const LockAcquisition &A : F.Acquisitions)
      if (!A.Reacquired && isLockClass(A.Lock))
        Acq.push_back(Lock(A.Lock));
    for (const BlockingCall &B : Blocks.lookup(FD))
      if (B.Path.empty())
        Blk.push_back(llvm::json::Object{{"call", B.Callee},
                                         {"kind", B.Kind},
                                         {"at", location(B.Loc)},
                                         {"released", Names(B.ReleasedBefore)}});
    for (const CallSite &C : F.Calls) {
      std::string CalleeUSR = C.Slot ? slotKey(C.Slot) : usrOf(C.Callee);
      if (CalleeUSR.empty())
        continue;
      llvm::json::Array Held;
      for (const HeldLock &H : C.Held)
        if (isLockClass(H))
          Held.push_back(Lock(H));
      llvm::json::Object O{{C.Slot ? "slot" : "usr", CalleeUSR},
                           {"name", calleeName(C, C.Callee)},
                           {"at", location(C.Loc)}};
      if (!Held.empty())
        O["held"] = std::move(Held);
      if (C.ThroughThis)
        O["this"] = true;
      if (C.Virtual)
        O["virtual"] = true;
      if (!C.Reacquirable.empty())
        O["reacquirable"] = Names(C.Reacquirable);
      if (!C.ReleasedBefore.empty())
        O["released"] = Names(C.ReleasedBefore);
      Calls.push_back(std::move(O));
    }
    // Every method it overrides, directly or not: a virtual call in another
    // unit may name any of them.
    if (const auto *MD = dyn_cast<CXXMethodDecl>(FD)) {
      llvm::SmallVector<const CXXMethodDecl *, 4> Work(
          MD->overridden_methods().begin(), MD->overridden_methods().end());
      llvm::SmallPtrSet<const CXXMethodDecl *, 4> Seen;
      while (!Work.empty()) {
        const CXXMethodDecl *Base = Work.pop_back_val();
        if (!Seen.insert(Base->getCanonicalDecl()).second)
          continue;
        if (std::string B = usrOf(Base->getCanonicalDecl()); !B.empty())
          Overrides.push_back(B);
        Work.append(Base->overridden_methods().begin(),
                    Base->overridden_methods().end());
      }
    }
    llvm::json::Array Stores;
    for (const SlotStore &St : F.Stores) {
      std::string Key = slotKey(St.Slot);
      std::string Value = St.Function ? usrOf(St.Function) : slotKey(St.From);
      if (Key.empty() || Value.empty())
        continue;
      llvm::json::Object O{{"slot", Key}, {"at", location(St.Loc)}};
      O[St.Function ? "usr" : "from"] = Value;
      if (St.SelfBound)
        O["this"] = true;
      Stores.push_back(std::move(O));
    }
    llvm::json::Object O{{"usr", USR},
                         {"name", displayName(FD)},
                         {"at", location(FD->getLocation())}};
    if (!Acq.empty())
      O["acquires"] = std::move(Acq);
    if (!Blk.empty())
      O["blocks"] = std::move(Blk);
    if (!Calls.empty())
      O["calls"] = std::move(Calls);
    if (!Overrides.empty())
      O["overrides"] = std::move(Overrides);
    if (!Stores.empty())
      O["stores"] = std::move(Stores);
    Functions.push_back(std::move(O));
  }

  std::string Unit = unitPath(SM);
  llvm::json::Array Checks;
  for (const std::string &C : Enabled)
    Checks.push_back(C);
  llvm::json::Object Out{{"version", 2},
                         {"unit", Unit},
                         {"checks", std::move(Checks)},
                         {"edges", std::move(Edges)},
                         {"functions", std::move(Functions)}};
  return writeUnitFacts(Dir, Unit, std::move(Out));
}

} // namespace clang::tidy::fearless
