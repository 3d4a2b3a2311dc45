// The plain program preload_compare.sh runs bare, under fearless-run and
// under Helgrind (preload_cases.h).
#include "preload_cases.h"

int main(int argc, char **argv) { return preload_bench::child_main(argc, argv); }
