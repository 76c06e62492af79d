#!/bin/bash
# Guest half 1 of the crash test: format, mount, run the workload until the
# host kills the VM (scripts/vm-run.sh -x).
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
load_vexfs
"$MKFS" -q "$DEV" || exit 1
mkdir -p $M && mount -t vexfs "$DEV" $M || exit 1
: > "$VEXFS_OUT/fsynced.list"
python3 tests/vm/crash_workload.py run $M "$VEXFS_OUT/fsynced.list"
