#!/bin/bash
# scope.sh [KERNEL] [N] [D] [NFILES]: a directory-scoped SEARCH against the
# whole-filesystem search of the same vectors, in one QEMU VM
# (bench/scope_bench.c says what is timed). Prints the table of
# bench/README.md ("Directory scope"). Default: 20000 x 128 on 10,000 files.
set -euo pipefail
cd "$(dirname "$0")/.."
k=${1:-6.12}
n=${2:-20000}
d=${3:-128}
nf=${4:-10000}
make -s user
make -s KVER="$k" module
out=build/bench-scope
scripts/vm-run.sh -k "$k" -d 2G -o "$out" -t 3600 -- \
	". tests/vm/lib.sh; load_vexfs; mkdir -p /mnt/vexfs; \"\$MKFS\" -q -f /dev/vda &&
	 mount -t vexfs /dev/vda /mnt/vexfs && \"\$B/bench/scope_bench\" /mnt/vexfs $n $d $nf |
	 sed 's/^/RESULT /'; echo '# vm-bench: done'" >/dev/null
grep -q "vm-bench: done" "$out/console.log" || { tail -30 "$out/console.log"; exit 1; }
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) (guest: QEMU TCG, AVX2)"
grep -a "RESULT #" "$out/console.log" | sed 's/\r//; s/^.*RESULT //'
echo "| scope | files in it | ms/query | vs whole |"
echo "|---|---|---|---|"
grep -a "RESULT |" "$out/console.log" | sed 's/\r//; s/^.*RESULT //'
