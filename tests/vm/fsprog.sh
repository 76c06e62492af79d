#!/bin/bash
# fsprog.sh PROGRAM [ARGS...]: format /dev/vda, mount it at /mnt/vexfs, run a
# test program from build/user/vm/ (ARGS may use @M@ for the mount point),
# remount and fsck. The program's own "# vtest:" line is counted by check.sh.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
prog=$1
shift
args=()
for a in "$@"; do args+=("${a//@M@/$M}"); done
load_vexfs
ok "mkfs" "$MKFS" -q "$DEV"
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
