#!/bin/bash
# search.sh [KERNEL]: the SEARCH ioctl vs the same core in guest userspace,
# in one QEMU VM (bench/search_bench.c says what is timed). Prints the table
# rows of bench/README.md ("Search"). Under TCG absolute times mean little;
# the ratios are the result.
#   SEARCH_BENCH_CFGS="100000:128:none ..." overrides the configurations
#   (N:D:COMP); the default is the issue's set at reduced N for TCG.
set -euo pipefail
cd "$(dirname "$0")/.."
k=${1:-6.12}
cfgs=${SEARCH_BENCH_CFGS:-"50000:128:none 50000:128:sq8 50000:128:pq 10000:768:none 10000:768:sq8 10000:768:sq4 10000:768:f16 10000:768:pq"}
. scripts/lib.sh
need_pkgs python3-faiss python3-numpy
make -s user
make -s KVER="$k" module
out=build/bench-search
scripts/vm-run.sh -k "$k" -m 6144 -d 4G -o "$out" -t 14400 -- \
	"SEARCH_BENCH_CFGS='$cfgs' bash bench/search-guest.sh" >/dev/null
grep -q "vm-bench: done" "$out/console.log" || { tail -30 "$out/console.log"; exit 1; }
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) (guest: QEMU TCG, AVX2)"
grep -a "RESULT #" "$out/console.log" | sed 's/\r//; s/^.*RESULT //'
echo "| N | d | stored | kernel ms/query | user core ms/query | kernel/user | user bulk f32 ms | kernel batch-64 ms/query | batch speedup |"
echo "|---|---|---|---|---|---|---|---|---|"
grep -a "RESULT |" "$out/console.log" | sed 's/\r//; s/^.*RESULT //'
echo
echo "FAISS in the same guest, same vectors and queries (bench/faiss_search.py):"
echo "| | N | d | stored | FAISS index | ms/query | batch-64 ms/query | batch speedup |"
echo "|---|---|---|---|---|---|---|---|"
grep -a "RESULT FAISS |" "$out/console.log" | sed 's/\r//; s/^.*RESULT /| /'

