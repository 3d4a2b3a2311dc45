// The race_cases.h loops built with clang -fsanitize=thread and tracking
// compiled out: ThreadSanitizer checks Watched's plain accesses (fearless's
// own detector steps aside under TSan). Run by race_bench.
#include "race_cases.h"
#include "tracker_cases.h"

int main(int argc, char **argv) {
  fearless_bench::register_race_cases<fearless::Watched<int>>("tsan");
  return fearless_bench::child_main(argc, argv);
}
