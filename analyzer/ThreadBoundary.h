// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- ThreadBoundary.h - where values cross into another thread ---------===//
//
// A thread boundary is a place where a value or a reference becomes reachable
// from another thread (DESIGN.md section 2). Every fearless check that looks
// at what crosses a boundary registers these matchers and asks
// getBoundary() which arguments cross.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_THREADBOUNDARY_H
#define FEARLESS_ANALYZER_THREADBOUNDARY_H

#include "clang/AST/Expr.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace clang::tidy::fearless {

enum class BoundaryKind {
  ThreadCtor,   ///< std::thread / std::jthread constructor
  AsyncCall,    ///< std::async with a policy that may run on another thread
  SpawnCall,    ///< fearless::spawn and the spawn members of Scope/Builder
  ChannelSend,  ///< fearless::Sender::send and friends: the value moves
  PThreadCreate,///< pthread_create: its void* argument crosses
  Annotated,    ///< a parameter marked FEARLESS_SPAWNS
  Executor,     ///< a function named in the SpawnFunctions option
};

/// One entry of the SpawnFunctions option: calls of \c Name run their
/// argument number \c Arg (zero-based, the object of a member call not
/// counted) on another thread, possibly after the caller returned.
struct SpawnFunction {
  std::string Name; ///< qualified, with a leading "::"
  unsigned Arg = 0;
};

/// Parses the SpawnFunctions option, "::ThreadPool::submit:0;::boost::asio::post:1".
/// Entries are separated by ';', blanks around them are ignored. On a bad
/// entry returns false and sets \p Bad to it.
bool parseSpawnFunctions(llvm::StringRef Text,
                         std::vector<SpawnFunction> &Result, std::string &Bad);

struct ThreadBoundary {
  const Expr *Site = nullptr; ///< the construct or call expression
  BoundaryKind Kind = BoundaryKind::ThreadCtor;
  /// Printable name of what starts the other thread ("std::thread", ...).
  std::string Spawner;
  /// The arguments that become reachable from the other thread.
  llvm::SmallVector<const Expr *, 4> Crossing;
  /// The function or constructor called.
  const FunctionDecl *Callee = nullptr;
  /// std::jthread (joins itself) rather than std::thread.
  bool JoinsItself = false;
  /// A fearless::Scope spawn: joined when the scope's body returns.
  bool JoinedByScope = false;
  /// The thread is constructed in a container's emplace (emplace_back).
  const Expr *ContainerObject = nullptr;
};

/// Registers matchers for every kind of thread boundary on \p Finder, calling
/// \p Callback; the callback passes its results to getBoundary().
void addBoundaryMatchers(ast_matchers::MatchFinder *Finder,
                         ast_matchers::MatchFinder::MatchCallback *Callback,
                         llvm::ArrayRef<SpawnFunction> Extra = {});

/// The boundary a match of addBoundaryMatchers() found, or std::nullopt if
/// the match turned out not to be one (e.g. std::async with
/// std::launch::deferred, which runs on the calling thread).
std::optional<ThreadBoundary>
getBoundary(const ast_matchers::MatchFinder::MatchResult &Result,
            llvm::ArrayRef<SpawnFunction> Extra = {});

/// The qualified name of \p D without inline namespaces ("std::unique_lock"
/// for libc++'s std::__1::unique_lock too).
std::string qualifiedName(const NamedDecl *D);

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_THREADBOUNDARY_H
