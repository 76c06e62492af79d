#!/bin/bash
# Guest half of bench/fs-bench.sh: the same workloads on VexFS (/dev/vda) and
# ext4 (/dev/vdb, same size), alternating, 3 rounds; prints one result line
# per measurement: "RESULT fs test value unit". fio terse v3 fields: 7 read
# KiB/s, 8 read IOPS, 48 write KiB/s, 49 write IOPS.
. "$(dirname "$0")/../tests/vm/lib.sh"
load_vexfs
modprobe -d "$VEXFS_KROOT" -S "$VEXFS_KVER" ext4 2>/dev/null || true
ROUNDS=${ROUNDS:-3}
mkdir -p /mnt/vexfs /mnt/ext4
fmt() {
	umount /mnt/vexfs /mnt/ext4 2>/dev/null
	"$MKFS" -q -f /dev/vda && mount -t vexfs /dev/vda /mnt/vexfs || exit 1
	mkfs.ext4 -q -F /dev/vdb && mount -t ext4 /dev/vdb /mnt/ext4 || exit 1
}
fio_run() {	# fio_run FS DIR
	local fs=$1 dir=$2 bw
	bw=$(fio --name=seqwrite --directory="$dir" --rw=write --bs=1M --size=1G \
		--ioengine=psync --direct=0 --end_fsync=1 --output-format=terse --minimal | cut -d';' -f48)
	echo "RESULT $fs seq-write-1M $((bw / 1024)) MiB/s"
	sync; echo 3 > /proc/sys/vm/drop_caches
	bw=$(fio --name=seqwrite --directory="$dir" --rw=read --bs=1M --size=1G \
		--ioengine=psync --direct=0 --output-format=terse --minimal | cut -d';' -f7)
	echo "RESULT $fs seq-read-1M $((bw / 1024)) MiB/s"
	rm -f "$dir"/seqwrite*
}
rand_run() {	# rand_run FS DIR: 4 KiB random O_DIRECT reads and overwrites, fsync-heavy writes
	local fs=$1 dir=$2 v
	fio --name=prep --directory="$dir" --filename=rand.dat --rw=write --bs=1M --size=256M \
		--ioengine=psync --end_fsync=1 --output-format=terse --minimal >/dev/null
	sync; echo 3 > /proc/sys/vm/drop_caches
	v=$(fio --name=rr --directory="$dir" --filename=rand.dat --rw=randread --bs=4k --size=256M \
		--ioengine=psync --direct=1 --time_based --runtime=15 --randseed=1 \
		--output-format=terse --minimal | cut -d';' -f8)
	echo "RESULT $fs rand-read-4k $v IOPS"
	v=$(fio --name=rw --directory="$dir" --filename=rand.dat --rw=randwrite --bs=4k --size=256M \
		--ioengine=psync --direct=1 --time_based --runtime=15 --randseed=2 \
		--output-format=terse --minimal | cut -d';' -f49)
	echo "RESULT $fs rand-write-4k $v IOPS"
	# SQLite-style: 4 KiB writes to a 64 MiB file, fsync after each
	v=$(fio --name=fs --directory="$dir" --filename=sync.dat --rw=randwrite --bs=4k --size=64M \
		--ioengine=psync --fsync=1 --time_based --runtime=15 --randseed=3 \
		--output-format=terse --minimal | cut -d';' -f49)
	echo "RESULT $fs fsync-write-4k $v IOPS"
	rm -f "$dir"/rand.dat "$dir"/sync.dat
}
frag_run() {	# frag_run FS DIR: four writers at once, FIEMAP extents per GiB written
	local fs=$1 dir=$2 n=0 f
	fio --name=frag --directory="$dir" --rw=write --bs=64k --size=256M --numjobs=4 \
		--ioengine=psync --end_fsync=1 --output-format=terse --minimal >/dev/null
	for f in "$dir"/frag.*; do
		n=$((n + $(filefrag "$f" | sed -n 's/.*: \([0-9]*\) extents\? found/\1/p')))
	done
	echo "RESULT $fs frag-4-writers $n extents/GiB"
	rm -f "$dir"/frag.*
}
small_run() {	# small_run FS DIR: create/stat/unlink 20000 small files
	local fs=$1 dir=$2
	"$T/build/user/vm/manyfiles" "$dir" 20000 > /tmp/mf.log 2>&1 || { cat /tmp/mf.log; return; }
	sed -n 's/^# phase \(create\|stat\|unlink\) .*(\([0-9]*\) items, \([0-9]*\)\/s)/RESULT '"$fs"' small-\1 \3 files\/s/p' /tmp/mf.log
}
for r in $(seq 1 "$ROUNDS"); do
	fmt
	fio_run vexfs /mnt/vexfs
	fio_run ext4 /mnt/ext4
	small_run vexfs /mnt/vexfs
	small_run ext4 /mnt/ext4
	rand_run vexfs /mnt/vexfs
	rand_run ext4 /mnt/ext4
	frag_run vexfs /mnt/vexfs
	frag_run ext4 /mnt/ext4
done
umount /mnt/vexfs /mnt/ext4
