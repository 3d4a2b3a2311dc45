#!/usr/bin/env bash
# whole_program_bench.sh - what fearless-check costs on a real project, and
# how its whole-program join scales with the size of the program.
#
#   bench/whole_program_bench.sh BUILD_DIR COMPILE_DB_DIR [COPIES]
#
# BUILD_DIR holds analyzer/driver/fearless-check and
# analyzer/libfearless-tidy.so (nothing is built). COMPILE_DB_DIR holds the
# compile_commands.json of a real project (leveldb 1.23 in the docs; see
# docs/index.md for how to make it). Two measurements:
#
# (a) `fearless-check -j1` with every fearless check (the default --checks)
#     against a parse-only clang-tidy run over the same units, one unit after
#     the other, summed. Parse only is `--checks='-*,llvm-twine-local'` with
#     the plugin loaded, as in bench/analyzer_overhead.sh, so the ratio is what
#     the checks, the facts and the join add to parsing. Target: <= 1.10x.
# (b) the join alone: the facts of one fearless-check run (--facts-dir) are
#     merged with `fearless-check --merge-facts=DIR` (no -p: no unit is run),
#     then one renamed copy of them and COPIES renamed copies (default 10)
#     are merged. Every USR, slot, function and lock name and every unit and
#     file path of copy K is prefixed with "copyK/", so the copies are COPIES
#     distinct programs of the same shape, and their merge must report COPIES
#     times the join findings of one. The join is linear in the facts:
#     time(COPIES copies) / time(1 copy) should be about COPIES or less (the
#     start-up, the time of merging an empty directory, is shown apart).
#
# Times are CPU seconds (user+sys) of the process and its children, best of
# FEARLESS_BENCH_REPEAT runs (default 3), which a loaded machine disturbs less
# than wall time.
#
# Environment: FEARLESS_BENCH_REPEAT (default: 3), FEARLESS_CLANG_TIDY
# (default: FEARLESS_CLANG_TIDY of BUILD_DIR/CMakeCache.txt, else
# clang-tidy-19 or clang-tidy on PATH).
set -euo pipefail

die() { echo "whole_program_bench.sh: error: $*" >&2; exit 2; }
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  die "usage: bench/whole_program_bench.sh BUILD_DIR COMPILE_DB_DIR [COPIES]"
fi
BUILD_DIR=$1
DB_DIR=$2
COPIES=${3:-10}
REPEAT=${FEARLESS_BENCH_REPEAT:-3}

[ -d "$BUILD_DIR" ] || die "BUILD_DIR '$BUILD_DIR' is not a directory"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
DRIVER="$BUILD_DIR/analyzer/driver/fearless-check"
PLUGIN="$BUILD_DIR/analyzer/libfearless-tidy.so"
[ -x "$DRIVER" ] || die "no fearless-check in $BUILD_DIR/analyzer/driver (build the fearless-check target)"
[ -f "$PLUGIN" ] || die "no libfearless-tidy.so in $BUILD_DIR/analyzer (build the fearless-tidy target)"
[ -d "$DB_DIR" ] || die "COMPILE_DB_DIR '$DB_DIR' is not a directory"
DB_DIR=$(cd "$DB_DIR" && pwd)
[ -f "$DB_DIR/compile_commands.json" ] || die "no compile_commands.json in $DB_DIR"
[[ "$COPIES" =~ ^[1-9][0-9]*$ ]] || die "COPIES must be a positive integer, got '$COPIES'"
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] ||
  die "FEARLESS_BENCH_REPEAT must be a positive integer, got '$REPEAT'"
command -v python3 >/dev/null || die "python3 not found"

TIDY=${FEARLESS_CLANG_TIDY:-}
if [ -z "$TIDY" ] && [ -f "$BUILD_DIR/CMakeCache.txt" ]; then
  TIDY=$(sed -n 's/^FEARLESS_CLANG_TIDY:FILEPATH=//p' "$BUILD_DIR/CMakeCache.txt")
fi
[ -n "$TIDY" ] || TIDY=$(command -v clang-tidy-19 || command -v clang-tidy || true)
if [ -z "$TIDY" ] || [ ! -x "$TIDY" ]; then
  die "clang-tidy not found (set FEARLESS_CLANG_TIDY, or FEARLESS_CLANG_TIDY in $BUILD_DIR/CMakeCache.txt)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$DRIVER" "$PLUGIN" "$TIDY" "$DB_DIR" "$COPIES" "$REPEAT" "$tmp" <<'EOF'
import glob, json, os, re, resource, subprocess, sys

driver, plugin, tidy, db, copies, repeat, tmp = sys.argv[1:]
copies, repeat = int(copies), int(repeat)
PARSE_ONLY = "-*,llvm-twine-local"

def die(msg):
    print(f"whole_program_bench.sh: error: {msg}", file=sys.stderr)
    sys.exit(2)

try:
    with open(os.path.join(db, "compile_commands.json"), encoding="utf-8") as f:
        entries = json.load(f)
except (OSError, ValueError) as e:
    die(f"cannot read {db}/compile_commands.json: {e}")
if not isinstance(entries, list) or not entries:
    die(f"{db}/compile_commands.json has no compile commands")
units = []  # every file once, as fearless-check runs it
for e in entries:
    if not isinstance(e, dict) or "file" not in e or "directory" not in e:
        die(f"{db}/compile_commands.json: an entry without 'file' or 'directory'")
    path = os.path.normpath(os.path.join(e["directory"], e["file"]))
    if path not in units:
        units.append(path)

def run(cmd, what):
    """CPU seconds (user+sys) of `cmd` and its children, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode < 0 or "Stack dump" in p.stdout:
        die(f"{what} crashed:\n{p.stdout[-2000:]}")
    if os.path.basename(cmd[0]) == "fearless-check" and p.returncode not in (0, 1):
        die(f"{what} failed (exit {p.returncode}):\n{p.stdout[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), p.stdout

def best(cmd, what):
    times, err = [], ""
    for _ in range(repeat):
        t, err = run(cmd, what)
        times.append(t)
    return min(times), err

def summary(output, what):
    m = re.search(r"(\d+) finding\(s\).*?(\d+) translation unit\(s\) checked", output)
    if not m:
        die(f"{what}: no summary line in its output:\n{output[-2000:]}")
    return int(m.group(1)), int(m.group(2))

# (a) fearless-check -j1 against parse only.
def parse_only_total():
    return sum(run([tidy, f"--load={plugin}", f"--checks={PARSE_ONLY}", "--quiet",
                    "-p", db, u], f"clang-tidy on {u}")[0] for u in units)

base = min(parse_only_total() for _ in range(repeat))
facts = os.path.join(tmp, "facts")
check_cmd = [driver, "-p", db, "-j1", "-q", f"--clang-tidy={tidy}", f"--plugin={plugin}",
             f"--facts-dir={facts}", "-o", os.devnull]
checks, err = best(check_cmd, "fearless-check")
findings, checked = summary(err, "fearless-check")
failed = re.search(r"translation unit\(s\) checked, (\d+) failed", err)
if failed:
    die(f"fearless-check did not analyse {failed.group(1)} of {checked} units "
        f"(run it without -q to see why):\n{err[-2000:]}")
if checked != len(units):
    print(f"note: fearless-check ran {checked} units, the database has {len(units)} files")

# (b) the join alone, on the facts of one program and on `copies` programs.
fact_files = sorted(glob.glob(os.path.join(facts, "*.json")))
if not fact_files:
    die(f"fearless-check wrote no facts into {facts}")
STRINGS = {"usr", "lock", "from", "to", "name", "function", "via", "slot", "global"}
PATHS = {"unit", "file"}
STRING_LISTS = {"overrides", "reacquirable", "released"}

def rename(x, p):
    """The facts of another program: copy `p` of every symbol, lock and path."""
    if isinstance(x, dict):
        out = {}
        for k, v in x.items():
            if k in STRINGS and isinstance(v, str):
                out[k] = p + v
            elif k in PATHS and isinstance(v, str):
                out[k] = "/" + p + v.lstrip("/") if v.startswith("/") else p + v
            elif k in STRING_LISTS and isinstance(v, list):
                out[k] = [p + s if isinstance(s, str) else rename(s, p) for s in v]
            else:
                out[k] = rename(v, p)
        return out
    if isinstance(x, list):
        return [rename(v, p) for v in x]
    return x

loaded = [(os.path.basename(f), json.load(open(f, encoding="utf-8"))) for f in fact_files]

def write_copies(directory, n):
    """n renamed copies of the facts in `directory`; their size in bytes."""
    os.makedirs(directory)
    for k in range(n):
        for name, data in loaded:
            with open(os.path.join(directory, f"copy{k}-{name}"), "w", encoding="utf-8") as f:
                json.dump(rename(data, f"copy{k}/"), f, separators=(",", ":"))
    return sum(os.path.getsize(os.path.join(directory, f)) for f in os.listdir(directory))

empty = os.path.join(tmp, "empty")
os.makedirs(empty)
one, many = os.path.join(tmp, "copy1"), os.path.join(tmp, f"copies{copies}")
one_size, many_size = write_copies(one, 1), write_copies(many, copies)
functions = sum(len(d.get("functions", [])) for _, d in loaded)
size = sum(os.path.getsize(f) for f in fact_files)

def merge(directory, what):
    t, out = best([driver, f"--merge-facts={directory}"], f"fearless-check --merge-facts ({what})")
    return t, summary(out, f"fearless-check --merge-facts ({what})")[0]

t_empty, _ = merge(empty, "an empty directory")
t_facts, facts_findings = merge(facts, "the facts")
t_one, one_findings = merge(one, "1 copy")
t_many, many_findings = merge(many, f"{copies} copies")
if one_findings != facts_findings or many_findings != copies * one_findings:
    die(f"the join found {facts_findings} in the facts, {one_findings} in 1 renamed copy and "
        f"{many_findings} in {copies} copies, not {copies} x {one_findings}: the copies "
        "are not distinct programs")

print(f"compile database: {db} ({len(units)} units, {findings} findings)")
print(f"(a) {'run':<44} {'CPU (s)':>9}")
print(f"    {'clang-tidy parse only, unit by unit':<44} {base:>9.3f}")
print(f"    {'fearless-check -j1, fearless-*':<44} {checks:>9.3f}")
print(f"    {'ratio':<44} {checks / base:>8.2f}x   target: <= 1.10x")
print(f"(b) {'merge-facts (no -p) of':<44} {'CPU (s)':>9}")
print(f"    {'an empty directory (start-up)':<44} {t_empty:>9.3f}")
print(f"    {f'the facts: {len(loaded)} units, {functions} functions, {size / 1e6:.1f} MB':<44} {t_facts:>9.3f}"
      f"   join findings: {facts_findings}")
print(f"    {f'1 renamed copy: {one_size / 1e6:.1f} MB':<44} {t_one:>9.3f}"
      f"   join findings: {one_findings}")
print(f"    {f'{copies} renamed copies: {copies * len(loaded)} units, {many_size / 1e6:.1f} MB':<44} {t_many:>9.3f}"
      f"   join findings: {many_findings}")
print(f"    {f'ratio {copies} copies / 1 copy':<44} {t_many / t_one:>8.2f}x   linear: <= {copies}x")
if t_one > t_empty:
    print(f"    {'the same without start-up':<44} {(t_many - t_empty) / (t_one - t_empty):>8.2f}x")
print(f"CPU time, best of {repeat}")
EOF
