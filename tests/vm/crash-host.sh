#!/bin/bash
# Host side of the crash test for kernel $1: run the workload, kill the VM
# without unmounting after a few seconds, boot again and verify.
# Usage: tests/vm/crash-host.sh KVER [ROUNDS]
# CRASH_KIND=vectors runs the vector attach workload (tests/vm/vcrash-host.sh).
set -uo pipefail
cd "$(dirname "$0")/../.."
k=$1 rounds=${2:-2}
kind=${CRASH_KIND:-files}
if [ "$kind" = vectors ]; then
	workload=tests/vm/vcrash-workload.sh verify=tests/vm/vcrash-verify.sh
else
	workload=tests/vm/crash-workload.sh verify=tests/vm/crash-verify.sh
fi
out=build/logs/crash-$kind-$k
rm -rf "$out"; mkdir -p "$out"
pass=0 fail=0
for r in $(seq 1 "$rounds"); do
	disk=$out/disk.img
	rm -f "$disk"; truncate -s 2G "$disk"
	delay=$((4 + r * 3))
	scripts/vm-run.sh -k "$k" -D "$disk" -o "$out/run$r-a" -x "$delay" -t 300 -- \
		bash $workload > "$out/run$r-a.log" 2>&1
	if [ $? != 0 ]; then
		echo "not ok - round $r: workload VM failed (see $out/run$r-a)"; fail=$((fail + 1)); continue
	fi
	n=$(wc -l < "$out/run$r-a/fsynced.list")
	echo "# round $r: killed $delay s after arming, $n $kind acknowledged"
	scripts/vm-run.sh -k "$k" -D "$disk" -o "$out/run$r-b" -t 300 -- \
		bash $verify "$PWD/$out/run$r-a/fsynced.list" > "$out/run$r-b.log" 2>&1
	rc=$?
	grep -E "^(not )?ok" "$out/run$r-b/console.log"
	read -r p f < <(sed -n 's/.*# vm-test: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' \
		"$out/run$r-b/console.log" | tail -1)
	pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
	[ "$rc" != 0 ] && { echo "not ok - round $r: verify VM rc $rc"; fail=$((fail + 1)); }
	rm -f "$disk"
done
echo "# vm-test: $pass passed, $fail failed"
[ "$fail" = 0 ]
