#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# test_fsck_progress.sh - fsck.vexfs -C (e2fsck's progress option) on a
# filesystem of 1 KiB blocks and 32 groups: "-C 3" writes "PASS CUR MAX
# DEVICE" lines to fd 3, passes 1 to 5 in order, CUR never above MAX,
# every pass ending at CUR = MAX, pass 1 stepping through the groups; the
# normal output and the exit code do not change; "-C 0" draws a bar that
# reaches 100% and is erased before the summary; bad -C arguments are usage
# errors; -h prints the usage and exits 0.
#
# Usage: bash tests/user/test_fsck_progress.sh   (after make user)
set -u
T=$(cd "$(dirname "$0")/../.." && pwd)
B=${VEXFS_BUILD:-$T/build/user}
W=$(mktemp -d "${TMPDIR:-/tmp}/vexfs-progress.XXXXXX")
trap 'rm -rf "$W"' EXIT
N=0 PASS=0 FAIL=0
result() {
	N=$((N + 1))
	if [ "$1" = 0 ]; then PASS=$((PASS + 1)); echo "ok $N - $2"
	else FAIL=$((FAIL + 1)); echo "not ok $N - $2"; fi
}
img=$W/img
truncate -s 256M "$img"
"$B/mkfs.vexfs" -q -b 1024 "$img"
"$B/fsck.vexfs" -n "$img" >"$W/plain.out" 2>&1
rc0=$?
"$B/fsck.vexfs" -n -C 3 "$img" >"$W/c3.out" 2>&1 3>"$W/c3.prog"
rc3=$?
[ $rc0 = 0 ] && [ $rc3 = 0 ] && cmp -s "$W/plain.out" "$W/c3.out"
result $? "-C 3: the same output and exit code as without"
/usr/bin/python3 - "$W/c3.prog" "$img" <<'PY'
import sys
lines = [l.split() for l in open(sys.argv[1])]
ok = all(len(l) == 4 and l[3] == sys.argv[2] for l in lines)
p = [(int(a), int(b), int(c)) for a, b, c, _ in lines]
ok = ok and [x[0] for x in p] == sorted(x[0] for x in p)
ok = ok and all(cur <= mx for _, cur, mx in p)
ends = {ps for ps, cur, mx in p if cur == mx}
ok = ok and ends == {1, 2, 3, 4, 5}
ok = ok and sum(1 for ps, cur, mx in p if ps == 1) >= 2 and max(mx for ps, _, mx in p if ps == 1) == 32
sys.exit(0 if ok else 1)
PY
result $? "-C 3: 'PASS CUR MAX DEVICE' lines, passes 1-5 in order, each ending at MAX, pass 1 over 32 groups"
"$B/fsck.vexfs" -n -C 0 "$img" >"$W/c0.out" 2>&1
rc=$?
grep -q "100.0%" "$W/c0.out" && tail -c +1 "$W/c0.out" | tr '\r' '\n' | tail -1 | grep -q "^$img: 7/" &&
	[ $rc = 0 ]
result $? "-C 0: a bar that reaches 100.0%, erased before the summary line"
"$B/fsck.vexfs" -n -C x "$img" >/dev/null 2>&1
[ $? = 16 ]
result $? "-C x: usage error (16)"
"$B/fsck.vexfs" -h >"$W/h.out" 2>/dev/null
[ $? = 0 ] && grep -q "^  -C  fd" "$W/h.out"
result $? "-h: the usage on stdout, exit 0"
echo "# vtest: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
