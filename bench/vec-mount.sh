#!/bin/bash
# Mount time of VexFS vs the number of vectors and vs their size, measured in
# a VM (run from the host: bash bench/vec-mount.sh [6.12|6.1]).
# The vector table is read at mount (32 bytes per id); vector data is not:
# the same count of 16x bigger vectors must mount in about the same time.
set -euo pipefail
cd "$(dirname "$0")/.."
k=${1:-6.12}
make -s user
make -s KVER="$k" module
scripts/vm-run.sh -k "$k" -d 8G -o build/logs/bench-vec-mount -t 3000 -- "$(cat <<'GUEST'
. tests/vm/lib.sh
load_vexfs
V=$B/vm/vectors
M=/mnt/vexfs; mkdir -p $M
run() {	# run N DIMS
	"$MKFS" -q -f /dev/vda; mount -t vexfs /dev/vda $M; mkdir $M/d
	t0=$(date +%s.%N); "$V" bulk $M/d "$1" 100 "$2"; t1=$(date +%s.%N)
	bytes=$("$V" stats $M | tr ' ' '\n' | sed -n 's/^live_bytes=//p')
	umount $M; echo 3 > /proc/sys/vm/drop_caches
	t2=$(date +%s.%N); mount -t vexfs /dev/vda $M; t3=$(date +%s.%N)
	n=$("$V" stats $M | tr ' ' '\n' | sed -n 's/^vectors=//p')
	umount $M; echo 3 > /proc/sys/vm/drop_caches
	t4=$(date +%s.%N); mount -t vexfs /dev/vda $M; t5=$(date +%s.%N); umount $M
	printf "| %9s | %5s | %12s | %9.2f | %8.3f | %8.3f |\n" "$n" "$2" "$bytes" \
		"$(echo "$t1 - $t0" | bc)" "$(echo "$t3 - $t2" | bc)" "$(echo "$t5 - $t4" | bc)"
}
echo "| vectors   | dims  | record bytes | attach s  | mount s  | mount s  |"
echo "|-----------|-------|--------------|-----------|----------|----------|"
run 10000 16
run 100000 16
run 100000 256
run 1000000 16
echo "# vm-test: 1 passed, 0 failed"
GUEST
)"
grep '^|' build/logs/bench-vec-mount/console.log
