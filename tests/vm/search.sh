#!/bin/bash
# VEXFS_IOC_SEARCH on VexFS: seeded random vectors of every stored form
# (float32 none / f16 / sq8 / sq4 / sparse / pq, float16, int8, int16,
# binary) on a few hundred files in nested directories; for every form and
# metric the kernel's results equal vexctl --reference (the same core in
# userspace: ids, inodes, distance bits), float32 ids equal numpy's brute
# force; batches, k > n, model and compression filters, --like, file scope,
# permissions (a 0600 file of root, searched as nobody), detach and unlink,
# the bad-input table (exact errnos), a remount, a batch of wide queries
# (768 dims: several blocks of the kernel's pass); fsck clean at the end.
# The driver is tests/vm/search.py (python3 + numpy).
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
W=/tmp/search
PY=/usr/bin/python3
S=$T/tests/vm/search.py

umask 022
load_vexfs
ok "mkfs" "$MKFS" -q "$DEV"
mkdir -p $M
ok "mount" mount -t vexfs "$DEV" $M
ok "python3 with numpy" $PY -c 'import numpy'
rm -rf $W
V=$PY
vtest "$S" setup+check+bad+secret+root $M "$VEXCTL" $W
V=setpriv
vtest --reuid=65534 --regid=65534 --clear-groups $PY "$S" user $M "$VEXCTL" $W
V=$PY
vtest "$S" gone+save $M "$VEXCTL" $W
ok "umount" umount $M
ok "fsck clean after the searches" fsck_clean "$DEV"
ok "mount again" mount -t vexfs "$DEV" $M
vtest "$S" same+wide $M "$VEXCTL" $W
ok "umount" umount $M
ok "fsck clean" fsck_clean "$DEV"
unload_vexfs
finish
