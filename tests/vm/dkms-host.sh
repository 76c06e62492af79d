#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Host driver: build vexfs.ko with DKMS, the way the vexfs-dkms package does
# ("dkms add" of a source tree holding dkms.conf, Kbuild, src/ and include/,
# then "dkms build" against the kernel's headers), in a private DKMS tree and
# against this project's cached Debian headers for KVER; check the module's
# vermagic; check "make modules_install" into a DESTDIR; then boot KVER with
# the DKMS module and run the smoke test (tests/vm/smoke.sh) with it.
# Usage: tests/vm/dkms-host.sh KVER
set -uo pipefail
cd "$(dirname "$0")/../.."
k=$1
out=$PWD/build/logs/dkms-$k
W=$PWD/build/dkms/$k
rm -rf "$out" "$W"; mkdir -p "$out" "$W/src" "$W/tree"
n=0 pass=0 fail=0
ck() {	# ck NAME CMD...
	n=$((n + 1))
	if "${@:2}" >>"$out/dkms.log" 2>&1; then pass=$((pass + 1)); echo "ok $n - $1"
	else fail=$((fail + 1)); echo "not ok $n - $1"; tail -15 "$out/dkms.log" | sed 's/^/#   /'; fi
}
read -r kv kroot < <(scripts/fetch-kernel.sh "$k")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
src=$W/src/vexfs-$ver
mkdir -p "$src"
cp -a Kbuild src include dkms.conf "$src/"
D=(dkms --dkmstree "$W/tree" --sourcetree "$W/src")
ck "dkms add vexfs/$ver" "${D[@]}" add -m vexfs -v "$ver"
ck "dkms build for $kv against its headers" \
	"${D[@]}" build -m vexfs -v "$ver" -k "$kv" --kernelsourcedir "$kroot/lib/modules/$kv/build"
ko=$(find "$W/tree/vexfs/$ver/$kv" -name 'vexfs.ko*' | head -1)
ck "the built module is there" test -n "$ko"
ck "its vermagic is $kv" sh -c "/sbin/modinfo -F vermagic '$ko' | grep -q '^$kv '"
echo "# module: ${ko#$PWD/}"
ck "make modules_install DESTDIR=... KVER=$k" make -s KVER="$k" modules_install DESTDIR="$W/mi"
ck "... puts vexfs.ko under lib/modules/$kv/updates" \
	sh -c "/sbin/modinfo -F vermagic $W/mi/lib/modules/$kv/updates/vexfs.ko* | grep -q '^$kv '"
VEXFS_VM_MODULE=$ko scripts/vm-run.sh -k "$k" -d 256M -o "$out/vm" -t 300 -- bash tests/vm/smoke.sh \
	>"$out/vm.log" 2>&1
rc=$?
grep -E "^(not )?ok" "$out/vm/console.log" | sed 's/^\(not \)\?ok - /&dkms module: /'
read -r p f < <(sed -n 's/^# vm-test: \([0-9]*\) passed, \([0-9]*\) failed/\1 \2/p' "$out/vm/console.log" |
	tail -1 | awk '{print $1 + 0, $2 + 0}')
[ "$rc" = 0 ] || f=$((f + 1))
echo "# vm-test: $((pass + p)) passed, $((fail + f)) failed"
[ $((fail + f)) = 0 ]
