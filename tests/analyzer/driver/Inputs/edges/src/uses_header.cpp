// Includes the project's header (its finding is the header's) and has
// none of its own.
#include "edges.h"

int main() { edges::header_hand_off(); }
