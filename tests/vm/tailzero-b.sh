#!/bin/bash
# Tail-zeroing test, guest half 2: after the replay the file has its new
# size, and extending it shows zeros past the old end, not the old bytes.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
load_vexfs
mkdir -p $M
ok "mount after crash" mount -t vexfs "$DEV" $M
ok "the truncate was committed before the crash (size 100)" test "$(stat -c %s $M/f)" = 100
ok "extend to 16 KiB" truncate -s 16384 $M/f
r=$(python3 -c "
d = open('$M/f', 'rb').read()
print(len(d), d[:100] == b'A' * 100, d[100:].count(b'A'), d[100:].count(0))")
echo "# tailzero: size, head intact, old bytes past 100, zeros past 100: $r"
ok "bytes 0..99 are the old data, 100..16383 are zeros" test "$r" = "16384 True 0 16284"
ok "umount" umount $M
ok "fsck clean" fsck_clean "$DEV"
finish
