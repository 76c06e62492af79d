#!/bin/bash
# Parent pointers (RO_COMPAT_PARENT): the subtree scope of SEARCH and
# INO_PATHS through links, renames, exchange, unlink and many hard links,
# file handles, permissions (tests/vm/parent.py); fsck finds a damaged
# pointer and -y rebuilds it; an image made with -O ^parent refuses the
# subtree scope (EOPNOTSUPP) until fsck.vexfs -y -O parent adds them.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
W=/tmp/parent
PY=/usr/bin/python3
S=$T/tests/vm/parent.py
IMG="$PY $T/tests/vm/vximg.py"

umask 022
load_vexfs
mkdir -p $M
rm -rf $W
mkdir -p $W
chmod 1777 $W
ok "mkfs" "$MKFS" -q "$DEV"
ok "mkfs sets the parent pointer feature" \
	test "$($IMG "$DEV" get sb feature_ro_compat)" = 1
ok "mount" mount -t vexfs "$DEV" $M
V=$PY
vtest "$S" tree $M "$VEXCTL" $W
V=setpriv
vtest --reuid=65534 --regid=65534 --clear-groups $PY "$S" user $M "$VEXCTL" $W
ok "umount" umount $M
ok "fsck clean: every entry has its pointer and back" fsck_clean "$DEV"

ino() { $PY -c "import json,sys; print(json.load(open('$W/inos.json'))$1)"; }
f5=$(ino '["inos"]["f5"]')
many=$(ino '["many"]')
# a pointer naming the wrong directory, one cleared, and a link-count xattr lost
$IMG "$DEV" inode "$f5" parent 1
$IMG "$DEV" inode "$many" parent 0
$IMG "$DEV" inode "$many" parent_hash 0
# and the inline pointer of a file of 401 links (their pairs do not fit: fsck folds them)
keep=$(ino '["keep"]')
$IMG "$DEV" inode "$keep" parent 0
"$FSCK" -n "$DEV" >$W/fsck.out 2>&1
rc=$?
ok "fsck -n finds damaged parent pointers (exit 4)" \
	sh -c "[ $rc = 4 ] && grep -q 'inode $f5: parent pointers' $W/fsck.out && grep -q 'inode $many: parent pointers' $W/fsck.out && grep -q 'inode $keep: parent pointers' $W/fsck.out"
"$FSCK" -y "$DEV" >$W/fsck.out 2>&1
rc=$?
ok "fsck -y rebuilds them (exit 1)" test $rc = 1
ok "fsck clean after the rebuild" fsck_clean "$DEV"
ok "mount" mount -t vexfs "$DEV" $M
V=$PY
vtest "$S" after $M "$VEXCTL" $W
ok "umount" umount $M

# an image without parent pointers, then upgraded by fsck
ok "mkfs -O ^parent" "$MKFS" -q -f -O ^parent "$DEV"
ok "no feature bit" test "$($IMG "$DEV" get sb feature_ro_compat)" = 0
ok "mount the old format" mount -t vexfs "$DEV" $M
ok "mount says there are no parent pointers" sh -c 'dmesg | tail -5 | grep -q "no parent pointers"'
mkdir -p $M/t/u $M/t2
echo g1 >$M/t/u/g1
ln $M/t/u/g1 $M/t2/h1
$PY -c "import numpy as np; np.save('$W/g.npy', np.ones(8, dtype=np.float32))"
ok "attach on the old format" "$VEXCTL" attach $M/t/u/g1 --vector $W/g.npy
"$VEXCTL" search $M/t --vector $W/g.npy >$W/old.out 2>&1
rc=$?
ok "subtree search without parent pointers: EOPNOTSUPP explained" \
	sh -c "[ $rc = 1 ] && grep -q 'EOPNOTSUPP.*fsck.vexfs -y -O parent' $W/old.out"
ok "root search still works" "$VEXCTL" search $M --vector $W/g.npy
ok "umount" umount $M
ok "fsck clean (old format)" fsck_clean "$DEV"
ok "fsck -y -O parent adds them" sh -c "'$FSCK' -y -O parent '$DEV' | grep -q 'parent pointers added to'"
ok "the feature bit is set" test "$($IMG "$DEV" get sb feature_ro_compat)" = 1
ok "fsck clean after the upgrade" fsck_clean "$DEV"
ok "mount the upgraded image" mount -t vexfs "$DEV" $M
vtest "$S" old $M "$VEXCTL" $W
ok "umount" umount $M
ok "fsck clean at the end" fsck_clean "$DEV"
unload_vexfs
finish
