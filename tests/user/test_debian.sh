#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# test_debian.sh - the Debian packaging (debian/): "dpkg-buildpackage -b
# -us -uc" on a copy of the tree builds vexfs-dkms, vexfs-tools and
# python3-vexfs; lintian reports no error on them; each unpacks into a scratch
# root with its files where expected (tools in /usr/sbin, manual pages,
# the header, the module's source with dkms.conf in /usr/src, the Python
# module in /usr/lib/python3/dist-packages); the unpacked tools run and the
# unpacked module imports; the versions of the changelog, dkms.conf and
# the Python package agree. (tests/vm/dkms-host.sh builds the module with
# DKMS and loads it.)
#
# Usage: bash tests/user/test_debian.sh   (from the repository top)
set -u
T=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/vexfs-deb.XXXXXX")
trap 'rm -rf "$W"' EXIT
N=0 PASS=0 FAIL=0
result() {
	N=$((N + 1))
	if [ "$1" = 0 ]; then PASS=$((PASS + 1)); echo "ok $N - $2"
	else FAIL=$((FAIL + 1)); echo "not ok $N - $2"; fi
}
ver=$(cd "$T" && dpkg-parsechangelog -SVersion)
dkv=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$T/dkms.conf")
pyv=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$T/python/vexfs/__init__.py")
ppv=$(sed -n 's/^version = "\(.*\)"/\1/p' "$T/python/pyproject.toml")
[ "$ver" = "$dkv" ] && [ "$ver" = "$pyv" ] && [ "$ver" = "$ppv" ]
result $? "one version: changelog $ver, dkms.conf $dkv, vexfs.__version__ $pyv, pyproject $ppv"

mkdir -p "$W/src"
(cd "$T" && git ls-files -co --exclude-standard | grep -v '^build/' | tar -cf - -T -) |
	tar -C "$W/src" -xf -
(cd "$W/src" && dpkg-buildpackage -b -us -uc) >"$W/build.log" 2>&1
rc=$?
[ $rc = 0 ] || tail -30 "$W/build.log" | sed 's/^/#   /'
result $rc "dpkg-buildpackage -b -us -uc"
for p in vexfs-dkms vexfs-tools python3-vexfs; do
	ls "$W"/${p}_"$ver"_*.deb >/dev/null 2>&1
	result $? "it produced $p"
done
lintian --fail-on error --suppress-tags initial-upload-closes-no-bugs \
	"$W"/*.deb >"$W/lintian.log" 2>&1
rc=$?
sed 's/^/#   lintian: /' "$W/lintian.log" | head -20
result $rc "lintian: no error"
R=$W/root
for d in "$W"/*.deb; do dpkg-deb -x "$d" "$R"; done
bad=0
for f in usr/sbin/mkfs.vexfs usr/sbin/fsck.vexfs usr/sbin/vexctl usr/include/vexfs/vexfs_ioctl.h \
	usr/share/man/man5/vexfs.5.gz usr/share/man/man8/vexctl.8.gz usr/share/man/man8/mkfs.vexfs.8.gz \
	usr/share/man/man8/fsck.vexfs.8.gz "usr/src/vexfs-$ver/dkms.conf" "usr/src/vexfs-$ver/Kbuild" \
	"usr/src/vexfs-$ver/src/super.c" "usr/src/vexfs-$ver/include/vexfs/vexfs_fs.h" \
	usr/lib/python3/dist-packages/vexfs/__init__.py usr/lib/python3/dist-packages/vexfs/abi.py; do
	[ -e "$R/$f" ] || { echo "#   missing: /$f"; bad=1; }
done
result $bad "the packages' files land where expected"
dpkg-deb -I "$W"/python3-vexfs_*.deb | grep -q "Depends:.*python3-numpy"
result $? "python3-vexfs depends on python3-numpy"
dpkg-deb -I "$W"/vexfs-dkms_*.deb postinst | grep -q dkms
result $? "vexfs-dkms's postinst runs dkms"
"$R/usr/sbin/vexctl" --version >/dev/null && "$R/usr/sbin/mkfs.vexfs" -V >/dev/null
result $? "the unpacked tools run"
truncate -s 32M "$W/img"
"$R/usr/sbin/mkfs.vexfs" -q "$W/img" && "$R/usr/sbin/fsck.vexfs" -n "$W/img" >/dev/null
result $? "the unpacked mkfs.vexfs and fsck.vexfs make and check an image"
(cd / && PYTHONPATH=$R/usr/lib/python3/dist-packages /usr/bin/python3 -c \
	'import sys, vexfs; sys.exit(not vexfs.__file__.startswith(sys.argv[1]))' "$R/")
result $? "the unpacked Python module imports"
echo "# vtest: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
