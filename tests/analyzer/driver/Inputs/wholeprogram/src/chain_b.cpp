#include "wp.h"

namespace wp {
void chain_middle() { chain_leaf(); }
} // namespace wp
