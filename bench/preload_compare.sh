#!/usr/bin/env bash
# preload_compare.sh - what the preload costs an unmodified program, next to
# ThreadSanitizer's deadlock detector and Valgrind's Helgrind, in one table.
#
#   bench/preload_compare.sh
#
# Builds bench/preload_bench_child (Release; a plain program: pthread
# mutexes, nothing from fearless), its ThreadSanitizer twin (clang
# -fsanitize=thread) and libfearless-preload.so, then runs each case bare,
# under fearless-run, under TSan (TSAN_OPTIONS=detect_deadlocks=1) and under
# `valgrind --tool=helgrind`, and prints ns per lock+unlock and the ratios
# the issue set (docs/runtime/preload.md#cost): preload/bare <= 1.5x,
# TSan/preload >= 10x; "added" is what TSan adds to the bare lock+unlock
# over what the preload adds.
#
# Environment: FEARLESS_BUILD_DIR (default: build; the benchmark build goes
# to <it>-bench, as in `fearless.sh bench`), FEARLESS_JOBS (default: 2),
# FEARLESS_BENCH_REPEATS (default: 5: each cell is the median of that many
# runs), FEARLESS_BENCH_ITERATIONS (default: 20000000; Helgrind runs 1/200
# of them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${FEARLESS_BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
BENCH_DIR="$BUILD_DIR-bench"
JOBS=${FEARLESS_JOBS:-2}
REPEATS=${FEARLESS_BENCH_REPEATS:-5}
N=${FEARLESS_BENCH_ITERATIONS:-20000000}

die() { echo "preload_compare.sh: error: $*" >&2; exit 2; }
if [ ! -f "$BENCH_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BENCH_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DFEARLESS_BUILD_BENCH=ON -DFEARLESS_BUILD_TESTS=OFF \
    -DFEARLESS_BUILD_ANALYZER=OFF -DFEARLESS_LOCK_TRACKING=OFF >/dev/null
fi
cmake --build "$BENCH_DIR" -j "$JOBS" --target preload_bench_child \
  fearless_preload >/dev/null 2>&1 ||
  die "build failed (run: cmake --build $BENCH_DIR --target preload_bench_child)"
cmake --build "$BENCH_DIR" -j "$JOBS" --target preload_tsan_child_build \
  >/dev/null 2>&1 || true

child=$BENCH_DIR/bench/preload_bench_child
tsan=$BENCH_DIR/bench/preload_tsan_child
run=$BENCH_DIR/runtime-checker/preload/fearless-run
helgrind=$(command -v valgrind || true)
[ -x "$tsan" ] || tsan=""

# median CMD...: the median ns of REPEATS runs of CMD (prints "case ns").
median() {
  local out=() i
  for ((i = 0; i < REPEATS; i++)); do
    out+=("$("$@" 2>/dev/null | awk '{print $2}')")
  done
  printf '%s\n' "${out[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

cases=(uncontended nested two_threads contended)
printf '%-12s %10s %10s %10s %10s  %9s %9s %9s %9s\n' case "bare ns" "preload" \
  "TSan" "Helgrind" "pre/bare" "TSan/pre" "Hg/pre" "added"
for c in "${cases[@]}"; do
  bare=$(median "$child" "$c" "$N")
  pre=$(median "$run" "$child" "$c" "$N")
  ts=-
  [ -n "$tsan" ] && ts=$(TSAN_OPTIONS=detect_deadlocks=1 median "$tsan" "$c" "$((N / 10))")
  hg=-
  if [ -n "$helgrind" ]; then
    hg=$(REPEATS=1 median "$helgrind" -q --tool=helgrind "$child" "$c" "$((N / 200))")
  fi
  python3 - "$c" "$bare" "$pre" "$ts" "$hg" <<'PY'
import sys
c, bare, pre, ts, hg = sys.argv[1:]
f = lambda v: float(v) if v not in ("-", "") else None
bare, pre, ts, hg = map(f, (bare, pre, ts, hg))
r = lambda a, b: f"{a / b:8.1f}x" if a and b else "        -"
n = lambda v: f"{v:10.1f}" if v else "         -"
# What each tool adds to the bare lock+unlock, TSan's over the preload's.
added = r(ts - bare, pre - bare) if ts and bare and pre and pre > bare else "        -"
print(f"{c:<12} {n(bare)} {n(pre)} {n(ts)} {n(hg)}  {r(pre, bare)} {r(ts, pre)} {r(hg, pre)} {added}")
PY
done
echo "(ns per lock+unlock per thread, median of $REPEATS runs; Helgrind one run;"\
     "load: $(cut -d' ' -f1-3 /proc/loadavg))"
