#!/bin/bash
# Guest half of the fuzz base images: two small populated VexFS images on
# /dev/vda (4 KiB blocks, unmounted cleanly) and /dev/vdb (1 KiB blocks, left
# with a journal that needs recovery), holding every kind of metadata: nested
# and big (split) directories, hard links, fast and slow symlinks, device
# nodes and fifos, files with single/double indirect blocks and holes, xattr
# blocks, vectors of every stored form (f32, f16, int8, int16, binary, SQ8,
# SQ4, sparse, PQ), a PQ codebook and a graph ANN index with live, dead and
# free nodes. File data is the 16-byte pattern
# "VEXFS-FUZZ-DATA\n", so that the host can tell data blocks from metadata.
. "$(dirname "$0")/../vm/lib.sh"
M=/mnt/vexfs
load_vexfs
mkdir -p $M
pattern() {	# pattern FILE BYTES
	python3 -c "import sys; sys.stdout.buffer.write((b'VEXFS-FUZZ-DATA\n' * ($2 // 16 + 1))[:$2])" > "$1"
}
fill() {	# fill DEV: the tree
	mkdir -p $M/a/b/c $M/big $M/v
	pattern $M/a/small 100
	pattern $M/a/b/mid 60000
	pattern $M/a/b/c/large 600000
	python3 -c "
f = open('$M/a/sparse', 'wb'); f.seek(9 << 20); f.write(b'VEXFS-FUZZ-DATA\n' * 8)"
	for i in $(seq 300); do : > $M/big/file-with-a-longer-name-$i; done
	ln $M/a/small $M/a/b/hard
	ln -s small $M/a/fast
	ln -s "$(python3 -c "print('x' * 300)")" $M/a/slow
	mknod $M/a/null c 1 3
	mkfifo $M/a/fifo
	setfattr -n user.one -v 1 $M/a/small
	setfattr -n user.two -v "$(python3 -c "print('y' * 900)")" $M/a/small
	setfattr -n trusted.t -v 3 $M/a/b/mid
	python3 - "$M" <<'PY'
import json, random, sys
m = sys.argv[1]
r = random.Random(7)
json.dump([[r.uniform(-1, 1) for _ in range(64)] for _ in range(300)], open("/tmp/train.json", "w"))
json.dump([[r.uniform(-1, 1) for _ in range(64)] for _ in range(3)], open("/tmp/v3.json", "w"))
json.dump([[r.choice([0, 0, 0, r.uniform(-1, 1)]) for _ in range(64)] for _ in range(3)], open("/tmp/sp3.json", "w"))
json.dump([[r.randint(-100, 100) for _ in range(64)] for _ in range(3)], open("/tmp/i3.json", "w"))
PY
	"$VEXCTL" train $M --vectors /tmp/train.json -m 8 --iters 4 > /dev/null
	for c in none f16 sq8 sq4 pq; do
		pattern $M/v/$c 50
		"$VEXCTL" attach $M/v/$c --vector /tmp/v3.json --compress $c -m fuzz > /dev/null
	done
	pattern $M/v/sparse 50
	"$VEXCTL" attach $M/v/sparse --vector /tmp/sp3.json --compress sparse > /dev/null
	for t in f16 i8 i16 bin; do
		pattern $M/v/t-$t 50
		"$VEXCTL" attach $M/v/t-$t --vector /tmp/i3.json --dtype $t > /dev/null
	done
	rm $M/big/file-with-a-longer-name-1[0-9]	# holes in the buckets
	# the graph ANN index over the f32 "fuzz" vectors, with live, dead
	# (tombstone) and free (reclaimed) nodes: rounds of attach and detach
	"$VEXCTL" index create $M --dims 64 --model fuzz --degree 8 --ef-construction 16 \
		> /dev/null || return 1
	pattern $M/v/churn 50
	for i in 1 2 3 4 5 6; do
		"$VEXCTL" attach $M/v/churn --vector /tmp/v3.json -m fuzz > /dev/null || return 1
		"$VEXCTL" detach $M/v/churn $("$VEXCTL" list $M/v/churn | head -2) || return 1
	done
}
"$MKFS" -q -f -J 4 /dev/vda 8192 || exit 1
mount -t vexfs /dev/vda $M && fill && umount $M || exit 1
ok "base image 4k: populated, fsck clean" fsck_clean /dev/vda
"$MKFS" -q -f -b 1024 -J 1 /dev/vdb 12288 || exit 1
mount -t vexfs /dev/vdb $M && fill && umount $M || exit 1
ok "base image 1k: populated, fsck clean" fsck_clean /dev/vdb
mount -t vexfs /dev/vdb $M || exit 1
pattern $M/a/after-sync 3000
mv $M/a/b/mid $M/a/moved
setfattr -n user.late -v 4 $M/a/moved
sync
python3 -c "
import fcntl, os, struct
fd = os.open('$M', os.O_RDONLY)
fcntl.ioctl(fd, 0x8004587d, struct.pack('I', 2))"	# shut down without a checkpoint
umount $M
ok "base image 1k: its journal needs recovery" test "$(python3 $T/tests/vm/vximg.py /dev/vdb get jsb start)" != 0
finish
