#!/bin/bash
# Smoke test: the module registers "vexfs", mounts a fresh mkfs.vexfs image,
# basic I/O works, data survives umount/mount and rmmod/insmod.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
mkdir -p $M

ok "module loads" load_vexfs
ok "vexfs registered" grep -qw vexfs /proc/filesystems
ok "mkfs" "$MKFS" -q "$DEV"
ok "mount" mount -t vexfs "$DEV" $M
ok "write a file" sh -c "echo hello-vexfs > $M/hello"
ok "mkdir" mkdir $M/dir
ok "file in subdir" sh -c "seq 1 10000 > $M/dir/numbers"
ok "read back" grep -qx hello-vexfs $M/hello
ok "umount" umount $M
ok "mount again" mount -t vexfs "$DEV" $M
ok "persisted" grep -qx hello-vexfs $M/hello
ok "persisted in subdir" sh -c "[ \$(wc -l < $M/dir/numbers) = 10000 ]"
ok "umount 2" umount $M
ok "rmmod" unload_vexfs
ok "insmod again" load_vexfs
ok "mount after reload" mount -t vexfs "$DEV" $M
ok "persisted after reload" sh -c "[ \$(tail -1 $M/dir/numbers) = 10000 ]"
ok "umount 3" umount $M
if [ -x "$FSCK" ]; then
	ok "fsck clean" fsck_clean "$DEV"
fi
ok "rmmod at end" unload_vexfs
finish
