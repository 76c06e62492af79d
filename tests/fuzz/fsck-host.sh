#!/bin/bash
# Host driver of the fsck campaign: a VM populates the two base images
# (tests/fuzz/populate.sh), then fsck.vexfs built with ASan and UBSan runs on
# VEXFS_FUZZ_FSCK mutants of each (default 1500: 3,000 in all), natively.
# Usage: tests/fuzz/fsck-host.sh KVER. Long campaign, by hand:
#   VEXFS_FUZZ_FSCK=20000 VEXFS_FUZZ_SEED=2 bash tests/fuzz/fsck-host.sh 6.12
set -uo pipefail
cd "$(dirname "$0")/../.."
k=$1
out=$PWD/build/logs/fsckfuzz-$k
rm -rf "$out"; mkdir -p "$out"
truncate -s 32M "$out/base-4k.img"
truncate -s 12M "$out/base-1k.img"
if ! scripts/vm-run.sh -k "$k" -D "$out/base-4k.img" -D "$out/base-1k.img" -o "$out/vm" -t 600 \
	-- bash tests/fuzz/populate.sh > "$out/vm.log" 2>&1; then
	grep -E "^(not )?ok" "$out/vm/console.log"
	echo "not ok - populating the base images failed (see $out)"
	echo "# vm-test: 0 passed, 1 failed"
	exit 1
fi
grep -E "^(not )?ok" "$out/vm/console.log"
asan="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
if ! make -s B=build/asan CFLAGS="$asan" build/asan/fsck.vexfs > "$out/build.log" 2>&1; then
	tail -20 "$out/build.log"
	echo "not ok - building fsck.vexfs with ASan/UBSan"
	echo "# vm-test: 2 passed, 1 failed"
	exit 1
fi
start=$(date +%s)
# one process per base image, side by side (the machine's two cores; nothing
# else runs meanwhile); each prints its own "# vtest:" line
n=${VEXFS_FUZZ_FSCK:-1500}
# the 1 KiB image's journal needs recovery: fsck replays it (mkfs/fsck_recover.c)
# before every check, mutated log blocks included
for b in "$out/base-4k.img" "$out/base-1k.img"; do
	python3 tests/fuzz/fsck_fuzz.py --fsck build/asan/fsck.vexfs -n "$n" \
		-s "${VEXFS_FUZZ_SEED:-1}" --keep "$out/failed-$(basename "$b" .img)" "$b" \
		> "$b.log" 2>&1 &
done
rc=0
wait -n || rc=1
wait -n || rc=1
cat "$out/base-4k.img.log" "$out/base-1k.img.log"
echo "# fsck campaign took $(( $(date +%s) - start ))s"
rm -f "$out"/base-*.img "$out"/vm/base-*.img
exit $rc
