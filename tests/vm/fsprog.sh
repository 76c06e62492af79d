#!/bin/bash
# fsprog.sh [-b BLOCKSIZE] PROGRAM [ARGS...]: format /dev/vda (with that
# block size), mount it at /mnt/vexfs, run a test program from build/user/vm/
# (ARGS may use @M@ for the mount point), remount and fsck. The program's own
# "# vtest:" line is counted by check.sh.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
mkfs_opts=()
if [ "${1:-}" = -b ]; then
	mkfs_opts=(-b "$2")
	shift 2
fi
prog=$1
shift
args=()
for a in "$@"; do args+=("${a//@M@/$M}"); done
load_vexfs
ok "mkfs ${mkfs_opts[*]}" "$MKFS" -q "${mkfs_opts[@]}" "$DEV"
mkdir -p $M
ok "mount" mount -t vexfs "$DEV" $M
cd /tmp || exit 1
start=$(date +%s)
"$T/build/user/vm/$prog" "${args[@]}"
rc=$?
echo "# $prog took $(( $(date +%s) - start ))s"
ok "$prog exit status" test $rc = 0
cd "$T" || exit 1
ok "umount" umount $M
ok "fsck clean after $prog" fsck_clean "$DEV"
ok "mount again" mount -t vexfs "$DEV" $M
ok "umount again" umount $M
ok "rmmod" unload_vexfs
finish
