// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//===--- TypeProperties.h - Send, Sync and ThreadSafe of a type ------------===//
//
// The type-property engine shared by the fearless checks (DESIGN.md section
// 3). Send, Sync and ThreadSafe are computed like Rust's auto traits:
// structurally through bases, fields, template arguments and lambda captures,
// overridden by the markers of fearless/send_sync.h (also the conditional
// *_IF forms, read per specialisation), with a built-in table for the
// standard library. An incomplete or opaque type has every property (no
// false positive). Results are cached per canonical type.
//
// Every "no" carries its reason chain, one note per link:
//
//   'Job' is not Send because member 'cache' has type 'std::shared_ptr<Cache>'
//   'std::shared_ptr<Cache>' is not Send because 'Cache' is not thread-safe
//   'Cache' is not thread-safe because member 'hits' of type 'int' is not
//   synchronised (neither atomic, const nor GUARDED_BY a mutex)
//
//===----------------------------------------------------------------------===//

#ifndef FEARLESS_ANALYZER_TYPEPROPERTIES_H
#define FEARLESS_ANALYZER_TYPEPROPERTIES_H

#include "GuardTypes.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Type.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::fearless {

enum class Property { Send, Sync, ThreadSafe };

/// "Send", "Sync" or "thread-safe", as diagnostics print it.
llvm::StringRef propertyName(Property P);

/// One link of a reason chain, printed as a note.
struct ReasonStep {
  SourceLocation Loc; ///< may be invalid (then the diagnostic's location)
  std::string Text;
};

struct Verdict {
  bool Holds = true;
  /// The property fails only because a lock guard is held somewhere inside;
  /// fearless-guard-not-send reports those.
  bool GuardOnly = false;
  /// Why it fails, outermost type first. Empty when Holds.
  std::vector<ReasonStep> Chain;
};

/// Third-party types the user declares in the global options, for code they
/// cannot annotate (qualified names, leading "::" optional, ';'-separated; a
/// class template's name covers every specialisation):
///
///   ThreadSafeTypes: '::folly::ConcurrentHashMap;::tbb::concurrent_queue'
///   SendTypes:       '::legacy::Handle'     (as FEARLESS_UNSAFE_SEND)
///   NotSendTypes:    '::gui::Widget'        (as FEARLESS_NOT_SEND)
///   NotSyncTypes:    '::legacy::Cache'      (as FEARLESS_NOT_SYNC)
struct DeclaredTypes {
  llvm::StringSet<> ThreadSafe, Send, NotSend, NotSync;
  /// Reads the four options from \p Options (a check's OptionMap).
  static DeclaredTypes
  fromOptions(const std::map<std::string, std::string> &Options);
};

class TypeProperties {
public:
  explicit TypeProperties(ASTContext &Ctx, DeclaredTypes Declared = {})
      : Ctx(Ctx), Guards(Ctx), Declared(std::move(Declared)) {}

  /// Whether \p T has \p P, and if not, why. The reference stays valid for
  /// the lifetime of this object.
  const Verdict &get(QualType T, Property P);

  /// Send for a value; Sync for a `const U` referent; ThreadSafe otherwise.
  const Verdict &shareable(QualType Referent) {
    return get(Referent.getNonReferenceType(),
               Referent.getNonReferenceType().isConstQualified()
                   ? Property::Sync
                   : Property::ThreadSafe);
  }

  /// The path to a lock guard held by a value of \p T (through members,
  /// pointers, captures, template arguments), or nullptr.
  const std::vector<GuardPathStep> *guardPath(QualType T) {
    return Guards.find(T);
  }

  /// The type as diagnostics print it.
  std::string print(QualType T) const;

  const ASTContext &context() const { return Ctx; }

private:
  Verdict compute(QualType T, Property P);
  Verdict computeRecord(QualType T, const CXXRecordDecl *RD, Property P);
  Verdict computeThreadSafeRecord(QualType T, const CXXRecordDecl *RD);
  Verdict computeStdRecord(QualType T, const CXXRecordDecl *RD, Property P);
  Verdict computeLambda(QualType T, const CXXRecordDecl *RD, Property P);
  /// Names of the members of \p RD that the class's own code may touch
  /// without a lock; null when that code is not all in the translation unit.
  const llvm::StringSet<> *unlockedMembers(const CXXRecordDecl *RD);
  /// Send or Sync of `U*` / `U&`: Sync(U) for const U, ThreadSafe(U) otherwise.
  Verdict viaReferent(QualType T, QualType Pointee, Property P,
                      llvm::StringRef What);

  /// The verdict the options declare for \p RD, if any.
  std::optional<Verdict> declared(QualType T, const CXXRecordDecl *RD,
                                  Property P);

  ASTContext &Ctx;
  GuardFinder Guards;
  DeclaredTypes Declared;
  llvm::DenseMap<std::pair<void *, int>, Verdict> Cache;
  llvm::DenseMap<const CXXRecordDecl *, std::optional<llvm::StringSet<>>>
      Unlocked;
};

} // namespace clang::tidy::fearless

#endif // FEARLESS_ANALYZER_TYPEPROPERTIES_H
