#!/bin/bash
# search-native.sh: the kernel's search loop (the same core code, groups of
# 256 records, one multi-query call per record; bench/search_bench.c
# --native) on the host CPU, single queries against batches of 64, beside
# Debian's FAISS on the same vectors and queries in the same run, and the
# batch again with the AVX2 kernels only (SEARCH_BENCH_IMPL=avx2). Prints the
# rows of bench/README.md ("Batches, natively").
#   SEARCH_NATIVE_CFGS="N:D:COMP ..." overrides the configurations; the
#   default is the issue's sizes (1,000,000 x 128 and 100,000 x 768).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_pkgs python3-faiss python3-numpy
cfgs=${SEARCH_NATIVE_CFGS:-"1000000:128:none 1000000:128:sq8 1000000:128:pq 100000:768:none 100000:768:f16 100000:768:sq8 100000:768:sq4 100000:768:pq"}
make -s user
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
for cfg in $cfgs; do
	IFS=: read -r n d comp <<< "$cfg"
	v=$(SEARCH_BENCH_DUMP="$tmp/x" build/user/bench/search_bench --native "$n" "$d" "$comp")
	# the same without AVX-512 (what QEMU guests and older CPUs run): its batch column
	a=$(SEARCH_BENCH_IMPL=avx2 build/user/bench/search_bench --native "$n" "$d" "$comp" |
		grep '^|' | cut -d'|' -f6,7)
	f=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/faiss_search.py \
		"$tmp/x" "$comp")
	# v: "| N | d | comp | ms | batch ms | speedup |"; f: "FAISS | N | d | comp | index | ..."
	if [ -z "${impl:-}" ]; then
		impl=$(grep '^#' <<< "$v")
		echo "$impl (VexFS; FAISS: Debian python3-faiss, one thread)"
		echo "| N | d | stored | VexFS ms/query | VexFS batch-64 ms/query | VexFS batch speedup | AVX2 only: batch-64 ms/query | AVX2 only: batch speedup | FAISS index | FAISS ms/query | FAISS batch-64 ms/query | FAISS batch speedup |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	fi
	echo "$(grep '^|' <<< "$v") ${a# } | $(echo "$f" | cut -d'|' -f5-)" | sed 's/| |/|/g'
	rm -f "$tmp"/x.*
done
