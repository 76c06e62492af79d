#!/bin/bash
# Guest side of bench/search.sh: one fresh VexFS per configuration
# (N D COMP), then build/user/bench/search_bench prints a table row and
# bench/faiss_search.py FAISS's on the same data.
. tests/vm/lib.sh
load_vexfs
M=/mnt/vexfs
mkdir -p $M
for cfg in $SEARCH_BENCH_CFGS; do
	IFS=: read -r n d comp <<< "$cfg"
	"$MKFS" -q -f /dev/vda || exit 1
	mount -t vexfs /dev/vda $M || exit 1
	echo "# config n=$n d=$d comp=$comp"
	SEARCH_BENCH_DUMP=/tmp/sb "$B/bench/search_bench" $M "$n" "$d" "$comp" 1000 |
		sed 's/^/RESULT /'
	# FAISS on the same vectors and queries, in the same guest
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/faiss_search.py \
		/tmp/sb "$comp" | sed 's/^/RESULT /'
	rm -f /tmp/sb.x.npy /tmp/sb.q.npy
	umount $M
done
echo "# vm-bench: done"
