#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run fstests on VexFS in the QEMU guest (started by tests/fstests/host.sh).
#
#   bash tests/fstests/run.sh FSTESTS_TREE LIST|-g GROUP [-x LIST]
#
# FSTESTS_TREE: the tree scripts/fstests-build.sh built (read-only here; it is
# unpacked from FSTESTS_TREE.tar into /tmp because ./check writes into itself). LIST: a file of test
# names (tests/fstests/ci-6.12.list) or a test's name (generic/131);
# -g GROUP: an fstests group (quick, auto);
# -x LIST: tests to leave out. Disks: /dev/vda is TEST_DEV, /dev/vdb
# SCRATCH_DEV (tests/fstests/local.config).
#
# Each test's outcome is judged against tests/fstests/expected:
#   pass                               ok
#   notrun, listed "notrun" there      expected: printed, not counted
#   notrun, not listed                 not ok (a test that should run did not)
#   fail                               not ok ("known" when listed "fail":
#                                      still counted as failed)
# The closing "# vm-test:" line is what scripts/check.sh adds up; results
# (check.log, result.xml, each test's .full/.out.bad) are kept in
# $VEXFS_OUT/results.
. "$(dirname "$0")/../vm/lib.sh"
tree=$1
shift
[ -x "$tree/check" ] || { echo "not ok - no built fstests at $tree"; finish; exit 1; }
args=()
while [ $# -gt 0 ]; do
	case $1 in
	-g) args+=(-g "$2"); shift 2 ;;
	-x) args+=(-E "$T/$2"); shift 2 ;;
	*)
		if [ -f "$T/$1" ]; then
			# shellcheck disable=SC2207
			args+=($(sed 's/#.*//' "$T/$1"))
		elif [[ $1 == */[0-9]* ]]; then
			args+=("$1")	# a test's name
		else
			echo "not ok - no test list $1"; finish; exit 1
		fi
		shift ;;
	esac
done

load_vexfs
# fstests loads dm-flakey, dm-log-writes, loop, ... with a plain modprobe:
# the guest's modules are in the unpacked kernel root, not in the host's /lib
# (kmod's modprobe takes options from MODPROBE_OPTIONS)
[ -n "${VEXFS_KROOT:-}" ] && export MODPROBE_OPTIONS="-d $VEXFS_KROOT"
# mount(8) of an image file needs /dev/loop-control, which a system with udev
# or kmod's static nodes has before loop.ko is loaded; this guest has neither
# (generic/042 failed its mount with EPERM)
modprobe loop 2>/dev/null || true
# the dm "error" target is part of dm-mod, which no dm-* module load has pulled in
# before a test that asks for it alone (generic/441)
modprobe dm_mod 2>/dev/null || true
# mkfs(8) and fsck(8) find mkfs.vexfs and fsck.vexfs on PATH (the patch makes
# fstests stop when either is missing: fsck(8) exits 0 for an unknown type)
export PATH=$B:$PATH
# the guest's loopback interface starts down: locktest (generic/131) and
# others talk over TCP on localhost
ip link set lo up
# no udev in the guest: libdevmapper makes the /dev/mapper nodes itself
export DM_DISABLE_UDEV=1
# the guest's devtmpfs has no /dev/fd (bash's process substitution, fstests' helpers)
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for i in 0:stdin 1:stdout 2:stderr; do [ -e /dev/${i#*:} ] || ln -s /proc/self/fd/${i%%:*} /dev/${i#*:}; done
bash "$T/tests/fstests/users.sh" || { echo "not ok - fstests users"; finish; exit 1; }
rm -rf /tmp/fstests
if [ -f "$tree.tar" ]; then tar -C /tmp -xf "$tree.tar"; else cp -a "$tree" /tmp/fstests; fi
mkdir -p /mnt/test /mnt/scratch
# ./check mounts TEST_DEV before it would format it
"$MKFS" -f -q /dev/vda
res=${VEXFS_OUT:-/tmp}/results
rm -rf "$res"
start=$(date +%s)
(cd /tmp/fstests && HOST_OPTIONS="$T/tests/fstests/local.config" RESULT_BASE="$res" \
	./check -R xunit "${args[@]}")
rc=$?
echo "# fstests: ./check exited $rc after $(( $(date +%s) - start ))s"
ok "fstests ran (result.xml written)" test -s "$res/result.xml"

# one line per test: name, outcome (pass, notrun, fail), fstests' message
/usr/bin/python3 - "$res/result.xml" <<'EOF' >/tmp/fstests-outcomes
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    sys.exit(0)
for tc in root.iter('testcase'):
    out, msg = 'pass', ''
    for c in tc:
        if c.tag == 'skipped':
            out, msg = 'notrun', c.get('message', '')
        elif c.tag in ('failure', 'error'):
            out, msg = 'fail', c.get('message', '')
    print(tc.get('name'), out, tc.get('time', '?'), ' '.join(msg.split()))
EOF
# (no process substitution: the guest has no /dev/fd)
declare -A want why
sed 's/#.*//; /^[[:space:]]*$/d' "$T/tests/fstests/expected" >/tmp/fstests-expected
while read -r name w reason; do
	want[$name]=$w
	why[$name]=$reason
done </tmp/fstests-expected
np=0 nf=0 nn=0 nx=0
while read -r name out secs msg; do
	case $out in
	pass)
		np=$((np + 1))
		ok "$name (${secs}s)" true ;;
	notrun)
		nn=$((nn + 1))
		if [ "${want[$name]:-}" = notrun ]; then
			nx=$((nx + 1))
			echo "# $name: notrun as expected (${why[$name]}): $msg"
		else
			ok "$name ran (fstests: notrun: $msg)" false
		fi ;;
	*)
		nf=$((nf + 1))
		[ "${want[$name]:-}" = fail ] && msg="known: ${why[$name]}; $msg"
		ok "$name (${secs}s): $msg" false
		sed -n '1,15p' "$res"/*/"${name#*/}.out.bad" 2>/dev/null ;;
	esac
done </tmp/fstests-outcomes
echo "# fstests: $((np + nf + nn)) tests: $np passed, $nf failed, $nn notrun ($nx of them expected)"
umount /mnt/test /mnt/scratch 2>/dev/null
ok "fsck clean after the run" fsck_clean /dev/vda
finish
