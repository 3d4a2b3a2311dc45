#!/usr/bin/env bash
# channel_compare.sh - fearless channels vs std::mutex+condvar+deque vs Rust's
# std::sync::mpsc, on this machine, in one table.
#
#   bench/channel_compare.sh [extra Google Benchmark flags]
#
# Builds bench/channel_bench (Release, tracking off) and bench/rust_mpsc
# (rustc -O, standard library only), runs both and prints ns per message
# with two ratios: fearless/Rust (<= 1.0: at least as fast as Rust) and
# mutex/fearless (>= 2.0: at least twice as fast as the mutex queue).
# Which mpsc was measured depends on the rustc: 1.67 and later ship
# crossbeam-channel's algorithms, earlier ones the older std channels; the
# table says which rustc it was.
#
# Environment: FEARLESS_BUILD_DIR (default: build; the benchmark build goes
# to <it>-bench, as in `fearless.sh bench`), FEARLESS_JOBS (default: 2),
# FEARLESS_BENCH_REPEATS (default: 5). Numbers on a shared or loaded machine
# are noisy: every cell is "best/median" of that many runs on both sides (a
# throughput run is 200,000 messages on both sides), and the load average is
# printed with the table.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${FEARLESS_BUILD_DIR:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
BENCH_DIR="$BUILD_DIR-bench"
JOBS=${FEARLESS_JOBS:-2}
REPEATS=${FEARLESS_BENCH_REPEATS:-5}

die() { echo "channel_compare.sh: error: $*" >&2; exit 2; }
command -v rustc >/dev/null || die "rustc not found (install Rust: https://rustup.rs)"
command -v python3 >/dev/null || die "python3 not found"

if [ ! -f "$BENCH_DIR/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BENCH_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DFEARLESS_BUILD_BENCH=ON -DFEARLESS_BUILD_TESTS=OFF \
    -DFEARLESS_BUILD_ANALYZER=OFF -DFEARLESS_LOCK_TRACKING=OFF >/dev/null
fi
cmake --build "$BENCH_DIR" -j "$JOBS" --target channel_bench >/dev/null 2>&1 ||
  die "build failed (run: cmake --build $BENCH_DIR --target channel_bench)"
rustc -O --edition 2021 -o "$BENCH_DIR/rust_mpsc" "$ROOT/bench/rust_mpsc/main.rs"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "running bench/channel_bench (C++) ..." >&2
"$BENCH_DIR/bench/channel_bench" --benchmark_format=json \
  --benchmark_repetitions="$REPEATS" --benchmark_min_time=0.1 "$@" >"$tmp/cpp.json"
echo "running bench/rust_mpsc (Rust std::sync::mpsc) ..." >&2
"$BENCH_DIR/rust_mpsc" "$REPEATS" >"$tmp/rust.txt"

python3 - "$tmp/cpp.json" "$tmp/rust.txt" "$(rustc --version)" "$(uptime)" <<'PY'
import json, statistics, sys

runs = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("run_type") != "iteration":
        continue
    name = b.get("run_name", b["name"]).split("/real_time")[0].split("/iterations:")[0]
    runs.setdefault(name, []).append(b["ns_per_msg"] * 1e9)  # s per message
cpp = {k: (min(v), statistics.median(v)) for k, v in runs.items()}
rust = {}
for line in open(sys.argv[2]):
    name, best, median = line.split()
    rust[name] = (float(best), float(median))

def num(x):
    return f"{x:,.1f}" if x < 1000 else f"{x:,.0f}"

def fmt(x):
    return "-" if x is None else f"{num(x[0])}/{num(x[1])}"

def ratio(a, b):
    if a is None or b is None:
        return "-"
    return f"{a[0] / b[0]:.2f}/{a[1] / b[1]:.2f}"

mutex_of = {"unbounded": "mutex_deque", "bounded": "mutex_deque_bounded"}
rows = []
for scenario in ("same_thread", "throughput", "ping_pong"):
    for flavor in ("unbounded", "bounded", "rendezvous"):
        f = cpp.get(f"{scenario}/{flavor}")
        if f is None:
            continue
        m = cpp.get(f"{scenario}/{mutex_of.get(flavor, '')}") \
            or (cpp.get(f"{scenario}/mutex_deque") if flavor != "rendezvous" else None)
        r = rust.get(f"{scenario}/{flavor}")
        rows.append((scenario, flavor, fmt(f), fmt(m), fmt(r), ratio(f, r), ratio(m, f)))

head = ("scenario", "flavor", "fearless ns", "mutex+deque ns", "Rust mpsc ns",
        "fearless/Rust", "mutex/fearless")
widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
line = lambda cells: "  ".join(str(c).rjust(w) if i > 1 else str(c).ljust(w)
                               for i, (c, w) in enumerate(zip(cells, widths)))
print(line(head))
print("  ".join("-" * w for w in widths))
for r in rows:
    print(line(r))
print(f"\nevery cell: best/median of the runs; ns per message (ping_pong: per")
print("round trip); bounded = capacity 1024; mutex+deque is bounded for bounded.")
print("targets: fearless/Rust <= 1.0 and mutex/fearless >= 2.0 on throughput.")
print(f"Rust: {sys.argv[3]}; load average{sys.argv[4].split('load average')[-1]}")
PY
