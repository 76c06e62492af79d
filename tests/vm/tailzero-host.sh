#!/bin/bash
# Host driver (review defect #12): truncate-down zeroes the tail of the new
# last block in the page cache; that write must reach the disk before the
# transaction with the new size commits. The VM is killed after the journal
# committed the truncate but long before writeback would have written the
# page (30 s); the next boot extends the file and reads the tail.
# Usage: tests/vm/tailzero-host.sh KVER
set -uo pipefail
cd "$(dirname "$0")/../.."
k=$1
out=$PWD/build/logs/tailzero-$k
rm -rf "$out"; mkdir -p "$out"
disk=$out/disk.img
truncate -s 256M "$disk"
scripts/vm-run.sh -k "$k" -D "$disk" -o "$out/a" -x 12 -t 300 -- bash tests/vm/tailzero-a.sh \
	> "$out/a.log" 2>&1 || { echo "not ok - tailzero workload VM failed"; echo "# vm-test: 0 passed, 1 failed"; exit 1; }
scripts/vm-run.sh -k "$k" -D "$disk" -o "$out/b" -t 300 -- bash tests/vm/tailzero-b.sh \
	> "$out/b.log" 2>&1
rc=$?
grep -E "^(not )?ok|^# |# vm-test" "$out/b/console.log"
rm -f "$disk"
[ $rc = 0 ] || { echo "# vm-test: 0 passed, 1 failed"; exit 1; }
