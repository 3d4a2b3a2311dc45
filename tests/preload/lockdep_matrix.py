#!/usr/bin/env python3
"""Lockdep's scenario matrix through std::mutex and std::shared_mutex,
under the preload: the same counts the tracker's own test
(tests/runtime/tracker_test.cpp, LockdepScenariosWithReadAndWriteLocks)
expects of fearless's locks.

  lockdep_matrix.py FEARLESS_RUN PROGRAM
"""
import subprocess
import sys

CYCLES = ["ABBA", "ABBCCA", "ABCABC", "ABBCCDDA", "ABCDBDDA", "ABCDBCDA"]
# (held, taken) -> inversions expected: holding a read lock and taking a
# write lock, or the reverse, deadlocks as writers do; readers only never
# wait for readers.
MODES = {("w", "w"): 1, ("r", "w"): 1, ("w", "r"): 1, ("r", "r"): 0}


def main():
    run, program = sys.argv[1:3]
    failures = 0
    for cycle in CYCLES:
        for (held, taken), expected in MODES.items():
            out = subprocess.run([run, program, cycle, held, taken],
                                 stderr=subprocess.PIPE, text=True, timeout=60)
            inversions = out.stderr.count(
                "fearless: possible deadlock (lock-order inversion)")
            reports = out.stderr.count("fearless: ")
            ok = out.returncode == 0 and inversions == expected and \
                reports == expected
            print(f"{cycle} {held}{taken}: {inversions} inversion(s), "
                  f"{reports} report(s) -- {'ok' if ok else 'FAILED'}")
            if not ok:
                failures += 1
                print(out.stderr)
    print(f"{24 - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
