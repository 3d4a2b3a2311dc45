// preload_cases.h under ThreadSanitizer (its deadlock detector on: TSAN_
// OPTIONS=detect_deadlocks=1), built with clang -fsanitize=thread.
#include "preload_cases.h"

int main(int argc, char **argv) { return preload_bench::child_main(argc, argv); }
