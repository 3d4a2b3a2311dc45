// The race_cases.h loops with every fearless check compiled out
// (FEARLESS_LOCK_TRACKING=0: Watched<int> is a plain int). Run by race_bench.
#include "race_cases.h"
#include "tracker_cases.h"

int main(int argc, char **argv) {
  fearless_bench::register_race_cases<fearless::Watched<int>>("untracked");
  return fearless_bench::child_main(argc, argv);
}
