#!/bin/bash
# Orphan test, guest half 2: the next mount frees the orphans.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
OUT=$1
load_vexfs
mkdir -p $M
ok "file was held: space was in use" sh -c "[ \"\$(cut -d' ' -f1 $OUT/during)\" -lt \"\$(cut -d' ' -f1 $OUT/baseline)\" ]"
ok "mount after crash" mount -t vexfs "$DEV" $M
ok "both orphans processed at mount (the unlinked file, the O_TMPFILE)" \
	sh -c "dmesg | grep -q 'processing 2 orphan inode'"
ok "the O_TMPFILE named by linkat kept its data" grep -qx 'named by linkat' $M/named
ok "free blocks and inodes back to baseline" sh -c "[ \"\$(stat -f -c '%f %d' $M)\" = \"\$(cat $OUT/baseline)\" ]"
ok "the held files had 60 vectors" grep -q 'vectors=60 ' "$OUT/vstats"
ok "its vectors were freed with it" sh -c "$B/vm/vectors stats $M | grep -q 'vectors=0 .*alloc_bytes=0 '"
ok "umount" umount $M
ok "fsck clean" fsck_clean "$DEV"
finish
