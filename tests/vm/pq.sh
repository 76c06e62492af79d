#!/bin/bash
# PQ codebooks on VexFS: CODEBOOK_ADD / GET and PQ attach through the ioctls
# (vectors pq: codes and decoding compared bit for bit with the same core run
# in userspace, the bad-input table, 31 codebooks, the journal size limit),
# fsck with codebooks, everything again after a remount, read-only mounts.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
V=$B/vm/vectors

vtest() {
	local out p f
	out=$("$V" "$@")
	echo "$out"
	p=$(echo "$out" | sed -n 's/^# vtest: \([0-9]*\) passed, \([0-9]*\) failed/\1/p')
	f=$(echo "$out" | sed -n 's/^# vtest: \([0-9]*\) passed, \([0-9]*\) failed/\2/p')
	PASS=$((PASS + ${p:-0}))
	FAIL=$((FAIL + ${f:-1}))
}

load_vexfs
ok "mkfs" "$MKFS" -q "$DEV"
mkdir -p $M
ok "mount" mount -t vexfs "$DEV" $M
vtest pq $M
ok "umount" umount $M
ok "fsck clean with 31 codebooks and PQ vectors" fsck_clean "$DEV"
ok "mount again" mount -t vexfs "$DEV" $M
vtest pqverify $M
ok "umount" umount $M
ok "mount read-only" mount -t vexfs -o ro "$DEV" $M
vtest pqverify $M ro
ok "umount" umount $M
unload_vexfs
finish
