#!/usr/bin/env bash
# driver_bench.sh - wall time of fearless-check vs run-clang-tidy on the same
# translation units with the same checks, at -j1 and -j2.
#
#   bench/driver_bench.sh [BUILD_DIR] [COPIES]
#
# BUILD_DIR (default: build) holds analyzer/driver/fearless-check and
# analyzer/libfearless-tidy.so. The project is generated: the analyzer
# samples and the driver test project, COPIES times (default 4) in separate
# folders, so the units are real-world-like (standard headers, guards,
# threads) and the work is the same for both tools. Prints the times and the
# ratio fearless-check / run-clang-tidy (target: <= 1.0).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
COPIES=${2:-4}
DRIVER="$BUILD/analyzer/driver/fearless-check"
PLUGIN="$BUILD/analyzer/libfearless-tidy.so"
RCT=$(command -v run-clang-tidy-19 || command -v run-clang-tidy || true)
TIDY=$(command -v clang-tidy-19 || command -v clang-tidy || true)
[ -x "$DRIVER" ] && [ -f "$PLUGIN" ] || { echo "driver_bench.sh: build fearless-check and fearless-tidy in $BUILD first" >&2; exit 2; }
[ -n "$RCT" ] && [ -n "$TIDY" ] || { echo "driver_bench.sh: run-clang-tidy-19 and clang-tidy-19 are needed" >&2; exit 2; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
sources=("$ROOT"/samples/analyzer/*.cpp "$ROOT"/tests/analyzer/driver/Inputs/project/src/{accounts,log,clean,worker}.cpp)
for ((c = 0; c < COPIES; c++)); do
  mkdir -p "$WORK/p$c/src" "$WORK/p$c/include"
  cp "$ROOT"/tests/analyzer/driver/Inputs/project/include/shared.h "$WORK/p$c/include/"
  cp "${sources[@]}" "$WORK/p$c/src/"
done
python3 - "$WORK" "$ROOT" <<'PY'
import glob, json, os, sys
work, root = sys.argv[1], sys.argv[2]
entries = []
for src in sorted(glob.glob(os.path.join(work, "p*", "src", "*.cpp"))):
    inc = os.path.join(os.path.dirname(os.path.dirname(src)), "include")
    entries.append({"directory": work, "file": src,
                    "arguments": ["c++", "-std=c++20", f"-I{inc}",
                                  f"-I{root}/annotations/include",
                                  f"-I{root}/runtime-checker/include", "-c", src]})
json.dump(entries, open(os.path.join(work, "compile_commands.json"), "w"))
print(f"{len(entries)} translation units")
PY

now() { date +%s.%N; }
declare -A T
for j in 1 2; do
  s=$(now)
  "$DRIVER" -p "$WORK" -j "$j" -q --clang-tidy="$TIDY" --plugin="$PLUGIN" >/dev/null 2>&1 || true
  T[fc$j]=$(awk "BEGIN { print $(now) - $s }")
  s=$(now)
  "$RCT" -clang-tidy-binary "$TIDY" -load "$PLUGIN" -checks='-*,fearless-*' \
    -p "$WORK" -j "$j" -quiet >/dev/null 2>&1 || true
  T[rct$j]=$(awk "BEGIN { print $(now) - $s }")
done
printf '%-22s %10s %10s\n' tool "-j1 (s)" "-j2 (s)"
printf '%-22s %10.2f %10.2f\n' fearless-check "${T[fc1]}" "${T[fc2]}"
printf '%-22s %10.2f %10.2f\n' run-clang-tidy "${T[rct1]}" "${T[rct2]}"
printf '%-22s %10.2f %10.2f\n' "ratio (lower is better)" \
  "$(awk "BEGIN { print ${T[fc1]} / ${T[rct1]} }")" "$(awk "BEGIN { print ${T[fc2]} / ${T[rct2]} }")"
