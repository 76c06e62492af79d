#!/bin/bash
# Guest half 1 of the vector crash test: format, mount, attach (and fsync)
# vectors until the host kills the VM; acknowledged ones are listed.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
load_vexfs
"$MKFS" -q "$DEV" || exit 1
mkdir -p $M && mount -t vexfs "$DEV" $M || exit 1
# the float32 vectors of 16 dims (of every model) go into the ANN index, in
# the transactions that attach and detach them: fsck checks it after replay
"$VEXCTL" index create $M --dims 16 --range -4:4 --degree 8 --ef-construction 16 \
	> /dev/null || exit 1
"$B/vm/vectors" crashload $M "$VEXFS_OUT/fsynced.list"
