#!/bin/bash
# Regression tests of review defects: failure paths of eviction and truncate,
# truncate vs page_mkwrite, link counts from disk, sync_fs cache flushes, the
# journal's bounds, the superblock across replay, crafted orphan lists, ioctl
# argument sizes. Each section names the defect. Usage: safety.sh [SECTION...]
# (default: all). A splat in the console fails the run whatever this says.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
DEV2=/dev/vdb
M=/mnt/vexfs
IMG="python3 $T/tests/vm/vximg.py"
mkdir -p $M
load_vexfs

shutdown_fs() {	# shutdown_fs FLAGS: the shutdown ioctl on $M
	python3 -c "
import fcntl, os, struct
fd = os.open('$M', os.O_RDONLY)
fcntl.ioctl(fd, 0x8004587d, struct.pack('I', $1))"
}

dmesg_has() {	# dmesg_has REGEX: in the kernel log since the section began
	dmesg | sed -n "/VEXFS-SAFETY $SECTION/,\$p" | grep -qE "$1"
}

begin() {
	SECTION=$1
	echo "VEXFS-SAFETY $SECTION" > /dev/kmsg
	echo "# --- $SECTION"
}

# #3: an unlinked inode whose truncate turns the filesystem read-only must
# leave the in-memory orphan list before it is freed (put_super WARNs about
# a non-empty list: before the fix the freed inode stayed linked on it).
t_evict_ro() {
	begin evict_ro
	"$MKFS" -q -f "$DEV"
	mount -t vexfs "$DEV" $M
	dd if=/dev/urandom of=$M/f bs=4k count=64 status=none
	local ino
	ino=$(stat -c %i $M/f)
	umount $M
	local ind bs
	ind=$($IMG "$DEV" get inode "$ino" ind)
	bs=$((1 << $($IMG "$DEV" get sb block_bits)))
	ok "evict_ro: the file has an indirect block" test "$ind" -gt 0
	printf 'garbage!' | dd of="$DEV" bs=1 seek=$((ind * bs + 100)) conv=notrunc status=none
	ok "evict_ro: mount errors=remount-ro" mount -t vexfs -o errors=remount-ro "$DEV" $M
	sleep 1000 3<$M/f &
	local pid=$!
	sleep 0.5
	ok "evict_ro: unlink the open file" rm $M/f
	sync			# the orphan list on disk names it
	kill $pid
	wait $pid 2>/dev/null
	ok "evict_ro: the truncate found the corruption" dmesg_has "indirect block $ind fails its checksum"
	ok "evict_ro: and made the mount read-only" sh -c "grep '$M' /proc/mounts | grep -q ' ro,'"
	ok "evict_ro: umount" umount $M
	ok "evict_ro: no inode left on the orphan list" sh -c "! dmesg | sed -n '/VEXFS-SAFETY evict_ro/,\$p' | grep -q 'left on the in-memory orphan list'"
	ok "evict_ro: the orphan is still on disk" test "$($IMG "$DEV" get sb orphan_head)" = "$ino"
}

ALL="evict_ro"
for s in ${@:-$ALL}; do
	"t_$s"
done
ok "rmmod" unload_vexfs
finish
