// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- WritesThrough.h - what a function writes through a shared object --===//
//
// The one answer to "does this code write what it reaches through `this`
// (or through a pointer variable)", transitively through the functions it
// calls. fearless-shared-ref asks it of the body a fork-join thread runs:
// threads that write nothing they reach through a shared object only read
// it, as a Rust thread holding `&T` would.
//
// Reachable through the base (`this`, or a pointer variable): the base
// itself, its fields, elements of the containers it holds, and what its
// pointer members point to, transitively (`this->a_.b`, `p->c_[i]`,
// `*this->q_`, `compact_->states[i]`), and local pointers, references and
// iterators initialised from one of those. A write of a reachable object:
//
//   - an assignment, an increment, a non-const address or a non-const
//     reference taken of it, unless its type is thread-safe (an atomic, a
//     mutex: TypeProperties); a pointer or iterator variable changed is not
//     a write of what it points to;
//   - a call of a member function on it: one defined in the unit (outside
//     system headers) writes when its body writes through its own `this`
//     (the same question, transitively); one whose body is not visible (or
//     of the standard library) writes unless it is const or has a const
//     twin (Accesses.h: hasConstTwin);
//   - the object's address, a member's address or a reference to one
//     handed to a parameter that is a pointer or reference to non-const: a
//     function defined in the unit writes when its body writes through
//     that parameter (the same question); any other writes, unless the
//     pointee's type is thread-safe. std::make_unique is judged by the
//     constructor it forwards to;
//   - a reachable pointer stored anywhere but in a local (an alias there),
//     or stored into a pointer member by a constructor it is passed to.
//
// Read, not written: a pointer the object holds (a pointer member's value,
// or the shared pointer variable itself) passed on to a function whose
// body is not in the unit -- that function works on an object the shared
// one does not own (docs/checks/fearless-shared-ref.md). Not followed:
// what a call returns (a getter's pointer is a new pointer), and virtual
// overrides other than the static callee. A local lambda called in the
// body is walked where it is called.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_MODEL_WRITESTHROUGH_H
#define FEARLESS_ANALYZER_MODEL_WRITESTHROUGH_H

#include "clang/AST/ASTContext.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/FunctionExtras.h"
#include <string>

namespace clang::tidy::fearless {

class TypeProperties;

/// The first write found, with the words of a note ("assigns 'count_'").
struct WriteThrough {
  SourceLocation Loc;
  std::string What;
  explicit operator bool() const { return Loc.isValid(); }
};

class WritesThrough {
public:
  WritesThrough(ASTContext &Ctx, TypeProperties &Props)
      : Ctx(Ctx), Props(Props) {}

  /// The first write by \p Body (nested lambdas included) of what it
  /// reaches through `this` (\p Var null) or through the pointer variable
  /// \p Var. Only writes between \p From and \p To count when they are
  /// valid; \p Skip (the spawn itself) is not walked. \p Own, when given,
  /// says that an argument is the caller's own part of the shared object
  /// (an element no thread is handed), so passing it on is no write.
  WriteThrough in(const Stmt *Body, const VarDecl *Var,
                  SourceLocation From = {}, SourceLocation To = {},
                  const Stmt *Skip = nullptr,
                  llvm::function_ref<bool(const Expr *)> Own = nullptr);

  /// The first write by \p FD through its `this` (\p Param: -1) or through
  /// its parameter \p Param, transitively; cached.
  WriteThrough of(const FunctionDecl *FD, int Param);

private:
  ASTContext &Ctx;
  TypeProperties &Props;
  struct Entry {
    bool Done = false;
    WriteThrough W;
  };
  llvm::DenseMap<std::pair<const FunctionDecl *, int>, Entry> Cache;
  int Depth = 0;
  friend class WriteSearch;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_MODEL_WRITESTHROUGH_H
