#!/bin/bash
# Guest half 2 of the crash test: mount (journal replay), fsck must be clean,
# every file fsync'd before the kill must be intact.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
LIST=$1
load_vexfs
mkdir -p $M
ok "mount after crash (journal replay)" mount -t vexfs "$DEV" $M
ok "umount after replay" umount $M
ok "fsck -n clean after replay" fsck_clean "$DEV"
ok "mount again" mount -t vexfs "$DEV" $M
ok "acknowledged list is non-empty" test -s "$LIST"
python3 tests/vm/crash_workload.py verify $M "$LIST"
rc=$?
ok "fsync'd files verified" test $rc = 0
ok "delete everything" rm -rf $M/w0 $M/w1 $M/w2
ok "umount" umount $M
ok "fsck -n clean after cleanup" fsck_clean "$DEV"
finish
