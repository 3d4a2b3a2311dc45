#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
# fearless.sh - the project's entry point.
#
#   ./fearless.sh demo     install what is missing, build, run the analyzer on
#                          samples/analyzer and the runtime samples, then
#                          show the buggy Rust-book programs (samples/buggy)
#   ./fearless.sh test     install what is missing, build, run every test
#                          (ctest, lit) and the runtime tests under
#                          ThreadSanitizer and AddressSanitizer+UBSan; the
#                          analyzer suite runs once per LLVM major (19, 22)
#   ./fearless.sh analyze [-p BUILD_DIR] [FILES...]
#                          run every fearless check on a compile_commands.json
#   ./fearless.sh parity   fearless-guarded-by vs clang -Wthread-safety on
#                          Clang's own tests (downloads Debian's LLVM source)
#                          for the selected LLVM major
#   ./fearless.sh build | deps | bench | help
#
# Environment: FEARLESS_LLVM=19|22 (the LLVM major of the analyzer; default:
# the newest installed, 19 when none is), FEARLESS_BUILD_DIR (default: build;
# LLVM 22 builds in <dir>-llvm22), FEARLESS_JOBS (default: number of cores),
# FEARLESS_SKIP_SANITIZERS=1 (test: main build only).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The LLVM majors the analyzer builds against, oldest first.
SUPPORTED_LLVM=(19 22)
llvm_packages() { # MAJOR
  echo "clang-$1 clang-tidy-$1 libclang-$1-dev llvm-$1-dev llvm-$1-tools libclang-rt-$1-dev"
}
BASE_PACKAGES=(cmake ninja-build g++ python3 pkg-config libdw-dev libgtest-dev
               libgmock-dev libbenchmark-dev nlohmann-json3-dev python3-jsonschema
               dpkg-dev file libcpp-httplib-dev
               # the analyzer's check tests also run against libc++ (LLVM 19's)
               libc++-19-dev libc++abi-19-dev)
# Only `bench` needs these: Abseil's deadlock detector, rustc (Rust's mpsc)
# and Valgrind's Helgrind are the baselines the benchmarks compare against.
BENCH_PACKAGES=(libabsl-dev rustc valgrind)

die() { echo "fearless.sh: error: $*" >&2; exit 2; }
say() { echo "==> $*"; }

llvm_installed() { # MAJOR
  local p
  for p in $(llvm_packages "$1"); do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || return 1
  done
}

# The major: FEARLESS_LLVM, else the newest installed, else 19 (installed).
if [ -n "${FEARLESS_LLVM:-}" ]; then
  case " ${SUPPORTED_LLVM[*]} " in
    *" $FEARLESS_LLVM "*) ;;
    *) die "FEARLESS_LLVM must be one of ${SUPPORTED_LLVM[*]}, got '$FEARLESS_LLVM'" ;;
  esac
  LLVM_MAJOR=$FEARLESS_LLVM
  LLVM_WHY="FEARLESS_LLVM=$LLVM_MAJOR"
else
  LLVM_MAJOR=
  for m in "${SUPPORTED_LLVM[@]}"; do llvm_installed "$m" && LLVM_MAJOR=$m; done
  if [ -n "$LLVM_MAJOR" ]; then
    LLVM_WHY="the newest installed; FEARLESS_LLVM=19|22 selects"
  else
    LLVM_MAJOR=${SUPPORTED_LLVM[0]}
    LLVM_WHY="none installed, so LLVM $LLVM_MAJOR is installed"
  fi
fi
PACKAGES=($(llvm_packages "$LLVM_MAJOR") "${BASE_PACKAGES[@]}")

BASE_BUILD_DIR=${FEARLESS_BUILD_DIR:-build}
case "$BASE_BUILD_DIR" in /*) ;; *) BASE_BUILD_DIR="$ROOT/$BASE_BUILD_DIR" ;; esac
# One build folder per major, fixed, so that a folder never changes major:
# LLVM 19 in build/, LLVM 22 in build-llvm22/.
build_dir_for() { # MAJOR
  if [ "$1" = "${SUPPORTED_LLVM[0]}" ]; then echo "$BASE_BUILD_DIR"
  else echo "$BASE_BUILD_DIR-llvm$1"; fi
}
BUILD_DIR=$(build_dir_for "$LLVM_MAJOR")
JOBS=${FEARLESS_JOBS:-$(nproc 2>/dev/null || echo 2)}
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || die "FEARLESS_JOBS must be a positive integer, got '$JOBS'"
case "${FEARLESS_SKIP_SANITIZERS:-0}" in 0|1) ;; *)
  die "FEARLESS_SKIP_SANITIZERS must be 0 or 1, got '${FEARLESS_SKIP_SANITIZERS}'" ;; esac

# deps [PACKAGES...]: install what is missing (default: PACKAGES).
deps() {
  local missing=() wanted=("$@")
  [ ${#wanted[@]} -eq 0 ] && wanted=("${PACKAGES[@]}")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing packages: ${missing[*]}
  install them as root with: apt-get update && apt-get install -y ${missing[*]}"
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# configure DIR [cmake args...]: (re)configure only when needed.
configure() {
  local dir=$1; shift
  local cached
  cached=$(sed -n 's|^LLVM_DIR:[A-Z]*=||p' "$dir/CMakeCache.txt" 2>/dev/null || true)
  case "$cached" in ""|*/llvm-"$LLVM_MAJOR"/*) ;; *)
    die "${dir#$ROOT/} was configured for another LLVM ($cached), not $LLVM_MAJOR: remove it or set FEARLESS_BUILD_DIR" ;;
  esac
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$ROOT" -B "$dir" -G Ninja --no-warn-unused-cli -DFEARLESS_LLVM_MAJOR="$LLVM_MAJOR" \
      -DLLVM_DIR="/usr/lib/llvm-$LLVM_MAJOR/lib/cmake/llvm" \
      -DClang_DIR="/usr/lib/llvm-$LLVM_MAJOR/lib/cmake/clang" "$@" >/dev/null ||
      die "cmake configure failed in $dir (run: cmake -S . -B $dir -G Ninja $*)"
  fi
}

# use_llvm MAJOR: select the major (and its build folder) from here on.
use_llvm() {
  LLVM_MAJOR=$1
  BUILD_DIR=$(build_dir_for "$1")
  PACKAGES=($(llvm_packages "$1") "${BASE_PACKAGES[@]}")
}

# build [TARGET...]: the whole tree, or only the targets named.
build() {
  deps
  configure "$BUILD_DIR"
  say "LLVM $LLVM_MAJOR ($LLVM_WHY): building in ${BUILD_DIR#$ROOT/}"
  cmake --build "$BUILD_DIR" -j "$JOBS" ${1:+--target "$@"}
}

plugin() { echo "$BUILD_DIR/analyzer/libfearless-tidy.so"; }

# analyze [-p DIR] [FILES...]: every fearless check over a compilation database.
analyze() {
  local db="$BUILD_DIR" files=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -p) [ $# -ge 2 ] || die "-p needs a directory"; db=$2; shift 2 ;;
      -p=*) db=${1#-p=}; shift ;;
      -*) die "analyze: unknown option '$1' (usage: analyze [-p BUILD_DIR] [FILES...])" ;;
      *) files+=("$1"); shift ;;
    esac
  done
  [ -f "$db/compile_commands.json" ] ||
    die "no compile_commands.json in '$db' (configure with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, or pass -p BUILD_DIR)"
  [ -f "$(plugin)" ] || die "analyzer plugin not built: run ./fearless.sh build"
  if [ ${#files[@]} -eq 0 ]; then
    mapfile -t files < <(python3 -c 'import json,sys
for e in json.load(open(sys.argv[1])): print(e["file"])' "$db/compile_commands.json")
  fi
  local tidy; tidy=$(command -v clang-tidy-${LLVM_MAJOR} || echo /usr/lib/llvm-${LLVM_MAJOR}/bin/clang-tidy)
  echo "==> LLVM $LLVM_MAJOR ($LLVM_WHY)" >&2
  "$tidy" --load="$(plugin)" --checks='-*,fearless-*' -p "$db" --quiet "${files[@]}" 2>/dev/null
}

demo() {
  build
  say "fearless analyzer on samples/analyzer"
  local samples=("$ROOT"/samples/analyzer/*.cpp) out
  out=$(analyze -p "$BUILD_DIR" "${samples[@]}")
  echo "${out//$ROOT\//}"
  echo "fearless: $(grep -c "warning:" <<<"$out" || true) finding(s) in ${#samples[@]} sample file(s)"
  say "runtime samples"
  local s
  for s in "$BUILD_DIR"/samples/sample_*; do
    [ -x "$s" ] || continue
    echo "--- ${s##*/}"
    "$s"
  done
  # The Rust-book programs: each samples/buggy/X.cpp has its correct twin in
  # samples/runtime/X.cpp. The twins are analysed too, so that the count
  # below says whether the findings all belong to the buggy ones.
  say "fearless analyzer on the buggy Rust-book programs (samples/buggy)"
  local buggy=("$ROOT"/samples/buggy/*.cpp) twins=() b twin_out
  for b in "${buggy[@]}"; do twins+=("$ROOT/samples/runtime/${b##*/}"); done
  out=$(analyze -p "$BUILD_DIR" "${buggy[@]}")
  echo "${out//$ROOT\//}"
  twin_out=$(analyze -p "$BUILD_DIR" "${twins[@]}")
  [ -z "$twin_out" ] || echo "${twin_out//$ROOT\//}"
  echo "fearless: $(grep -c "warning:" <<<"$out" || true) finding(s) in ${#buggy[@]} buggy" \
       "program(s), $(grep -c "warning:" <<<"$twin_out" || true) in their correct twins"
  say "the buggy Rust-book programs at run time"
  for s in "$BUILD_DIR"/samples/buggy_*; do
    [ -x "$s" ] || continue
    echo "--- ${s##*/}"
    "$s" 2>&1
  done
}

# analyzer_suite: the lit suite of the current build (checks, driver,
# real-code and tool tests), its totals kept in TOTALS.
TOTALS=()
analyzer_suite() {
  local log="$BUILD_DIR/analyzer-suite.log" passed failed skipped rc=0
  say "analyzer suite, LLVM $LLVM_MAJOR"
  (cd "$BUILD_DIR" && ctest -R '^analyzer\.lit$' -V --timeout 900) > "$log" 2>&1 || rc=$?
  passed=$(sed -n 's/.*Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
  failed=$(sed -n 's/.*Failed *: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
  skipped=$(sed -n 's/.*Unsupported *: *\([0-9]*\).*/\1/p' "$log" | tail -n1)
  if [ "$rc" -ne 0 ]; then
    grep -E '^[0-9]+: (FAIL|XPASS|UNRESOLVED|TIMEOUT):|\*\*\*\* TEST' "$log" | sed 's/^[0-9]*: //' || true
    echo "(full output: ${log#$ROOT/})"
    [ -n "$failed" ] || failed=1
  fi
  TOTALS+=("llvm$LLVM_MAJOR: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped")
  echo "${TOTALS[-1]}"
  return "$rc"
}

# test: every test with the first major (FEARLESS_LLVM, or 19), then the
# analyzer suite with every other supported major (installing it). The
# runtime tests do not depend on LLVM and run once.
run_tests() {
  local majors=("${SUPPORTED_LLVM[@]}") m first rc=0
  [ -n "${FEARLESS_LLVM:-}" ] && majors=("$FEARLESS_LLVM")
  first=${majors[0]}
  LLVM_WHY="tests run every supported major"
  [ -n "${FEARLESS_LLVM:-}" ] && LLVM_WHY="FEARLESS_LLVM=$first"
  # Every major first: the main build's tests use clang++-22 when present.
  deps $(for m in "${majors[@]}"; do llvm_packages "$m"; done) "${BASE_PACKAGES[@]}"
  use_llvm "$first"
  build
  say "tests (main build, LLVM $LLVM_MAJOR)"
  (cd "$BUILD_DIR" && ctest -j "$JOBS" --output-on-failure --timeout 900 -E '^analyzer\.lit$')
  analyzer_suite || rc=1
  for m in "${majors[@]:1}"; do
    use_llvm "$m"
    build analyzer-suite
    analyzer_suite || rc=1
  done
  use_llvm "$first"
  [ "$rc" -eq 0 ] || { print_totals; die "the analyzer suite failed (see above)"; }
  [ "${FEARLESS_SKIP_SANITIZERS:-0}" = 1 ] && { print_totals; return 0; }
  local san dir
  for san in thread address,undefined; do
    dir="$BUILD_DIR-${san%%,*}"
    CC=clang-${LLVM_MAJOR} CXX=clang++-${LLVM_MAJOR} configure "$dir" \
      -DFEARLESS_BUILD_ANALYZER=OFF -DFEARLESS_BUILD_SAMPLES=OFF \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFEARLESS_SANITIZER="$san"
    say "tests under -fsanitize=$san"
    cmake --build "$dir" -j "$JOBS"
    (cd "$dir" && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
       ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1" \
       FEARLESS_TEST_SANITIZER="$san" \
       ctest -j "$JOBS" --output-on-failure --timeout 900)
  done
  print_totals
}

print_totals() {
  say "analyzer suite, per LLVM major"
  printf '%s\n' "${TOTALS[@]}"
}

bench() {
  deps
  # A rustc already on PATH (e.g. from rustup) is used as is.
  if command -v rustc >/dev/null; then deps libabsl-dev valgrind; else deps "${BENCH_PACKAGES[@]}"; fi
  configure "$BUILD_DIR-bench" -DCMAKE_BUILD_TYPE=Release -DFEARLESS_BUILD_BENCH=ON \
    -DFEARLESS_BUILD_TESTS=OFF -DFEARLESS_BUILD_ANALYZER=OFF -DFEARLESS_LOCK_TRACKING=OFF
  cmake --build "$BUILD_DIR-bench" -j "$JOBS"
  local b
  for b in "$BUILD_DIR-bench"/bench/*_bench; do
    # tracker_bench and race_bench run from the tracked build below (they
    # start their compiled-out and ThreadSanitizer twins themselves).
    case "${b##*/}" in tracker_bench|race_bench) continue ;; esac
    [ -x "$b" ] && { say "${b##*/}"; "$b" "$@"; }
  done
  # The tracker's cost needs tracking compiled in: a second configuration.
  configure "$BUILD_DIR-bench-tracked" -DCMAKE_BUILD_TYPE=Release -DFEARLESS_BUILD_BENCH=ON \
    -DFEARLESS_BUILD_TESTS=OFF -DFEARLESS_BUILD_ANALYZER=OFF -DFEARLESS_BUILD_SAMPLES=OFF \
    -DFEARLESS_LOCK_TRACKING=ON
  cmake --build "$BUILD_DIR-bench-tracked" -j "$JOBS" --target tracker_bench race_bench
  say "tracker_bench (tracking on)"
  "$BUILD_DIR-bench-tracked/bench/tracker_bench" "$@"
  say "race_bench: Watched<int> vs plain int vs ThreadSanitizer"
  "$BUILD_DIR-bench-tracked/bench/race_bench" "$@"
  say "the preload: pthread locks bare vs fearless-run vs ThreadSanitizer vs Helgrind"
  FEARLESS_BUILD_DIR="$BUILD_DIR" "$ROOT/bench/preload_compare.sh"
  say "channels: fearless vs mutex+deque vs Rust mpsc"
  FEARLESS_BUILD_DIR="$BUILD_DIR" "$ROOT/bench/channel_compare.sh"
  say "analyzer: clang-tidy with fearless-* vs parse only"
  FEARLESS_BUILD_DIR="$BUILD_DIR" "$ROOT/bench/analyzer_overhead.sh"
  say "fearless-check on leveldb vs parse only, and the whole-program join"
  cmake --build "$BUILD_DIR" --target fearless-tidy fearless-check >/dev/null
  local db
  db=$("$ROOT/bench/leveldb_db.sh" "$BUILD_DIR-realcode") &&
    "$ROOT/bench/whole_program_bench.sh" "$BUILD_DIR" "$db"
}

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
  deps) deps ;;
  build) build ;;
  demo) demo ;;
  test) run_tests ;;
  analyze) analyze "$@" ;;
  bench) bench "$@" ;;
  parity) build fearless-tidy >/dev/null && say "parity, LLVM $LLVM_MAJOR ($LLVM_WHY)" &&
          cmake --build "$BUILD_DIR" --target parity ;;
  help|-h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$cmd' (try: ./fearless.sh help)" ;;
esac
