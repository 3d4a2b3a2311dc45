//===--- WholeProgram.cpp - joining every unit's facts --------------------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception

#include "WholeProgram.h"

#include "LockOrderGraph.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace fearless::driver {

namespace {

/// One call of a path: the function called (USR) and where.
struct Step {
  std::string Usr;
  Location At;
};

struct Acquisition {
  LockRef Lock;
  std::vector<Step> Path;
};

struct Blocking {
  BlockRef Block;
  std::vector<Step> Path;
};

struct Summary {
  std::vector<Acquisition> Acquires; ///< one per lock class
  std::vector<Blocking> Blocks;      ///< one per blocking callee
};

class Join {
public:
  Join(const Facts &F, const std::string &Root, const JoinOptions &Options)
      : F(F), Root(Root), Options(Options) {
    index();
    summarise();
  }

  std::vector<Finding> findings() {
    std::vector<LockEdge> Derived;
    for (const std::string &Usr : Order)
      for (const CallRef &C : Functions.at(Usr)->Calls) {
        if (C.Held.empty())
          continue;
        for (const auto &[T, This] : targets(C))
          throughCall(*Functions.at(Usr), C, T, This, Derived);
      }
    if (Options.LockOrder)
      cycles(Derived);
    return std::move(Out);
  }

private:
  void index() {
    for (const FunctionRecord &R : F.Functions) {
      DefinedIn[R.Usr].insert(R.Unit);
      if (!Functions.emplace(R.Usr, &R).second)
        continue; // the same inline function or template in another unit
      Order.push_back(R.Usr);
      for (const StoreRef &St : R.Stores)
        Stores[St.Slot].push_back(&St);
      for (const std::string &Base : R.Overrides) {
        auto &V = Overriders[Base];
        if (std::find(V.begin(), V.end(), R.Usr) == V.end())
          V.push_back(R.Usr);
      }
    }
    for (const std::string &Usr : Order) {
      const FunctionRecord &R = *Functions.at(Usr);
      for (const CallRef &C : R.Calls) {
        if (C.Slot.empty())
          Names.emplace(C.Usr, C.Name);
        for (const auto &[T, This] : targets(C))
          Callers[T].push_back({&R, &C});
      }
      Names[Usr] = R.Name;
    }
  }

  /// What \p C may run, each with whether it runs on the caller's object:
  /// the callee and its overrides, or what is stored into the slot.
  std::vector<std::pair<std::string, bool>> targets(const CallRef &C) const {
    std::vector<std::pair<std::string, bool>> T;
    if (!C.Slot.empty()) {
      std::set<std::string> Seen;
      std::vector<std::string> Work{C.Slot};
      while (!Work.empty()) {
        std::string Slot = Work.back();
        Work.pop_back();
        if (!Seen.insert(Slot).second)
          continue;
        auto It = Stores.find(Slot);
        if (It == Stores.end())
          continue;
        for (const StoreRef *St : It->second) {
          if (!St->From.empty())
            Work.push_back(St->From);
          else if (std::none_of(T.begin(), T.end(),
                                [&](const auto &X) { return X.first == St->Usr; }))
            T.push_back({St->Usr, C.This && St->This});
        }
      }
      return T;
    }
    T.push_back({C.Usr, C.This});
    if (C.Virtual)
      if (auto It = Overriders.find(C.Usr); It != Overriders.end())
        for (const std::string &O : It->second)
          T.push_back({O, C.This});
    return T;
  }

  static bool contains(const std::vector<std::string> &V,
                       const std::string &S) {
    return std::find(V.begin(), V.end(), S) != V.end();
  }

  void summarise() {
    for (const std::string &Usr : Order) {
      const FunctionRecord &R = *Functions.at(Usr);
      Summary &S = Summaries[Usr];
      for (const LockRef &L : R.Acquires)
        if (std::none_of(S.Acquires.begin(), S.Acquires.end(),
                         [&](const Acquisition &A) {
                           return A.Lock.Lock == L.Lock;
                         }))
          S.Acquires.push_back({L, {}});
      for (const BlockRef &B : R.Blocks)
        if (std::none_of(
                S.Blocks.begin(), S.Blocks.end(),
                [&](const Blocking &X) { return X.Block.Call == B.Call; }))
          S.Blocks.push_back({B, {}});
    }
    // Worklist over the reverse call graph: a function whose summary grew
    // makes its callers look again. Each summary only grows (a class, a
    // blocking callee, or ViaThis turning on), so this ends.
    std::deque<std::string> Work(Order.begin(), Order.end());
    std::unordered_set<std::string> Queued(Order.begin(), Order.end());
    while (!Work.empty()) {
      std::string T = Work.front();
      Work.pop_front();
      Queued.erase(T);
      auto It = Callers.find(T);
      if (It == Callers.end())
        continue;
      for (const auto &[Caller, Call] : It->second)
        for (const auto &[Target, This] : targets(*Call))
          if (Target == T && merge(*Caller, *Call, T, This) &&
              Queued.insert(Caller->Usr).second)
            Work.push_back(Caller->Usr);
    }
  }

  // Adds what \p T's summary holds to \p Caller's, through \p C.
  bool merge(const FunctionRecord &Caller, const CallRef &C,
             const std::string &T, bool This) {
    if (T == Caller.Usr && !This)
      return false;
    bool Changed = false;
    const Summary Callee = Summaries[T]; // a copy: T may be Caller
    Summary &S = Summaries[Caller.Usr];
    for (const Acquisition &A : Callee.Acquires) {
      if (contains(C.Reacquirable, A.Lock.Lock))
        continue;
      Acquisition Up = A;
      Up.Lock.This = A.Lock.This && This;
      Up.Path.insert(Up.Path.begin(), {T, C.At});
      auto Old = std::find_if(
          S.Acquires.begin(), S.Acquires.end(),
          [&](const Acquisition &X) { return X.Lock.Lock == A.Lock.Lock; });
      if (Old == S.Acquires.end()) {
        S.Acquires.push_back(std::move(Up));
        Changed = true;
      } else if (Up.Lock.This && !Old->Lock.This && !Old->Path.empty()) {
        *Old = std::move(Up);
        Changed = true;
      }
    }
    for (const Blocking &B : Callee.Blocks) {
      if (std::any_of(S.Blocks.begin(), S.Blocks.end(), [&](const Blocking &X) {
            return X.Block.Call == B.Block.Call;
          }))
        continue;
      Blocking Up = B;
      Up.Path.insert(Up.Path.begin(), {T, C.At});
      for (const std::string &R : C.Released)
        if (!contains(Up.Block.Released, R))
          Up.Block.Released.push_back(R);
      S.Blocks.push_back(std::move(Up));
      Changed = true;
    }
    return Changed;
  }

  // How a message names what \p C calls: the function, or the slot.
  std::string callee(const CallRef &C, const std::string &T) const {
    return C.Slot.empty() ? name(T) : C.Name;
  }

  std::string name(const std::string &Usr) const {
    auto It = Names.find(Usr);
    return It == Names.end() ? Usr : It->second;
  }

  // Whether some unit that defines \p Caller also defines every function
  // of \p Path: that unit's own check saw what the path leads to, and
  // reported it (an inline function of a header is defined in every unit
  // that includes it).
  bool inUnit(const std::vector<Step> &Path, const std::string &Caller) const {
    auto Units = DefinedIn.find(Caller);
    if (Units == DefinedIn.end())
      return false;
    return std::any_of(
        Units->second.begin(), Units->second.end(), [&](const std::string &U) {
          return std::all_of(Path.begin(), Path.end(), [&](const Step &S) {
            auto It = DefinedIn.find(S.Usr);
            return It != DefinedIn.end() && It->second.count(U);
          });
        });
  }

  // Notes for the calls of \p Path from \p From, then \p Last at \p End.
  std::vector<Note> pathNotes(const std::string &From,
                              const std::vector<Step> &Path,
                              const std::string &Last,
                              const Location &End) const {
    std::vector<Note> Notes;
    std::string Caller = From;
    for (const Step &S : Path) {
      Notes.push_back({S.At, "'" + name(Caller) + "' calls '" + name(S.Usr) +
                                 "' here (" + relativeTo(S.At.File, Root) +
                                 ")"});
      Caller = S.Usr;
    }
    Notes.push_back(
        {End, "'" + name(Caller) + "' " + Last + " (" +
                  relativeTo(End.File, Root) + ")"});
    return Notes;
  }

  bool blockingEnabled(const std::string &Unit) const {
    if (!Options.Blocking)
      return false;
    auto It = F.Checks.find(Unit);
    return It != F.Checks.end() &&
           contains(It->second, "fearless-blocking-under-lock");
  }

  void throughCall(const FunctionRecord &Fn, const CallRef &C,
                   const std::string &T, bool This,
                   std::vector<LockEdge> &Derived) {
    const Summary &S = Summaries[T];
    for (const Acquisition &A : S.Acquires) {
      std::vector<Step> Path{{T, C.At}};
      Path.insert(Path.end(), A.Path.begin(), A.Path.end());
      if (inUnit(Path, Fn.Usr))
        continue;
      std::vector<Step> Rest(Path.begin() + 1, Path.end());
      for (const LockRef &H : C.Held) {
        if (H.Lock != A.Lock.Lock) {
          Derived.push_back(
              {H.Lock, A.Lock.Lock, H.At, C.At, Fn.Name, "",
               pathNotes(T, Rest, "acquires '" + A.Lock.Lock + "' here",
                         A.Lock.At)});
          continue;
        }
        bool Same = H.Global || A.Lock.Global
                        ? H.Global && A.Lock.Global && H.Object == A.Lock.Object
                        : H.This && A.Lock.This && This;
        if (!Options.LockOrder || !Same || H.Recursive)
          continue;
        Finding Out1;
        Out1.Check = "fearless-lock-order";
        Out1.Loc = C.At;
        Out1.Message = "call to '" + callee(C, T) + "' acquires '" + H.Lock +
                       "', which is already held: self-deadlock";
        Out1.Notes.push_back({H.At, "'" + H.Lock + "' acquired here"});
        std::vector<Note> More = pathNotes(
            T, Rest, "acquires '" + A.Lock.Lock + "' here", A.Lock.At);
        Out1.Notes.insert(Out1.Notes.end(), More.begin(), More.end());
        report(std::move(Out1));
      }
    }
    if (!blockingEnabled(Fn.Unit))
      return;
    for (const Blocking &B : S.Blocks) {
      std::vector<Step> Path{{T, C.At}};
      Path.insert(Path.end(), B.Path.begin(), B.Path.end());
      if (inUnit(Path, Fn.Usr))
        continue;
      const LockRef *Culprit = nullptr;
      for (const LockRef &H : C.Held)
        if (!contains(B.Block.Released, H.Lock)) {
          Culprit = &H;
          break;
        }
      if (!Culprit)
        continue;
      Finding Out1;
      Out1.Check = "fearless-blocking-under-lock";
      Out1.Loc = C.At;
      Out1.Message = "call to '" + callee(C, T) + "' may block while holding '" +
                     Culprit->Lock + "': it reaches '" + B.Block.Call +
                     "', which " + B.Block.Kind;
      Out1.Notes.push_back({Culprit->At, "'" + Culprit->Lock + "' acquired here"});
      std::vector<Note> More =
          pathNotes(T, std::vector<Step>(Path.begin() + 1, Path.end()),
                    "calls '" + B.Block.Call + "' here", B.Block.At);
      Out1.Notes.insert(Out1.Notes.end(), More.begin(), More.end());
      report(std::move(Out1));
      return; // one finding per call
    }
  }

  void report(Finding Fd) {
    std::string Key = Fd.Check + "|" + Fd.Loc.File + ":" +
                      std::to_string(Fd.Loc.Line) + ":" +
                      std::to_string(Fd.Loc.Column) + "|" + Fd.Message;
    if (Reported.insert(Key).second)
      Out.push_back(std::move(Fd));
  }

  // Lock-order cycles over every unit's edges and the derived ones, with the
  // analyzer's own cycle search; a cycle some unit sees whole was reported
  // by that unit's check.
  void cycles(const std::vector<LockEdge> &Derived) {
    std::map<std::pair<std::string, std::string>, std::vector<const LockEdge *>>
        ByPair;
    clang::tidy::fearless::LockOrderGraph Graph;
    unsigned Site = 0;
    auto Add = [&](const LockEdge &E) {
      if (E.From == E.To)
        return;
      auto &V = ByPair[{E.From, E.To}];
      if (std::none_of(V.begin(), V.end(),
                       [&](const LockEdge *X) { return X->Unit == E.Unit; }))
        V.push_back(&E);
      Graph.addEdge(E.From, E.To, Site++);
    };
    for (const LockEdge &E : F.Edges)
      Add(E);
    for (const LockEdge &E : Derived)
      Add(E);
    for (std::vector<std::string> Cycle : Graph.cycles()) {
      // Start at the least class, so that the same cycle reads the same
      // whichever edge closed it.
      std::rotate(Cycle.begin(), std::min_element(Cycle.begin(), Cycle.end()),
                  Cycle.end());
      std::vector<const LockEdge *> Chosen;
      std::set<std::string> UnitsWithAll;
      for (size_t I = 0; I < Cycle.size(); ++I) {
        const auto &V = ByPair[{Cycle[I], Cycle[(I + 1) % Cycle.size()]}];
        // Prefer an edge a unit saw directly: its notes are the shortest.
        Chosen.push_back(V.front());
        std::set<std::string> Units;
        for (const LockEdge *E : V)
          if (!E->Unit.empty())
            Units.insert(E->Unit);
        if (I == 0) {
          UnitsWithAll = Units;
          continue;
        }
        std::set<std::string> Both;
        std::set_intersection(UnitsWithAll.begin(), UnitsWithAll.end(),
                              Units.begin(), Units.end(),
                              std::inserter(Both, Both.end()));
        UnitsWithAll = Both;
      }
      if (!UnitsWithAll.empty())
        continue; // one unit sees the whole cycle: the check reported it
      std::string Order;
      for (const std::string &C : Cycle)
        Order += "'" + C + "' -> ";
      Order += "'" + Cycle.front() + "'";
      Finding Fd;
      Fd.Check = "fearless-lock-order";
      Fd.Loc = Chosen.front()->Acquired;
      Fd.Message = "lock-order inversion across translation units: " + Order;
      for (const LockEdge *E : Chosen) {
        std::string In = E->Function.empty() ? "" : " in '" + E->Function + "'";
        std::string Where = relativeTo(E->Unit.empty() ? E->Held.File : E->Unit,
                                       Root);
        Fd.Notes.push_back(
            {E->Held, "'" + E->From + "' acquired here" + In + " (" + Where + ")"});
        if (E->Path.empty()) {
          Fd.Notes.push_back({E->Acquired, "then '" + E->To +
                                               "' acquired here while holding '" +
                                               E->From + "'"});
          continue;
        }
        Fd.Notes.push_back({E->Acquired, "then '" + E->To +
                                             "' acquired by this call while "
                                             "holding '" +
                                             E->From + "'"});
        Fd.Notes.insert(Fd.Notes.end(), E->Path.begin(), E->Path.end());
      }
      report(std::move(Fd));
    }
  }

  const Facts &F;
  const std::string &Root;
  const JoinOptions &Options;
  /// First record of each function, in reading order.
  std::unordered_map<std::string, const FunctionRecord *> Functions;
  std::vector<std::string> Order;
  std::unordered_map<std::string, std::set<std::string>> DefinedIn;
  std::unordered_map<std::string, std::vector<std::string>> Overriders;
  std::unordered_map<std::string, std::vector<const StoreRef *>> Stores;
  std::unordered_map<std::string, std::string> Names;
  std::unordered_map<std::string,
                     std::vector<std::pair<const FunctionRecord *,
                                           const CallRef *>>>
      Callers;
  std::unordered_map<std::string, Summary> Summaries;
  std::set<std::string> Reported;
  std::vector<Finding> Out;
};

} // namespace

std::vector<Finding> joinFacts(const Facts &F, const std::string &Root,
                               const JoinOptions &Options) {
  return Join(F, Root, Options).findings();
}

} // namespace fearless::driver
