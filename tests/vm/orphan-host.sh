#!/bin/bash
# Host driver: kill the VM while an unlinked file is open, then check that the
# next mount frees it (orphan list). Usage: tests/vm/orphan-host.sh KVER
set -uo pipefail
cd "$(dirname "$0")/../.."
k=$1
out=$PWD/build/logs/orphan-$k
rm -rf "$out"; mkdir -p "$out"
disk=$out/disk.img
truncate -s 512M "$disk"
scripts/vm-run.sh -k "$k" -D "$disk" -o "$out/a" -x 2 -t 300 -- bash tests/vm/orphan-a.sh \
	> "$out/a.log" 2>&1 || { echo "not ok - orphan workload VM failed"; echo "# vm-test: 0 passed, 1 failed"; exit 1; }
scripts/vm-run.sh -k "$k" -D "$disk" -o "$out/b" -t 300 -- bash tests/vm/orphan-b.sh "$out/a" \
	> "$out/b.log" 2>&1
rc=$?
grep -E "^(not )?ok|# vm-test" "$out/b/console.log"
rm -f "$disk"
[ $rc = 0 ] || { echo "# vm-test: 0 passed, 1 failed"; exit 1; }
