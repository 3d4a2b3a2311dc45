// Does not compile: the driver must report it, not skip it.
#include "shared.h"

namespace project {
void broken() { undeclared_function(); }
} // namespace project
