#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host driver: build fstests (once, cached) and run it on VexFS in a VM.
#
#   tests/fstests/host.sh KVER [RUN-ARGS...]
#
# RUN-ARGS go to tests/fstests/run.sh in the guest; default: the bounded CI
# list of that kernel, tests/fstests/ci-KVER.list. The full quick group on one kernel:
#   VEXFS_FSTESTS_TIMEOUT=14400 bash tests/fstests/host.sh 6.12 -g quick
# TEST_DEV and SCRATCH_DEV are fresh sparse disks of VEXFS_FSTESTS_DISK (2G).
# Logs and fstests' results: build/logs/fstests-KVER/.
set -uo pipefail
cd "$(dirname "$0")/../.."
k=$1
shift
[ $# -gt 0 ] || set -- tests/fstests/ci-$k.list
out=$PWD/build/logs/fstests-$k
rm -rf "$out"
mkdir -p "$out"
if ! tree=$(bash scripts/fstests-build.sh 2>"$out/build.log"); then
	tail -20 "$out/build.log"
	echo "not ok - fstests build"
	echo "# vm-test: 0 passed, 1 failed"
	exit 1
fi
disk=${VEXFS_FSTESTS_DISK:-2G}
scripts/vm-run.sh -k "$k" -d "$disk" -d "$disk" -m 2048 -o "$out/vm" -t "${VEXFS_FSTESTS_TIMEOUT:-1500}" -- \
	bash tests/fstests/run.sh "$tree" "$@" >"$out/host.log" 2>&1
rc=$?
rm -f "$out"/vm/disk*.img
grep -E "^(not )?ok|^# " "$out/vm/console.log"
if [ $rc != 0 ]; then
	echo "# fstests VM: rc $rc (see $out)"
	sed -n '/kernel splat/,+40p' "$out/host.log" | head -42
	grep -q "# vm-test:" "$out/vm/console.log" || echo "# vm-test: 0 passed, 1 failed"
	exit 1
fi
