#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# test_install.sh - "make install" into a DESTDIR: every file where it
# belongs, with its mode; then, from the installed copy only, "mkfs -t
# vexfs" and "fsck -t vexfs" (util-linux's front ends finding mkfs.vexfs
# and fsck.vexfs on PATH) format and check an image, "man" shows each page,
# and python3 imports the installed package.
#
# Usage: bash tests/user/test_install.sh   (from the repository top, after make user)
set -u
T=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/vexfs-install.XXXXXX")
trap 'rm -rf "$W"' EXIT
N=0 PASS=0 FAIL=0
result() {
	N=$((N + 1))
	if [ "$1" = 0 ]; then PASS=$((PASS + 1)); echo "ok $N - $2"
	else FAIL=$((FAIL + 1)); echo "not ok $N - $2"; fi
}
D=$W/root
make -s -C "$T" install DESTDIR="$D" PREFIX=/usr/local >"$W/make.log" 2>&1
result $? "make install DESTDIR=... PREFIX=/usr/local"
PYV=$(/usr/bin/python3 -c 'import sys; print("python%d.%d" % sys.version_info[:2])')
want="usr/local/sbin/mkfs.vexfs 755
usr/local/sbin/fsck.vexfs 755
usr/local/sbin/vexctl 755
usr/local/include/vexfs/vexfs_ioctl.h 644
usr/local/share/man/man5/vexfs.5 644
usr/local/share/man/man8/mkfs.vexfs.8 644
usr/local/share/man/man8/fsck.vexfs.8 644
usr/local/share/man/man8/vexctl.8 644
usr/local/lib/$PYV/dist-packages/vexfs/__init__.py 644
usr/local/lib/$PYV/dist-packages/vexfs/abi.py 644"
have=$(cd "$D" && find . -type f -printf '%P %m\n' | sort)
bad=0
while read -r f m; do
	grep -qx "$f $m" <<<"$have" || { echo "#   missing or wrong mode: $f $m"; bad=1; }
done <<<"$want"
result $bad "the tools, the header, the man pages and the package land where expected"
cmp -s "$T/include/vexfs/vexfs_ioctl.h" "$D/usr/local/include/vexfs/vexfs_ioctl.h"
result $? "the installed header is the ABI header"
echo 'int main(void) { return sizeof(struct vexfs_ioc_search) != 104; }' |
	cat <(echo '#include <vexfs/vexfs_ioctl.h>') - >"$W/abi.c"
cc -I"$D/usr/local/include" -o "$W/abi" "$W/abi.c" && "$W/abi"
result $? "a program builds against the installed header alone"

export PATH=$D/usr/local/sbin:$PATH
truncate -s 64M "$W/img"
mkfs -t vexfs -q "$W/img" >"$W/mkfs.log" 2>&1
result $? "mkfs -t vexfs finds the installed mkfs.vexfs"
fsck -t vexfs -n "$W/img" >"$W/fsck.log" 2>&1
result $? "fsck -t vexfs -n finds the installed fsck.vexfs: clean"
"$D/usr/local/sbin/vexctl" --version | grep -q "^vexctl"
result $? "the installed vexctl runs"
for p in vexfs.5 mkfs.vexfs.8 fsck.vexfs.8 vexctl.8; do
	sec=${p##*.}
	MANPATH=$D/usr/local/share/man MANWIDTH=80 man "$sec" "${p%.*}" 2>/dev/null | grep -q "^NAME"
	result $? "man $sec ${p%.*} from the installed pages"
done
(cd / && PYTHONPATH=$D/usr/local/lib/$PYV/dist-packages /usr/bin/python3 -c '
import sys, vexfs
sys.exit(not vexfs.__file__.startswith(sys.argv[1]))' "$D/")
result $? "python3 imports the installed package"
echo "# vtest: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
