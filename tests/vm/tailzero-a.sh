#!/bin/bash
# Tail-zeroing test, guest half 1: 16 KiB of 'A' made durable, then a
# truncate to 100 bytes; the VM dies 12 s later (the journal commits every
# 5 s, writeback waits 30 s for a dirty page).
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
load_vexfs
"$MKFS" -q "$DEV" || exit 1
mkdir -p $M && mount -t vexfs "$DEV" $M || exit 1
python3 -c "import sys; sys.stdout.write('A' * 16384)" > $M/f || exit 1
sync
truncate -s 100 $M/f || exit 1
echo VEXFS-CRASH-ARMED
sleep 600
