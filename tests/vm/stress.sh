#!/bin/bash
# stress-ng filesystem stressors on VexFS for a bounded time, then fsck.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
SECS=${1:-60}
load_vexfs
ok "mkfs" "$MKFS" -q "$DEV"
mkdir -p $M
ok "mount" mount -t vexfs "$DEV" $M
mkdir -p $M/stress
ok "stress-ng filesystem stressors ${SECS}s" stress-ng --temp-path $M/stress \
	--dir 2 --dentry 2 --link 2 --symlink 2 --rename 2 --hdd 2 --hdd-bytes 32M \
	--fallocate 1 --fallocate-bytes 16M --chmod 1 --utime 1 --xattr 1 --filename 1 \
	--mmap 1 --mmap-bytes 16M --mmap-file --seek 1 --seek-size 16M --lockf 1 \
	--timeout "${SECS}s" --metrics-brief --verify
ok "remove stress tree" rm -rf $M/stress
ok "umount" umount $M
ok "fsck clean" fsck_clean "$DEV"
ok "rmmod" unload_vexfs
finish
