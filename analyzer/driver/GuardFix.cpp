//===--- GuardFix.cpp - fearless-check --fix ------------------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

#include "GuardFix.h"
#include "Output.h"

#include "model/GuardChoice.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace fearless::driver {

FixPlan planFix(const GuardFacts &Facts, const std::string &Root) {
  FixPlan Plan;
  std::vector<Insertion> Edits;
  std::map<std::string, Insertion> Includes; // one per file
  // One annotation, with the include its file needs; none outside Root.
  auto Annotate = [&](Insertion At, const std::string &Text, bool HasInclude,
                      const Insertion &Include) {
    if (relativeTo(At.File, Root) == At.File) {
      ++Plan.Outside;
      return false;
    }
    At.Text = Text;
    Edits.push_back(std::move(At));
    if (HasInclude)
      Includes.emplace(Include.File, Include);
    return true;
  };

  // What each helper annotated below requires: its body runs with that
  // held, in whichever unit defines it.
  std::map<std::string, std::vector<std::string>> Granted;
  // Helpers: the locks held at every call in every unit, less those the
  // helper takes itself.
  std::map<std::string, std::vector<const HelperFact *>> Helpers;
  for (const HelperFact &H : Facts.Helpers)
    if (!H.Usr.empty())
      Helpers[H.Usr].push_back(&H);
  for (const auto &[Usr, Records] : Helpers) {
    std::vector<MutexRef> Common;
    for (const MutexRef &M : Records.front()->Requires)
      if (std::none_of(Common.begin(), Common.end(),
                       [&](const MutexRef &C) { return C.Usr == M.Usr; }))
        Common.push_back(M);
    const HelperFact *Placed = nullptr;
    for (const HelperFact *R : Records) {
      Common.erase(std::remove_if(Common.begin(), Common.end(),
                                  [&](const MutexRef &C) {
                                    return std::none_of(R->Requires.begin(),
                                                        R->Requires.end(),
                                                        [&](const MutexRef &M) {
                                                          return M.Usr == C.Usr;
                                                        }) ||
                                           std::find(R->Acquires.begin(),
                                                     R->Acquires.end(),
                                                     C.Usr) !=
                                               R->Acquires.end();
                                  }),
                   Common.end());
      if (R->HasInsert && !Placed)
        Placed = R;
    }
    if (Common.empty() || !Placed)
      continue;
    std::string Names;
    for (const MutexRef &M : Common)
      Names += (Names.empty() ? "" : ", ") + M.Name;
    if (Annotate(Placed->Insert, " FEARLESS_REQUIRES(" + Names + ")",
                 Placed->HasInclude, Placed->Include)) {
      ++Plan.Helpers;
      for (const MutexRef &M : Common)
        Granted[Usr].push_back(M.Usr);
    }
  }

  // Fields: the union of every unit's accesses (an inline function of a
  // header is seen by each unit that includes it: once), then the rule.
  std::map<std::string, std::vector<const FieldFact *>> Fields;
  for (const FieldFact &F : Facts.Fields)
    if (!F.Usr.empty())
      Fields[F.Usr].push_back(&F);
  for (const auto &[Usr, Records] : Fields) {
    std::vector<MutexRef> Candidates;
    std::map<std::string, size_t> Index;
    std::map<std::tuple<std::string, unsigned, unsigned, bool>,
             const AccessFact *>
        Accesses;
    const FieldFact *Placed = nullptr; // a record that knows where it goes
    const FieldFact *Including = nullptr;
    for (const FieldFact *R : Records) {
      for (const MutexRef &M : R->Mutexes)
        if (Index.emplace(M.Usr, Candidates.size()).second)
          Candidates.push_back(M);
      for (const AccessFact &A : R->Accesses)
        Accesses.emplace(
            std::make_tuple(A.At.File, A.At.Line, A.At.Column, A.Write), &A);
      if (R->HasInsert && !Placed)
        Placed = R;
      if (R->HasInclude && !Including)
        Including = R;
    }
    // The candidates held at each access, with those of the helper it is
    // in.
    std::map<const AccessFact *, std::set<std::string>> HeldAt;
    for (const auto &[Key, A] : Accesses) {
      std::set<std::string> &Held = HeldAt[A];
      Held.insert(A->Held.begin(), A->Held.end());
      if (auto It = Granted.find(A->In); It != Granted.end())
        for (const std::string &M : It->second)
          if (Index.count(M))
            Held.insert(M);
    }
    std::vector<GuardVotes> Votes(Candidates.size());
    for (const auto &[A, Held] : HeldAt)
      for (const std::string &M : Held) {
        GuardVotes &V = Votes[Index.at(M)];
        ++V.All;
        V.Writes += A->Write;
      }
    int Pick = chooseGuard(Votes);
    if (Pick < 0 || !Candidates[Pick].Nameable || !Placed)
      continue;
    const MutexRef &Guard = Candidates[Pick];
    if (!Annotate(Placed->Insert, " FEARLESS_GUARDED_BY(" + Guard.Name + ")",
                  Including != nullptr,
                  Including ? Including->Include : Insertion()))
      continue;
    ++Plan.Fields;
    for (const auto &[Key, A] : Accesses)
      if (!HeldAt[A].count(Guard.Usr))
        Plan.Unguarded.push_back({A->At, "'" + Placed->Name + "' is " +
                                             (A->Write ? "written" : "read") +
                                             " without '" + Guard.Name +
                                             "' in '" + A->Function + "'"});
  }

  for (const auto &[File, Include] : Includes)
    Edits.push_back(Include);
  Plan.Includes = Includes.size();
  std::stable_sort(
      Edits.begin(), Edits.end(), [](const Insertion &A, const Insertion &B) {
        return std::tie(A.File, A.Offset) < std::tie(B.File, B.Offset);
      });
  std::set<std::string> Files;
  for (const Insertion &E : Edits)
    Files.insert(E.File);
  Plan.Files = Files.size();
  Plan.Edits = std::move(Edits);
  std::sort(Plan.Unguarded.begin(), Plan.Unguarded.end(),
            [](const Note &A, const Note &B) {
              return std::tie(A.Loc.File, A.Loc.Line, A.Loc.Column) <
                     std::tie(B.Loc.File, B.Loc.Line, B.Loc.Column);
            });
  return Plan;
}

namespace {

// The lines of \p Text, each with its '\n' (the last one may lack it).
std::vector<std::string> splitLines(const std::string &Text) {
  std::vector<std::string> Lines;
  size_t Start = 0;
  while (Start < Text.size()) {
    size_t End = Text.find('\n', Start);
    End = End == std::string::npos ? Text.size() : End + 1;
    Lines.push_back(Text.substr(Start, End - Start));
    Start = End;
  }
  return Lines;
}

// A unified diff (three lines of context) of \p Old and the same text with
// \p Edits inserted, sorted by offset.
void writeDiff(std::ostream &OS, const std::string &Name,
               const std::string &Old,
               const std::vector<const Insertion *> &Edits) {
  // Each old line, with what goes into it: unchanged (' '), whole lines
  // inserted before it ('+' then ' '), or changed ('-' then '+').
  std::vector<std::pair<char, std::string>> Ops;
  std::vector<std::string> Lines = splitLines(Old);
  size_t Next = 0, Start = 0;
  for (size_t L = 0; L <= Lines.size(); ++L) {
    bool Last = L == Lines.size();
    std::string Line = Last ? "" : Lines[L];
    size_t End = Start + Line.size();
    std::string New;
    size_t From = 0;
    bool Edited = false;
    // Text at the very end of a file that ends without a newline goes on
    // its last line.
    bool TakesEnd = Last || (L + 1 == Lines.size() && Line.back() != '\n');
    while (Next < Edits.size() && (Edits[Next]->Offset < End ||
                                   (TakesEnd && Edits[Next]->Offset == End))) {
      New += Line.substr(From, Edits[Next]->Offset - Start - From) +
             Edits[Next]->Text;
      From = Edits[Next]->Offset - Start;
      ++Next;
      Edited = true;
    }
    New += Line.substr(From);
    if (!Edited) {
      if (!Last)
        Ops.push_back({' ', Line});
    } else if (New.size() > Line.size() &&
               New.compare(New.size() - Line.size(), Line.size(), Line) == 0 &&
               New[New.size() - Line.size() - 1] == '\n') {
      for (std::string &Added :
           splitLines(New.substr(0, New.size() - Line.size())))
        Ops.push_back({'+', Added});
      if (!Last)
        Ops.push_back({' ', Line});
    } else {
      Ops.push_back({'-', Line});
      for (std::string &Added : splitLines(New))
        Ops.push_back({'+', Added});
    }
    Start = End;
  }

  // Within each run of changed lines, the old ones first, as diff(1) does.
  for (size_t B = 0; B < Ops.size();) {
    size_t E = B;
    while (E < Ops.size() && Ops[E].first != ' ')
      ++E;
    std::stable_partition(Ops.begin() + B, Ops.begin() + E,
                          [](const auto &Op) { return Op.first == '-'; });
    B = E + 1;
  }

  OS << "--- a/" << Name << "\n+++ b/" << Name << "\n";
  const size_t Context = 3;
  size_t OldLine = 1, NewLine = 1; // at Ops[I]
  size_t I = 0;
  while (I < Ops.size()) {
    size_t First = I;
    while (First < Ops.size() && Ops[First].first == ' ')
      ++First;
    if (First == Ops.size())
      break;
    // The hunk: from Context lines before the change to Context lines after
    // the last change that is less than 2 * Context lines from the next.
    size_t Begin = First >= I + Context ? First - Context : I;
    size_t End = First, Quiet = 0;
    for (size_t J = First; J < Ops.size(); ++J) {
      if (Ops[J].first != ' ') {
        End = J + 1;
        Quiet = 0;
      } else if (++Quiet > 2 * Context) {
        break;
      }
    }
    End = std::min(Ops.size(), End + Context);
    for (size_t J = I; J < Begin; ++J)
      ++OldLine, ++NewLine;
    size_t OldCount = 0, NewCount = 0;
    for (size_t J = Begin; J < End; ++J) {
      OldCount += Ops[J].first != '+';
      NewCount += Ops[J].first != '-';
    }
    OS << "@@ -" << (OldCount ? OldLine : OldLine - 1) << "," << OldCount
       << " +" << (NewCount ? NewLine : NewLine - 1) << "," << NewCount
       << " @@\n";
    for (size_t J = Begin; J < End; ++J) {
      const std::string &Text = Ops[J].second;
      OS << Ops[J].first << Text;
      if (Text.empty() || Text.back() != '\n')
        OS << "\n\\ No newline at end of file\n";
    }
    OldLine += OldCount;
    NewLine += NewCount;
    I = End;
  }
}

std::string readWhole(const std::string &Path) {
  std::ifstream In(Path, std::ios::binary);
  if (!In)
    throw InputError("cannot read '" + Path + "': " + std::strerror(errno));
  std::stringstream S;
  S << In.rdbuf();
  return S.str();
}

} // namespace

void applyFix(const FixPlan &Plan, const std::string &Root, bool DryRun,
              std::ostream &Diff) {
  std::map<std::string, std::vector<const Insertion *>> ByFile;
  for (const Insertion &E : Plan.Edits)
    ByFile[E.File].push_back(&E);
  struct Change {
    std::string File, Old, New;
    unsigned Mode;
  };
  std::vector<Change> Changes;
  // Every file is checked before any is written.
  for (const auto &[File, Edits] : ByFile) {
    std::string Name = relativeTo(File, Root);
    auto Changed = [&] {
      return InputError("'" + Name +
                        "' changed since it was analysed: nothing was "
                        "written; run fearless-check --fix again");
    };
    struct stat St;
    if (stat(File.c_str(), &St) != 0)
      throw InputError("cannot read '" + Name + "': " + std::strerror(errno));
    std::string Old = readWhole(File);
    for (const Insertion *E : Edits) {
      bool Same =
          (E->Size < 0 || E->Size == static_cast<long long>(St.st_size)) &&
          (E->MTime < 0 || E->MTime == static_cast<long long>(St.st_mtime));
      if (!Same || E->Offset > Old.size() || E->Offset < E->After.size() ||
          Old.compare(E->Offset - E->After.size(), E->After.size(), E->After) !=
              0)
        throw Changed();
    }
    if (!DryRun)
      checkWritable(File, "source file");
    std::string New = Old;
    for (auto It = Edits.rbegin(); It != Edits.rend(); ++It)
      New.insert((*It)->Offset, (*It)->Text);
    Changes.push_back({File, std::move(Old), std::move(New),
                       static_cast<unsigned>(St.st_mode & 07777)});
  }
  for (const Change &C : Changes) {
    if (DryRun)
      writeDiff(Diff, relativeTo(C.File, Root), C.Old, ByFile[C.File]);
    else
      writeFileAtomically(
          C.File, "source file", [&](std::ostream &OS) { OS << C.New; },
          static_cast<int>(C.Mode));
  }
}

} // namespace fearless::driver
