#!/usr/bin/env bash
# fearless.sh - the project's entry point.
#
#   ./fearless.sh demo     install what is missing, build, run the analyzer on
#                          samples/analyzer and the runtime samples, then
#                          show the buggy Rust-book programs (samples/buggy)
#   ./fearless.sh test     install what is missing, build, run every test
#                          (ctest, lit) and the runtime tests under
#                          ThreadSanitizer and AddressSanitizer+UBSan
#   ./fearless.sh analyze [-p BUILD_DIR] [FILES...]
#                          run every fearless check on a compile_commands.json
#   ./fearless.sh parity   fearless-guarded-by vs clang -Wthread-safety on
#                          Clang's own tests (downloads Debian's LLVM source)
#   ./fearless.sh build | deps | bench | help
#
# Environment: FEARLESS_BUILD_DIR (default: build), FEARLESS_JOBS (default:
# number of cores), FEARLESS_SKIP_SANITIZERS=1 (test: main build only).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LLVM_MAJOR=19
PACKAGES=(clang-${LLVM_MAJOR} clang-tidy-${LLVM_MAJOR} libclang-${LLVM_MAJOR}-dev
          llvm-${LLVM_MAJOR}-dev libclang-rt-${LLVM_MAJOR}-dev cmake ninja-build g++
          python3 pkg-config libdw-dev libgtest-dev libgmock-dev libbenchmark-dev
          nlohmann-json3-dev python3-jsonschema dpkg-dev file libcpp-httplib-dev
          libc++-${LLVM_MAJOR}-dev libc++abi-${LLVM_MAJOR}-dev)
# Only `bench` needs these: Abseil's deadlock detector, rustc (Rust's mpsc)
# and Valgrind's Helgrind are the baselines the benchmarks compare against.
BENCH_PACKAGES=(libabsl-dev rustc valgrind)

die() { echo "fearless.sh: error: $*" >&2; exit 2; }
say() { echo "==> $*"; }

BUILD_DIR=${FEARLESS_BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
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
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -S "$ROOT" -B "$dir" -G Ninja "$@" >/dev/null ||
      die "cmake configure failed in $dir (run: cmake -S . -B $dir -G Ninja $*)"
  fi
}

build() {
  deps
  configure "$BUILD_DIR"
  say "building in ${BUILD_DIR#$ROOT/}"
  cmake --build "$BUILD_DIR" -j "$JOBS"
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

run_tests() {
  build
  say "tests (main build)"
  (cd "$BUILD_DIR" && ctest -j "$JOBS" --output-on-failure --timeout 900)
  [ "${FEARLESS_SKIP_SANITIZERS:-0}" = 1 ] && return 0
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
  parity) build >/dev/null && cmake --build "$BUILD_DIR" --target parity ;;
  help|-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$cmd' (try: ./fearless.sh help)" ;;
esac
