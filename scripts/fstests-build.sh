#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build fstests (xfstests) for VexFS, once, into a cache.
#
#   scripts/fstests-build.sh [-c CACHE_DIR] [-p PATCH_DIR] [-t TARBALL]
#
# Unpacks TARBALL (default: ../shared/fstests/fstests-63a29724.tar.xz beside
# the repository, else /work/shared/fstests/) into CACHE_DIR (default
# $VEXFS_CACHE/fstests/63a29724, i.e. /var/cache/vexfs/...), applies
# PATCH_DIR/*.patch (default tests/fstests/patches) in name order with
# `patch -p1` inside fstests/,
# runs make, and writes CACHE_DIR/stamp. Prints the built tree's path
# (CACHE_DIR/fstests) on stdout; CACHE_DIR/fstests.tar holds the same tree.
#
# Idempotent: the stamp records the sha256 of the tarball and of every patch;
# when it matches, nothing is done. Otherwise the tree is rebuilt in a
# temporary directory next to it and moved into place only when make
# succeeded, so a half-built tree never carries a valid stamp.
#
# The built tree is a source tree (fstests runs from it) and writes into itself
# at run time (results/, local.config): on a read-only root copy it somewhere
# writable first (cp -a CACHE_DIR/fstests /tmp/).
set -euo pipefail

. "$(dirname "$0")/lib.sh"

FSTESTS_REV=63a29724
tarball=
for d in "$VEXFS_TOP/../shared/fstests" /work/shared/fstests; do
	[ -f "$d/fstests-$FSTESTS_REV.tar.xz" ] && tarball=$d/fstests-$FSTESTS_REV.tar.xz && break
done
cache=$VEXFS_CACHE/fstests/$FSTESTS_REV
patches=$VEXFS_TOP/tests/fstests/patches
while getopts c:p:t:h opt; do
	case $opt in
	c) cache=$OPTARG ;;
	p) patches=$OPTARG ;;
	t) tarball=$OPTARG ;;
	*) sed -n '3,20s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
[ -f "$tarball" ] || die "no fstests tarball fstests-$FSTESTS_REV.tar.xz (looked in ../shared/fstests and /work/shared/fstests)"
[ -d "$patches" ] || die "no patch directory at $patches"

FSTESTS_BUILD_PKGS=(autoconf automake libtool make gcc xfslibs-dev uuid-dev libattr1-dev
	libacl1-dev libaio-dev libgdbm-dev libgdbm-compat-dev liburing-dev libcap-dev)
# gawk: fstests sorts getfattr output with asort() (generic/062), which mawk lacks
FSTESTS_RUN_PKGS=(xfsprogs attr acl bc perl fio psmisc gawk)
need_pkgs "${FSTESTS_BUILD_PKGS[@]}" "${FSTESTS_RUN_PKGS[@]}" patch xz-utils

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
exec 9>"$cache/.lock"
flock 9

want=$( {
	echo "fstests $FSTESTS_REV built with ${FSTESTS_BUILD_PKGS[*]}"
	sha256sum <"$tarball" | sed "s|-\$|$(basename "$tarball")|"
	for p in "$patches"/*.patch; do
		[ -e "$p" ] || continue
		sha256sum <"$p" | sed "s|-\$|$(basename "$p")|"
	done
} )
if [ -f "$cache/stamp" ] && [ -d "$cache/fstests" ] && [ -f "$cache/fstests.tar" ] &&
	[ "$(cat "$cache/stamp")" = "$want" ]; then
	log "fstests $FSTESTS_REV up to date in $cache/fstests"
	echo "$cache/fstests"
	exit 0
fi

tmp=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log "unpacking $(basename "$tarball") into $tmp"
tar -xJf "$tarball" -C "$tmp"
[ -d "$tmp/fstests" ] || die "$tarball did not unpack into fstests/"
for p in "$patches"/*.patch; do
	[ -e "$p" ] || continue
	log "applying $(basename "$p")"
	patch -d "$tmp/fstests" -p1 -s --no-backup-if-mismatch <"$p" ||
		die "$(basename "$p") does not apply"
done

log "building fstests (log: $cache/build.log)"
start=$(date +%s)
if ! make -C "$tmp/fstests" -j"$(nproc)" >"$cache/build.log" 2>&1; then
	tail -n 30 "$cache/build.log" >&2
	die "fstests build failed (see $cache/build.log)"
fi
# the programs the VexFS runs need; a missing one is a build problem
for f in check ltp/fsstress ltp/fsx src/godown; do
	[ -e "$tmp/fstests/$f" ] || die "fstests build produced no $f"
done
log "built in $(( $(date +%s) - start )) s"

# the guest unpacks this copy into its tmpfs (one file over 9p, not thousands)
tar -C "$tmp" -cf "$tmp/fstests.tar" fstests
rm -f "$cache/stamp"
rm -rf "$cache/fstests" "$cache/fstests.tar"
mv "$tmp/fstests" "$cache/fstests"
mv "$tmp/fstests.tar" "$cache/fstests.tar"
printf '%s\n' "$want" >"$cache/stamp"
echo "$cache/fstests"
