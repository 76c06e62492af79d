#!/bin/bash
# Mount options, read-only mounts, remount, freeze, shutdown ioctl, sysfs,
# mkfs refusals and rejection of corrupted images (with a dmesg line, no oops).
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
DEV2=/dev/vdb
M=/mnt/vexfs
mkdir -p $M
load_vexfs
ok "mkfs" "$MKFS" -q "$DEV"

# --- mount options -------------------------------------------------------
ok "mount errors=remount-ro" mount -t vexfs -o errors=remount-ro "$DEV" $M
ok "errors= shown in /proc/mounts" grep -q "$M vexfs rw.*errors=remount-ro" /proc/mounts
expect_fail "unknown mount option refused" mount -o remount,bogus=1 $M
ok "sysfs directory" test -d /sys/fs/vexfs/vda
ok "sysfs free_blocks matches statfs" sh -c \
	"[ \$(cat /sys/fs/vexfs/vda/free_blocks) = \$(stat -f -c %f $M) ]"
ok "sysfs state rw" grep -qx rw /sys/fs/vexfs/vda/state
ok "write a file" sh -c "echo data > $M/f"
expect_fail "mkfs refuses a mounted device" "$MKFS" -q -f "$DEV"
ok "remount read-only" mount -o remount,ro $M
expect_fail "write on ro mount fails" sh -c "echo x > $M/g"
ok "EROFS reported" sh -c "touch $M/g 2>&1 | grep -q 'Read-only file system'"
ok "remount read-write" mount -o remount,rw $M
ok "write after rw remount" sh -c "echo more >> $M/f"
ok "fsfreeze" fsfreeze -f $M
ok "fsfreeze unfreeze" fsfreeze -u $M
ok "umount" umount $M
ok "fsck clean" fsck_clean "$DEV"
ok "mount -o ro" mount -t vexfs -o ro "$DEV" $M
ok "read on ro mount" grep -q data $M/f
ok "umount ro" umount $M

# --- shutdown ioctl (fstests number _IOR('X', 125, __u32)) ---------------
ok "mount for shutdown" mount -t vexfs "$DEV" $M
ok "write before shutdown" sh -c "echo before > $M/s && sync"
ioctl_errno() {	# ioctl_errno ARG-EXPR [UID]: errno name of the shutdown ioctl, or OK
	python3 -c "
import errno, fcntl, os, struct
fd = os.open('$M', os.O_RDONLY)
if '${2:-}':
    os.setuid(int('${2:-0}'))
try:
    fcntl.ioctl(fd, 0x8004587d, $1)
    print('OK')
except OSError as e:
    print(errno.errorcode[e.errno])"
}
ok "shutdown: unknown flag -> EINVAL" test "$(ioctl_errno "struct.pack('I', 7)")" = EINVAL
ok "shutdown: NULL argument -> EFAULT" test "$(ioctl_errno 0)" = EFAULT
ok "shutdown: unprivileged -> EPERM" test "$(ioctl_errno "struct.pack('I', 1)" 65534)" = EPERM
ok "refused shutdowns changed nothing" grep -qx rw /sys/fs/vexfs/vda/state
ok "still writable after refused shutdowns" sh -c "echo still > $M/s2"
ok "shutdown ioctl" python3 -c "
import fcntl, os, struct
fd = os.open('$M', os.O_RDONLY)
fcntl.ioctl(fd, 0x8004587d, struct.pack('I', 1))"
expect_fail "writes fail after shutdown" sh -c "echo after > $M/t"
ok "sysfs state shutdown" grep -qx shutdown /sys/fs/vexfs/vda/state
ok "umount after shutdown" umount $M
ok "mount after shutdown (replay)" mount -t vexfs "$DEV" $M
ok "data synced before shutdown survives" grep -q before $M/s
ok "umount" umount $M
ok "fsck clean after shutdown" fsck_clean "$DEV"

# --- mkfs refusals -------------------------------------------------------
ok "mkfs.ext4 on the second disk" mkfs.ext4 -q -F "$DEV2"
expect_fail "mkfs.vexfs refuses an ext4 device" "$MKFS" -q "$DEV2"
ok "mkfs.vexfs -f overwrites ext4" "$MKFS" -q -f "$DEV2"
ok "blkid no longer sees ext4" sh -c "! blkid -p $DEV2 | grep -q ext4"
expect_fail "mkfs.vexfs refuses an existing VexFS" "$MKFS" -q "$DEV2"

# --- corrupted images are refused cleanly ---------------------------------
corrupt() {	# corrupt OFFSET BYTES: overwrite bytes of the device
	printf "$2" | dd of="$DEV2" bs=1 seek="$1" conv=notrunc status=none
}
"$MKFS" -q -f "$DEV2"
corrupt 0 'XXXX'
expect_fail "bad magic refused" mount -t vexfs "$DEV2" $M
ok "dmesg names the device and the problem" sh -c "dmesg | tail -5 | grep -q 'vexfs (vdb): not a VexFS filesystem'"
"$MKFS" -q -f "$DEV2"
corrupt 40 '\377\377\377\377\377\377\377\377'
expect_fail "bad superblock checksum refused" mount -t vexfs "$DEV2" $M
ok "dmesg says checksum" sh -c "dmesg | tail -5 | grep -q 'checksum mismatch'"
"$MKFS" -q -f "$DEV2"
corrupt 4120 '\001\002\003'		# first group descriptor's bitmap pointer
expect_fail "bad group descriptor refused" mount -t vexfs "$DEV2" $M
ok "dmesg says group descriptor" sh -c "dmesg | tail -5 | grep -q 'group descriptor 0'"
# --- runtime corruption: errors=remount-ro -------------------------------
"$MKFS" -q -f "$DEV2"
mount -t vexfs "$DEV2" $M && touch $M/a $M/b && umount $M
bucket=$(python3 - "$DEV2" <<'PY'
import struct, sys
f = open(sys.argv[1], "rb")
sb = f.read(1024)
bs = 1 << struct.unpack_from("<I", sb, 8)[0]
gdt = struct.unpack_from("<Q", sb, 64)[0]
f.seek(gdt * bs)
itable = struct.unpack_from("<Q", f.read(64), 16)[0]
f.seek(itable * bs)                     # root is inode 1: first slot
root = f.read(256)
print(struct.unpack_from("<Q", root, 120 + 8)[0] * bs)   # i_block[1]: bucket 0
PY
)
corrupt $((bucket + 40)) 'garbage!'
ok "mount a filesystem with a corrupt directory" mount -t vexfs -o errors=remount-ro "$DEV2" $M
expect_fail "reading the corrupt directory fails" ls $M
ok "EUCLEAN reported" sh -c "ls $M 2>&1 | grep -q 'Structure needs cleaning'"
ok "dmesg names the corruption" sh -c "dmesg | tail -5 | grep -q 'vexfs (vdb): error.*corrupt metadata: directory 1 bucket 0'"
ok "errors=remount-ro made the mount read-only" sh -c "grep '$M' /proc/mounts | grep -q ' ro,'"
ok "umount" umount $M
expect_fail "fsck -n reports the corruption" "$FSCK" -n "$DEV2"
ok "rmmod" unload_vexfs
finish
