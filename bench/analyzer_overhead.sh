#!/usr/bin/env bash
# analyzer_overhead.sh - what the fearless checks add to a clang-tidy run.
#
#   bench/analyzer_overhead.sh [UNITS]
#
# Times `clang-tidy --checks='-*,fearless-*'` against a parse-only run on
# every file of samples/analyzer and on a
# generated translation unit of UNITS units (default 400: about 5,000
# functions with locks, lambdas, templates and thread spawns; see
# bench/gen_tu.py). Parse only is `--checks='-*,llvm-twine-local'`: with no
# check at all clang-tidy does not even parse the file, and that check (one
# matcher for variables of type llvm::Twine, which these files do not have)
# costs nothing measurable. The plugin is loaded in both runs, so the ratio is the
# cost of the checks, not of loading a shared library. Times are CPU seconds
# (user+sys) of clang-tidy, best of FEARLESS_BENCH_REPEAT runs (default 3),
# which a loaded machine disturbs less than wall time. Target: <= 1.10x.
# A second table times fearless-guard-across-await alone on the same units,
# which have no coroutine: it should cost nothing over parse only.
#
# Environment: FEARLESS_BUILD_DIR (default: build; the plugin is built there
# if missing), FEARLESS_BENCH_REPEAT (default: 3).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${FEARLESS_BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
UNITS=${1:-400}
REPEAT=${FEARLESS_BENCH_REPEAT:-3}

die() { echo "analyzer_overhead.sh: error: $*" >&2; exit 2; }
[[ "$UNITS" =~ ^[1-9][0-9]*$ ]] || die "UNITS must be a positive integer, got '$UNITS'"
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] ||
  die "FEARLESS_BENCH_REPEAT must be a positive integer, got '$REPEAT'"
command -v python3 >/dev/null || die "python3 not found"

PLUGIN="$BUILD_DIR/analyzer/libfearless-tidy.so"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja >/dev/null || die "cmake configure failed"
fi
cmake --build "$BUILD_DIR" --target fearless-tidy >/dev/null 2>&1 ||
  die "building the plugin failed (run: cmake --build $BUILD_DIR --target fearless-tidy)"
TIDY=$(sed -n 's/^FEARLESS_CLANG_TIDY:FILEPATH=//p' "$BUILD_DIR/CMakeCache.txt")
[ -x "$TIDY" ] || die "clang-tidy not found in $BUILD_DIR/CMakeCache.txt"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$ROOT/bench/gen_tu.py" "$UNITS" > "$tmp/generated.cpp"

python3 - "$TIDY" "$PLUGIN" "$REPEAT" "$ROOT" "$tmp/generated.cpp" "$UNITS" <<'EOF'
import glob, os, resource, subprocess, sys

tidy, plugin, repeat, root, generated, units = sys.argv[1:]
repeat = int(repeat)
PARSE_ONLY = "-*,llvm-twine-local"
flags = ["-std=c++20", f"-I{root}/annotations/include", f"-I{root}/runtime-checker/include"]

def cpu(checks, path):
    """Best CPU time (s) of clang-tidy with `checks` on `path`."""
    best = None
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run([tidy, f"--load={plugin}", f"--checks={checks}",
                            "--quiet", path, "--"] + flags,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode < 0 or "Stack dump" in p.stderr:
            sys.exit(f"analyzer_overhead.sh: error: clang-tidy crashed on {path}")
        t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = t if best is None else min(best, t)
    return best

def lines(path):
    with open(path, encoding="utf-8") as f:
        return sum(1 for _ in f)

samples = sorted(glob.glob(os.path.join(root, "samples", "analyzer", "*.cpp")))
rows = []
base_total = checks_total = 0.0
for s in samples:
    b, c = cpu(PARSE_ONLY, s), cpu("-*,fearless-*", s)
    base_total += b
    checks_total += c
    rows.append((os.path.relpath(s, root), lines(s), b, c))
rows.append((f"all {len(samples)} samples", sum(r[1] for r in rows), base_total, checks_total))
b, c = cpu(PARSE_ONLY, generated), cpu("-*,fearless-*", generated)
rows.append((f"generated TU ({units} units)", lines(generated), b, c))
gen_base = b

# fearless-guard-across-await alone: none of these units has a coroutine, so
# it must not build the model (it matches coroutine bodies first).
AWAIT = "-*,fearless-guard-across-await"
await_rows = [(f"all {len(samples)} samples", rows[-2][1], base_total,
               sum(cpu(AWAIT, s) for s in samples)),
              (f"generated TU ({units} units)", lines(generated), gen_base,
               cpu(AWAIT, generated))]

print(f"{'translation unit':<40} {'lines':>7} {'parse only':>11} {'fearless-*':>11} {'ratio':>7}")
for name, n, b, c in rows:
    print(f"{name:<40} {n:>7} {b:>10.3f}s {c:>10.3f}s {c / b:>6.2f}x")
print(f"target: <= 1.10x (CPU time, best of {repeat})")
print()
print(f"{'no coroutines':<40} {'lines':>7} {'parse only':>11} {'guard-await':>11} {'ratio':>7}")
for name, n, b, c in await_rows:
    print(f"{name:<40} {n:>7} {b:>10.3f}s {c:>10.3f}s {c / b:>6.2f}x")
EOF
