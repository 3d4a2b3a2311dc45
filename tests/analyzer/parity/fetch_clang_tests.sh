#!/usr/bin/env bash
# fetch_clang_tests.sh DEST - Clang's own thread-safety tests for the LLVM
# version fearless is built against, from Debian's llvm-toolchain-<major>
# source package.
#
# apt-get downloads the source package (and checks its hashes against the
# signed Sources index) through a private source list, so no deb-src line is
# needed in the system configuration and root is not required. Only the
# thread-safety test files are extracted into DEST; the download is kept in
# DEST/.download so a second run is offline. Nothing here is committed.
set -euo pipefail

die() { echo "fetch_clang_tests.sh: error: $*" >&2; exit 2; }
[ $# -eq 1 ] || die "usage: fetch_clang_tests.sh DEST"
DEST=$1
LLVM_MAJOR=${FEARLESS_LLVM_MAJOR:-19}
[[ "$LLVM_MAJOR" =~ ^[0-9]+$ ]] || die "FEARLESS_LLVM_MAJOR must be a number, got '$LLVM_MAJOR'"
PKG=llvm-toolchain-$LLVM_MAJOR

# Same suites as the installed binary packages come from.
SUITE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$SUITE" ] || die "cannot tell the Debian release from /etc/os-release"

if [ -f "$DEST/.fetched" ]; then
  exit 0
fi
command -v apt-get >/dev/null || die "apt-get not found (this target needs Debian's source packages)"
mkdir -p "$DEST/.download/lists/partial"
DL=$(cd "$DEST/.download" && pwd)
cat > "$DL/sources.list" <<LIST
deb-src http://deb.debian.org/debian $SUITE main
deb-src http://deb.debian.org/debian $SUITE-updates main
deb-src http://deb.debian.org/debian-security $SUITE-security main
LIST
APT=(apt-get -q -o "Dir::Etc::SourceList=$DL/sources.list" -o Dir::Etc::SourceParts=-
     -o "Dir::State::Lists=$DL/lists" -o Debug::NoLocking=1)

echo "fetching the $PKG source package from Debian (about 165 MB) ..." >&2
"${APT[@]}" update >/dev/null || die "apt-get update failed for the deb-src index"
# The binary package tells which source version matches the installed clang.
VERSION=$(dpkg-query -W -f='${source:Version}' "clang-$LLVM_MAJOR" 2>/dev/null || true)
SPEC=$PKG
[ -n "$VERSION" ] && SPEC="$PKG=$VERSION"
# The tests come from the upstream (orig) tarball alone. When the source
# package cannot be downloaded whole (a security upload whose .dsc the mirror
# does not carry), the orig tarball is fetched by itself from any archive
# directory that lists the same file, and checked against the SHA-256 that
# the signed Sources index gives for the installed version.
if ! (cd "$DL" && "${APT[@]}" source --download-only "$SPEC" >/dev/null 2>&1); then
  SRC=$(apt-cache "${APT[@]:1}" showsrc "$PKG" 2>/dev/null)
  read -r HASH ORIG_NAME < <(awk -v v="$VERSION" '
    /^Version: / { ours = ($2 == v || v == "") }
    /^Checksums-Sha256:/ { sums = 1; next }
    /^[^ ]/ { sums = 0 }
    ours && sums && $3 ~ /\.orig\.tar\./ { print $1, $3; exit }' <<<"$SRC")
  [ -n "${HASH:-}" ] || die "apt-get source --download-only $SPEC failed, and the Sources index has no orig tarball for it"
  GOT=
  # The security archive's pool/updates/main/... is pool/main/... in the
  # main archive.
  for DIR in $(sed -n 's/^Directory: //p' <<<"$SRC" | sort -u); do
    for URL in "http://deb.debian.org/debian-security/$DIR" \
               "http://deb.debian.org/debian/$DIR" \
               "http://deb.debian.org/debian/${DIR/updates\//}"; do
      if /usr/lib/apt/apt-helper download-file "$URL/$ORIG_NAME" \
           "$DL/$ORIG_NAME" "SHA256:$HASH" >/dev/null 2>&1; then
        GOT=1
        break 2
      fi
    done
  done
  [ -n "$GOT" ] || die "apt-get source --download-only $SPEC failed, and $ORIG_NAME was found in no archive"
  echo "fetched $ORIG_NAME by itself (SHA-256 checked against the Sources index)" >&2
fi

ORIG=$(ls "$DL"/"${PKG}"_*.orig.tar.* 2>/dev/null | head -n1)
[ -n "$ORIG" ] || die "no orig tarball for $PKG was downloaded"
echo "extracting the thread-safety tests ..." >&2
tar -xf "$ORIG" -C "$DEST" --strip-components=1 --wildcards --no-anchored \
  'clang/test/SemaCXX/*thread-safety*' 'clang/test/Sema/*thread-safety*' ||
  die "extracting the tests from $ORIG failed"
ls "$DEST/clang/test/SemaCXX/warn-thread-safety-analysis.cpp" >/dev/null 2>&1 ||
  die "warn-thread-safety-analysis.cpp is not in $ORIG"
echo "$SPEC" > "$DEST/.fetched"
