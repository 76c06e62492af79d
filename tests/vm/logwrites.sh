#!/bin/bash
# Crash consistency by replay (issue 13): a seeded workload on a VexFS whose
# device is a dm-log-writes target records every write that reached the
# disk, with a mark after each fsync'd step; the log is then replayed onto
# another disk to flush, FUA and mark points and to points between them, and
# at each one a copy of that disk is mounted (journal replay), checked against
# the last mark's state and fsck'd (tests/vm/logwrites.py).
#   logwrites.sh [POINTS [SEED [STEPS]]]     (CI: 200 points, seed 1, 80 steps)
# Disks: vda data, vdb log, vdc replay target, vdd the copy mounted at each point.
. "$(dirname "$0")/lib.sh"
DATA=/dev/vda
LOG=/dev/vdb
TGT=/dev/vdc
SCRATCH=/dev/vdd
M=/mnt/vexfs
W=/tmp/logwrites
POINTS=${1:-200}
SEED=${2:-1}
STEPS=${3:-80}
export DM_DISABLE_UDEV=1 FSCK VEXCTL
S=$T/tests/vm/logwrites.py

load_vexfs
modprobe -d "$VEXFS_KROOT" -S "$VEXFS_KVER" -a dm_log_writes
mkdir -p $M $W
ok "dm-log-writes target" sh -c 'dmsetup targets | grep -q log-writes'
ok "log-writes device" dmsetup create lw --table "0 $(blockdev --getsz $DATA) log-writes $DATA $LOG"
ok "mkfs on it" "$MKFS" -q /dev/mapper/lw
ok "mark mkfs" dmsetup message lw 0 mark mkfs
ok "mount" mount -t vexfs /dev/mapper/lw $M
V=python3
vtest "$S" work $M lw $W/manifest "$SEED" "$STEPS"
ok "umount" umount $M
ok "fsck clean on the logged device" fsck_clean /dev/mapper/lw
ok "remove the log-writes device" dmsetup remove lw
echo "# log status: $(dd if=$LOG bs=512 count=1 status=none | od -A d -t u8 -j 16 -N 8 | head -1)"
vtest "$S" replay $LOG $TGT $SCRATCH $W/manifest "$POINTS" "$SEED"
unload_vexfs
finish
