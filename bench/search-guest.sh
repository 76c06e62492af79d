#!/bin/bash
# Guest side of bench/search.sh: one fresh VexFS per configuration
# (N D COMP), then build/user/bench/search_bench prints a table row.
. tests/vm/lib.sh
load_vexfs
M=/mnt/vexfs
mkdir -p $M
for cfg in $SEARCH_BENCH_CFGS; do
	IFS=: read -r n d comp <<< "$cfg"
	"$MKFS" -q -f /dev/vda || exit 1
	mount -t vexfs /dev/vda $M || exit 1
	echo "# config n=$n d=$d comp=$comp"
	"$B/bench/search_bench" $M "$n" "$d" "$comp" 1000 | sed 's/^/RESULT /'
	umount $M
done
echo "# vm-bench: done"
