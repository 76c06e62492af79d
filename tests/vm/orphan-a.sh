#!/bin/bash
# Orphan test, guest half 1: an unlinked file is held open when the VM dies.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
load_vexfs
"$MKFS" -q "$DEV" || exit 1
mkdir -p $M && mount -t vexfs "$DEV" $M || exit 1
sync
stat -f -c '%f %d' $M > "$VEXFS_OUT/baseline"
exec 7>$M/held
dd if=/dev/zero bs=1M count=64 >&7 2>/dev/null
sync
rm $M/held
sync			# the unlink (and the orphan list entry) are committed
stat -f -c '%f %d' $M > "$VEXFS_OUT/during"
echo VEXFS-CRASH-ARMED
sleep 600
