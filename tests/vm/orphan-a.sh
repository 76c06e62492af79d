#!/bin/bash
# Orphan test, guest half 1: an unlinked file is held open when the VM dies.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
load_vexfs
"$MKFS" -q "$DEV" || exit 1
mkdir -p $M && mount -t vexfs "$DEV" $M || exit 1
# The vector table keeps its blocks once written (ids are never reused):
# write its first block before the baseline.
python3 -c "import json; print(json.dumps([[i + j / 512 for j in range(512)] for i in range(50)]))" > /tmp/v50.json
touch $M/warm && "$VEXCTL" attach $M/warm --vector /tmp/v50.json > /dev/null && rm $M/warm || exit 1
sync
stat -f -c '%f %d' $M > "$VEXFS_OUT/baseline"
exec 7>$M/held
dd if=/dev/zero bs=1M count=64 >&7 2>/dev/null
# and 50 vectors of 512 float32 on it: they must go with the orphan
"$VEXCTL" attach $M/held --vector /tmp/v50.json > /dev/null || exit 1
"$B/vm/vectors" stats $M > "$VEXFS_OUT/vstats"
sync
rm $M/held
sync			# the unlink (and the orphan list entry) are committed
stat -f -c '%f %d' $M > "$VEXFS_OUT/during"
echo VEXFS-CRASH-ARMED
sleep 600
