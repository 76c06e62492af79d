#!/bin/bash
# Syscall and ioctl fuzzing on a stock kernel (guest): tests/fuzz/sysfuzz.c
# on a fresh filesystem on /dev/vda: refused ioctls change nothing, a storm
# of random calls from PROCS processes, fsck, then a storm cut by a shutdown,
# replay and fsck, for each shutdown mode. The debug-kernel run (KASAN, lockdep, kmemleak) is in
# tests/kunit/fs-debug.sh. Usage: sysfuzz.sh [REFUSE_CALLS] [PROCS] [CALLS] [SEED]
. "$(dirname "$0")/../vm/lib.sh"
R=${1:-2000}; P=${2:-4}; N=${3:-5000}; S=${4:-1}
SF=$B/fuzz/sysfuzz
load_vexfs
M=/mnt/sf
mkdir -p $M
ok "mkfs" "$MKFS" -q -f /dev/vda
ok "mount" mount -t vexfs /dev/vda $M
mkdir -p $M/r $M/s
"$SF" refuse $M/r "$R" "$S"
start=$(date +%s)
"$SF" storm $M/s "$P" "$N" "$S"
echo "# storm: $((P * N)) calls in $(( $(date +%s) - start ))s"
ok "no error recorded during the storm" test "$(cat /sys/fs/vexfs/vda/errors)" = 0
dmesg | grep -E 'vexfs.*error' | head -5
ok "umount after the storm" umount $M
ok "fsck clean after the storm" "$FSCK" -n /dev/vda
# each shutdown mode (FULLSYNC, METASYNC, NOLOGFLUSH) cuts a storm
for m in 0 1 2; do
	ok "mount again" mount -t vexfs /dev/vda $M
	"$SF" shutdown $M/s "$P" $((S * 3 + m))
	ok "umount after shutdown mode $m" umount $M
	ok "mount replays the journal" mount -t vexfs /dev/vda $M
	ok "umount" umount $M
	ok "fsck clean after shutdown mode $m" "$FSCK" -n /dev/vda
done
finish
