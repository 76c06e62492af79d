#!/bin/bash
# The demo, run inside a VM (or directly on a host that can load modules):
# format a disk, mount it, use it, check it.
. "$(dirname "$0")/lib.sh"
DEV=${1:-/dev/vda}
M=/mnt/vexfs
set -e
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

load_vexfs
dmesg | grep -E 'vexfs: vector kernels' | tail -1 || true
run "$MKFS" -f -L demo "$DEV"
mkdir -p $M
run mount -t vexfs "$DEV" $M
run mkdir -p $M/docs/papers
say "write 200 files and a 64 MiB file"
for i in $(seq 1 200); do echo "document $i" > $M/docs/papers/doc-$i.txt; done
dd if=/dev/urandom of=$M/docs/blob.bin bs=1M count=64 status=none
sha=$(sha256sum < $M/docs/blob.bin)
run ln -s papers/doc-1.txt $M/docs/first
run setfattr -n user.topic -v "vector search" $M/docs/papers/doc-1.txt
run getfattr -d $M/docs/papers/doc-1.txt
say "embeddings: 3 vectors of 8 float32 dimensions in emb.npy, attached to doc-1.txt"
python3 - <<'PY'
import struct
rows = [[(i + 1) * 0.125 * (j + 1) for j in range(8)] for i in range(3)]
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 8), }"
hdr += ' ' * (63 - (10 + len(hdr)) % 64) + '\n'
with open('/tmp/emb.npy', 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode())
    for r in rows:
        f.write(struct.pack('<8f', *r))
PY
run "$VEXCTL" attach $M/docs/papers/doc-1.txt --vector /tmp/emb.npy --model demo-model
run "$VEXCTL" list $M/docs/papers/doc-1.txt
first=$("$VEXCTL" list $M/docs/papers/doc-1.txt | head -1)
run "$VEXCTL" get $M/docs/papers/doc-1.txt "$first"
run "$VEXCTL" stats $M
run ls -la $M/docs
run df -h $M
run cat /sys/fs/vexfs/$(basename "$DEV")/free_blocks
run umount $M
run "$FSCK" -n "$DEV"
run mount -t vexfs "$DEV" $M
say "after remount: content and checksum intact"
cat $M/docs/first
run "$VEXCTL" list $M/docs/papers/doc-1.txt --json
[ "$(sha256sum < $M/docs/blob.bin)" = "$sha" ] && echo "64 MiB file: sha256 matches"
say "search on real data: Fashion-MNIST, one image file per training image"
python3 tests/vm/demo_fmnist.py $M "$VEXCTL" "${VEXFS_OUT:-/tmp}" "${VEXFS_DEMO_IMAGES:-60000}"
q=$(ls $M/fmnist/coat | head -1)
run "$VEXCTL" search $M/fmnist --fs --like $M/fmnist/coat/$q -k 5
run "$VEXCTL" stats $M
run umount $M
run "$FSCK" -n "$DEV"
unload_vexfs
echo
echo "VexFS demo finished."
