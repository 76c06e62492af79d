#!/bin/bash
# ann-kernel.sh [KERNEL]: the kernel's graph ANN search (SEARCH --approx) vs
# the same core code in guest userspace over the same on-disk index, in one
# QEMU VM (bench/ann_kernel.c says what is timed and compared). Issue 10:
# the same results, and the kernel within 1.5x of userspace.
#   ANN_KERNEL_CFGS="20000:128:32 ..." overrides the configurations (N:D:EF).
set -euo pipefail
cd "$(dirname "$0")/.."
k=${1:-6.12}
cfgs=${ANN_KERNEL_CFGS:-"20000:128:32 20000:128:128 5000:784:64"}
make -s user
make -s KVER="$k" module
out=build/bench-ann-kernel
scripts/vm-run.sh -k "$k" -m 4096 -d 2G -o "$out" -t 7200 -- "
. tests/vm/lib.sh; load_vexfs; mkdir -p /mnt/vexfs
for cfg in $cfgs; do
	IFS=: read -r n d ef <<< \"\$cfg\"
	\"\$MKFS\" -q -f /dev/vda && mount -t vexfs /dev/vda /mnt/vexfs || exit 1
	\"\$B/bench/ann_kernel\" /mnt/vexfs /dev/vda \$n \$d 200 \$ef | sed 's/^/RESULT /'
	umount /mnt/vexfs
done
echo '# vm-bench: done'" >/dev/null
grep -q "vm-bench: done" "$out/console.log" || { tail -30 "$out/console.log"; exit 1; }
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) (guest: QEMU TCG)"
grep -a "RESULT" "$out/console.log" | sed 's/\r//; s/^.*RESULT //'
