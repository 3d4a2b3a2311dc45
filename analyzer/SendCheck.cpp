//===--- SendCheck.cpp - fearless-send -------------------------------------===//

#include "SendCheck.h"
#include "CheckRegistry.h"
#include "Crossing.h"

namespace clang::tidy::fearless {

static RegisterCheck<SendCheck> Registration("fearless-send");

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
