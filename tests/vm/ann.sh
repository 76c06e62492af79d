#!/bin/bash
# The graph ANN index on VexFS (VEXFS_IOC_INDEX, SEARCH --approx): built
# over clustered float32 vectors (some SQ8), kept up to date by ATTACH,
# DETACH, unlink and replace, refused to users and to bad input, answering
# with recall against exact search, surviving a remount, checked by fsck,
# dropped and created again. The driver is tests/vm/ann.py (python3 + numpy).
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
W=/tmp/ann
PY=/usr/bin/python3
S=$T/tests/vm/ann.py

umask 022
load_vexfs
ok "mkfs" "$MKFS" -q "$DEV"
mkdir -p $M
ok "mount" mount -t vexfs "$DEV" $M
rm -rf $W
mkdir -p $W
chmod 0777 $W
V=$PY
vtest "$S" build+query+bad+change+churn $M "$VEXCTL" $W
# nobody may not read d0..d2 (three tenths of the base vectors): a filter
chmod 600 $M/d[012]/f*
V=setpriv
vtest --reuid=65534 --regid=65534 --clear-groups $PY "$S" user $M "$VEXCTL" $W
V=$PY
vtest "$S" save $M "$VEXCTL" $W
ok "umount" umount $M
ok "fsck clean with the index" fsck_clean "$DEV"
ok "mount again" mount -t vexfs "$DEV" $M
vtest "$S" same+drop+metrics $M "$VEXCTL" $W
ok "umount" umount $M
ok "fsck clean after drop and create, a cosine index" fsck_clean "$DEV"
# a damaged index (a node naming a vector that does not exist, its checksum
# right): fsck -n reports it, -y drops it, the vectors stay, it is made again
IMG="$PY $T/tests/vm/vximg.py"
ok "a node made to name vector 2^31" $IMG "$DEV" annnode 5 vid 0x80000000
"$FSCK" -n "$DEV" > $W/fsck.out 2>&1
rc=$?
sed 's/^/# /' $W/fsck.out | head -8
ok "fsck -n: the node of a missing vector, exit 4" sh -c "[ $rc = 4 ] && grep -q 'its vector 2147483648 does not exist' $W/fsck.out"
"$FSCK" -y "$DEV" > $W/fsck.out 2>&1
rc=$?
ok "fsck -y drops the index, exit 1" sh -c "[ $rc = 1 ] && grep -q 'ANN index dropped' $W/fsck.out"
ok "fsck clean after it" fsck_clean "$DEV"
ok "mount" mount -t vexfs "$DEV" $M
ok "no index after fsck -y" sh -c "'$VEXCTL' index stats $M --json | grep -q '\"state\": \"none\"'"
ok "umount" umount $M
ok "the mount freed its blocks" test "$($IMG "$DEV" get inode 3 blocks)" = 0
ok "mount" mount -t vexfs "$DEV" $M
ok "created again" "$VEXCTL" index create $M --dims 32 --degree 16
ok "umount" umount $M
ok "fsck clean with the new index" fsck_clean "$DEV"
# concurrency on a fresh filesystem: attach, detach, approximate search,
# unlink, index drop and create at once (VEXFS_ANNRACE_SECS, 5 by default)
ok "mkfs" "$MKFS" -q -f "$DEV"
ok "mount" mount -t vexfs "$DEV" $M
V=$B/vm/annrace
vtest $M/race "${VEXFS_ANNRACE_SECS:-5}"
ok "umount" umount $M
ok "fsck clean after the race" fsck_clean "$DEV"
# the kernel's answers are those of the same core in userspace walking the
# same on-disk index (bench/ann_kernel.c; bench/ann-kernel.sh times them)
ok "mkfs" "$MKFS" -q -f "$DEV"
ok "mount" mount -t vexfs "$DEV" $M
ok "SEARCH --approx: the ids of the core in userspace over the on-disk index" \
	sh -c "'$B/bench/ann_kernel' $M $DEV 3000 24 60 32 > $W/annk.out 2>&1"
sed 's/^/# /' $W/annk.out
ok "umount" umount $M
ok "fsck clean after it" fsck_clean "$DEV"
unload_vexfs
finish
