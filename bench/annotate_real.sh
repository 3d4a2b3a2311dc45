#!/usr/bin/env bash
# annotate_real.sh - the table of docs/annotating.md: fearless-check --fix on
# Debian 12's leveldb and spdlog.
#
#   bench/annotate_real.sh BUILD_DIR WORK_DIR
#
# BUILD_DIR is fearless's build (fearless-check and the plugin). For each
# project, in WORK_DIR: the sources (apt-get source, needs a deb-src entry),
# its own CMake configure, the findings of every check, --fix-dry-run, the
# diff applied to a copy, the copy built with the project's own build (the
# only change: -I to fearless's annotations), the findings again, and a
# second --fix-dry-run, which must be empty. Prints one table row each.
set -euo pipefail

die() { echo "annotate_real.sh: error: $*" >&2; exit 2; }
[ $# -eq 2 ] || die "usage: bench/annotate_real.sh BUILD_DIR WORK_DIR"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CHECK=$(cd "$1" && pwd)/analyzer/driver/fearless-check
[ -x "$CHECK" ] || die "no fearless-check in '$1' (build it first)"
mkdir -p "$2" || die "cannot create '$2'"
WORK=$(cd "$2" && pwd)
JOBS=${FEARLESS_JOBS:-2}

findings() { sed -n 's/^fearless-check: \([0-9]*\) finding(s).*/\1/p' "$1"; }

# project PACKAGE SOURCE_DIR [CMAKE ARGS...]
project() {
  local pkg=$1 src=$WORK/$2; shift 2
  local orig=$src.orig fixed=$src.fixed out=$WORK/$pkg
  if [ ! -d "$orig" ]; then
    [ -d "$src" ] || (cd "$WORK" && apt-get source -qq "$pkg" >/dev/null 2>&1) ||
      die "apt-get source $pkg failed (is there a deb-src entry?)"
    cp -r "$src" "$orig"
  fi
  cmake -S "$orig" -B "$out-build" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null || die "cmake configure of $pkg failed"
  "$CHECK" -p "$out-build" --root="$orig" -j "$JOBS" -q --exit-zero > "$out.before" 2>&1 || true
  "$CHECK" -p "$out-build" --root="$orig" -j "$JOBS" -q --fix-dry-run \
    > "$out.diff" 2> "$out.fix" || die "--fix-dry-run on $pkg failed: $(tail -1 "$out.fix")"
  rm -rf "$fixed" && cp -r "$orig" "$fixed"
  patch -s -d "$fixed" -p1 < "$out.diff" || die "the diff of $pkg does not apply"
  local builds=no
  if cmake -S "$fixed" -B "$out-fixed-build" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
       -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-I$ROOT/annotations/include" "$@" \
       >/dev/null && ninja -C "$out-fixed-build" -j "$JOBS" > "$out.build" 2>&1; then
    builds=yes
  fi
  "$CHECK" -p "$out-fixed-build" --root="$fixed" -j "$JOBS" -q --exit-zero > "$out.after" 2>&1 || true
  "$CHECK" -p "$out-fixed-build" --root="$fixed" -j "$JOBS" -q --fix-dry-run \
    > "$out.again" 2>/dev/null || true
  local added
  added=$(sed -n 's/^fearless-check: --fix-dry-run: would add \(.*\) in .*/\1/p' "$out.fix")
  printf '| %s | %s | %s | %s | %s | second run: %s diff line(s) |\n' "$pkg" "$added" "$builds" \
    "$(findings "$out.before")" "$(findings "$out.after")" "$(grep -c '' "$out.again" || true)"
}

echo "| project | annotations added | still builds | findings before | findings after | idempotent |"
echo "|---|---|---|---|---|---|"
project leveldb leveldb-1.23 -DLEVELDB_BUILD_TESTS=OFF -DLEVELDB_BUILD_BENCHMARKS=OFF
project spdlog spdlog-1.10.0+ds
echo "(details: $WORK/<project>.{before,diff,fix,build,after})"
