#!/bin/bash
# Guest half of bench/import-bench.sh: ROWS x DIMS float32 rows (seeded
# normal) as one .npy in tmpfs, paths d%03d/f%06d (1000 directories, in
# row order, so that the export equals the .npy byte for byte);
#  - ext4 (/dev/vdb): cp of the .npy + sync (the file the user already has);
#  - VexFS (/dev/vda): vexctl import creating every file + sync;
#  - VexFS: vexctl import into files that exist (attach only) + sync;
#  - VexFS: vexctl export (caches dropped) vs cat of the .npy from ext4.
# Prints "RESULT fs test seconds" lines; ROUNDS rounds alternating.
. "$(dirname "$0")/../tests/vm/lib.sh"
ROWS=${1:-100000}
DIMS=${2:-768}
ROUNDS=${ROUNDS:-3}
load_vexfs
modprobe -d "$VEXFS_KROOT" -S "$VEXFS_KVER" ext4 2>/dev/null || true
mkdir -p /mnt/vexfs /mnt/ext4
echo "# guest CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)," \
	"flags: $(grep -m1 -o -w -e avx2 -e avx512f /proc/cpuinfo | sort -u | tr '\n' ' ')"
python3 -c "import numpy as np
x = np.random.default_rng(1).standard_normal(($ROWS, $DIMS), dtype=np.float32)
np.save('/tmp/x.npy', x)
with open('/tmp/x.paths', 'w') as f:
    f.writelines('d%03d/f%06d\n' % (i * 1000 // $ROWS, i) for i in range($ROWS))"
echo "# $(stat -c %s /tmp/x.npy) bytes of .npy, $ROWS rows x $DIMS"
t() { local s e; s=$(date +%s.%N); "$@" >/tmp/t.out 2>&1 || { cat /tmp/t.out; exit 1; }
	e=$(date +%s.%N); echo "$e - $s" | bc; }
fresh() {
	umount /mnt/vexfs /mnt/ext4 2>/dev/null
	"$MKFS" -q -f /dev/vda && mount -t vexfs /dev/vda /mnt/vexfs || exit 1
	mkfs.ext4 -q -F /dev/vdb && mount -t ext4 /dev/vdb /mnt/ext4 || exit 1
}
for r in $(seq 1 "$ROUNDS"); do
	fresh
	echo "RESULT ext4 write-npy $(t sh -c 'cp /tmp/x.npy /mnt/ext4/x.npy && sync')"
	echo "RESULT vexfs import-create $(t sh -c "'$VEXCTL' import -q /mnt/vexfs -v /tmp/x.npy -p /tmp/x.paths && sync")"
	sync; echo 3 >/proc/sys/vm/drop_caches
	echo "RESULT ext4 read-npy $(t sh -c 'cat /mnt/ext4/x.npy >/dev/null')"
	echo "RESULT vexfs export $(t "$VEXCTL" export /mnt/vexfs --out /tmp/e.npy --paths /tmp/e.paths)"
	cmp -s /tmp/e.npy /tmp/x.npy || echo "# export differs from the imported rows"
	rm -f /tmp/e.npy /tmp/e.paths
	umount /mnt/vexfs
	"$MKFS" -q -f /dev/vda && mount -t vexfs /dev/vda /mnt/vexfs || exit 1
	(cd /mnt/vexfs && mkdir $(seq -f 'd%03g' 0 999) && xargs touch </tmp/x.paths) || exit 1
	sync
	echo "RESULT vexfs import-attach $(t sh -c "'$VEXCTL' import -q --no-create /mnt/vexfs -v /tmp/x.npy -p /tmp/x.paths && sync")"
done
umount /mnt/vexfs /mnt/ext4
