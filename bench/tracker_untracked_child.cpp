// fearless::Mutex with the tracker compiled out (FEARLESS_LOCK_TRACKING=0):
// the cases of tracker_cases.h, run by tracker_bench, which prints them next
// to the tracked numbers. Header-only: no runtime library (it is built with
// tracking on).
#include "tracker_fearless_cases.h"

int main(int argc, char **argv) {
  fearless_bench::register_fearless_cases("fearless_untracked");
  return fearless_bench::child_main(argc, argv);
}
