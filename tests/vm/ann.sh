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
vtest "$S" build $M "$VEXCTL" $W
vtest "$S" query $M "$VEXCTL" $W
vtest "$S" bad $M "$VEXCTL" $W
vtest "$S" change $M "$VEXCTL" $W
vtest "$S" churn $M "$VEXCTL" $W
V=setpriv
vtest --reuid=65534 --regid=65534 --clear-groups $PY "$S" user $M "$VEXCTL" $W
V=$PY
vtest "$S" save $M "$VEXCTL" $W
ok "umount" umount $M
ok "fsck clean with the index" fsck_clean "$DEV"
ok "mount again" mount -t vexfs "$DEV" $M
vtest "$S" same $M "$VEXCTL" $W
vtest "$S" drop $M "$VEXCTL" $W
ok "umount" umount $M
ok "fsck clean after drop and create" fsck_clean "$DEV"
# concurrency on a fresh filesystem: attach, detach, approximate search,
# unlink, index drop and create at once (VEXFS_ANNRACE_SECS, 5 by default)
ok "mkfs" "$MKFS" -q -f "$DEV"
ok "mount" mount -t vexfs "$DEV" $M
V=$B/vm/annrace
vtest $M/race "${VEXFS_ANNRACE_SECS:-5}"
ok "umount" umount $M
ok "fsck clean after the race" fsck_clean "$DEV"
unload_vexfs
finish
