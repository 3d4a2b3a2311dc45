#!/usr/bin/env bash
# leveldb_db.sh - a real project's compile database for the benchmarks:
# Debian 12's leveldb 1.23 sources, configured (not built) with CMake.
#
#   bench/leveldb_db.sh DIR
#
# Leaves the sources in DIR/leveldb-1.23 and compile_commands.json in
# DIR/leveldb-build, and prints that folder. Needs root for apt-get the
# first time: it enables Debian's source archive (deb-src) for bookworm if
# no source entry exists. Idempotent: a second run only prints the folder.
set -euo pipefail

die() { echo "leveldb_db.sh: error: $*" >&2; exit 2; }
[ $# -eq 1 ] || die "usage: bench/leveldb_db.sh DIR"
mkdir -p "$1" || die "cannot create '$1'"
DIR=$(cd "$1" && pwd)
SRC="$DIR/leveldb-1.23"
BUILD="$DIR/leveldb-build"
if [ ! -f "$BUILD/compile_commands.json" ]; then
  if [ ! -d "$SRC" ]; then
    command -v apt-get >/dev/null || die "apt-get not found (Debian's leveldb sources are needed)"
    if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
      [ "$(id -u)" -eq 0 ] || die "no deb-src entry in /etc/apt; run as root once to add it"
      printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        > /etc/apt/sources.list.d/fearless-deb-src.sources
      apt-get update -qq || die "apt-get update failed"
    fi
    (cd "$DIR" && apt-get source -qq leveldb >/dev/null 2>&1) ||
      die "apt-get source leveldb failed"
    [ -d "$SRC" ] || die "apt-get source did not unpack leveldb-1.23 in $DIR"
  fi
  cmake -S "$SRC" -B "$BUILD" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    -DLEVELDB_BUILD_TESTS=OFF -DLEVELDB_BUILD_BENCHMARKS=OFF \
    -DCMAKE_BUILD_TYPE=Release >/dev/null || die "cmake configure of leveldb failed"
fi
echo "$BUILD"
