// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- LambdaLocks.h - lambdas inherit the locks held where they run ----===//
//
// Clang analyses every lambda body as a function entered with no lock held,
// so a lambda that reads guarded data and is called right where the lock is
// held is reported (Clang's most reported false positive). fearless analyses
// a lambda that runs synchronously in the function that defines it (called
// there, or passed to a non-spawning function template such as
// std::for_each or condition_variable::wait) with the locks it needs, and
// checks instead that those locks are held where the lambda runs. A lambda
// that crosses a thread boundary, or escapes, keeps Clang's behaviour.
//
// How: the capabilities a lambda body misses become implicit
// requires_capability attributes on its call operator and on the
// non-spawning callee it is passed to; the engine then checks them at the
// call, and a miss there is reported as the lambda's original findings.
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_LAMBDALOCKS_H
#define FEARLESS_ANALYZER_LAMBDALOCKS_H

#include "ThreadSafetyEngine.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <map>
#include <memory>

namespace clang::tidy::fearless {

class LambdaLocks {
public:
  using EmitFn = llvm::function_ref<void(const TSFinding &)>;

  /// \p BoundaryArgs are the arguments that cross a thread boundary,
  /// \p BoundarySites the boundary calls themselves. With \p Inherit false,
  /// every lambda is analysed as Clang does.
  LambdaLocks(ASTContext &Ctx, ThreadSafetyEngine &Engine,
              const llvm::DenseSet<const Expr *> &BoundaryArgs,
              const llvm::DenseSet<const Expr *> &BoundarySites, bool Inherit);
  ~LambdaLocks();

  /// Analyses \p FD and every lambda defined in it; reports each finding
  /// through \p Emit.
  void run(const FunctionDecl *FD, EmitFn Emit);

  /// Whether run() already analysed this lambda call operator.
  bool done(const FunctionDecl *CallOp) const { return Done.contains(CallOp); }

  struct Need {
    Expr *Cap = nullptr;
    bool Exclusive = false;
    std::vector<TSFinding> Originals;
  };
  struct LambdaInfo {
    const LambdaExpr *L = nullptr;
    std::map<std::string, Need> Needs; ///< by lock name
  };

private:
  struct Scan;
  void process(const FunctionDecl *Fn, EmitFn Emit, LambdaInfo *Self,
               llvm::ArrayRef<FunctionDecl *> Callees);
  bool isSynchronous(const LambdaExpr *L, const Scan &Parent,
                     llvm::SmallVectorImpl<FunctionDecl *> &Callees) const;
  Expr *capabilityFor(const TSFinding &F, const FunctionDecl *Fn);
  /// Replaces findings about calls whose only requirement is a lambda's
  /// inherited locks by the lambda's own findings for that lock.
  /// Each result carries the capability of the lambda need it came from.
  std::vector<std::pair<TSFinding, Expr *>>
  resolve(std::vector<TSFinding> Findings) const;

  ASTContext &Ctx;
  ThreadSafetyEngine &Engine;
  const llvm::DenseSet<const Expr *> &BoundaryArgs;
  const llvm::DenseSet<const Expr *> &BoundarySites;
  bool Inherit;
  llvm::DenseSet<const FunctionDecl *> Done;
  /// Declarations given inherited-lock requirements, and for which lambda.
  llvm::DenseMap<const Decl *, LambdaInfo *> Annotated;
  std::vector<std::unique_ptr<LambdaInfo>> Infos;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_LAMBDALOCKS_H
