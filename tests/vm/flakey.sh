#!/bin/bash
# I/O errors and lost writes in the middle of transactions (issue 13), with
# dm-flakey: a workload writes files with vectors and fsyncs them on a
# linear device-mapper target whose table is switched under it to flakey
# error_writes (every write fails: the journal aborts, the filesystem must
# stop cleanly, never oops or hang) or drop_writes (writes are lost: what a
# power cut at that moment leaves). Then the device is mounted again: the
# journal replays, every file whose fsync returned before the switch is
# intact with its vectors, and fsck.vexfs -n is clean. A kernel splat fails
# the run (vm-run.sh).
#   flakey.sh [ROUNDS]    (delays of 1, 2, ... seconds before the switch)
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
W=/tmp/flakey
ROUNDS=${1:-2}
export DM_DISABLE_UDEV=1

load_vexfs
modprobe -d "$VEXFS_KROOT" -S "$VEXFS_KVER" dm_flakey
mkdir -p $M $W
SZ=$(blockdev --getsz $DEV)
ok "dm-flakey target" sh -c 'dmsetup targets | grep -q flakey'

# the workload: files of 20-200 KiB with a vector each, fsync'd; "path sha
# vector-sha" to $1 after each fsync returned; stops at the first error
cat > $W/work.py <<'PY'
import hashlib, os, random, struct, sys
m, log = sys.argv[1], sys.argv[2]
rng = random.Random(int(sys.argv[3]))
out = open(log, "a", buffering=1)
i = 0
while True:
    p = os.path.join(m, "d%d" % (i % 3), "f%04d" % i)
    try:
        os.makedirs(os.path.dirname(p), exist_ok=True)
        data = rng.randbytes(rng.randrange(20000, 200000))
        fd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)
        os.write(fd, data)
        v = struct.pack("<IHHIIQQ16sIIQ", 0x31415856, 1, 0, 16, 64, 1, 1,
                        b"flakey".ljust(16, b"\0"), 1, 0, 0) + struct.pack("<16f", *range(i, i + 16))
        os.setxattr(p, "user.vexfs.vec.00000", v)
        os.fsync(fd)
        os.close(fd)
    except OSError as ex:
        print("workload stopped at %s: %s" % (p, ex), flush=True)
        break
    out.write("%s %s %s\n" % (p, hashlib.sha256(data).hexdigest(),
                              hashlib.sha256(os.getxattr(p, "user.vexfs.vec.00000")).hexdigest()))
    i += 1
PY
cat > $W/verify.py <<'PY'
import hashlib, os, sys
m, log, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
bad = 0
for line in open(log).read().splitlines()[:n]:
    p, h, vh = line.split()
    p = os.path.join(m, os.path.relpath(p, sys.argv[4]))
    try:
        ok = (hashlib.sha256(open(p, "rb").read()).hexdigest() == h and
              hashlib.sha256(os.getxattr(p, "user.vexfs.vec.00000")).hexdigest() == vh)
    except OSError as ex:
        ok = False
        print("%s: %s" % (p, ex))
    bad += not ok
print("# %d fsync'd files checked, %d bad" % (n, bad))
sys.exit(bad != 0)
PY

for mode in error_writes drop_writes; do
	for r in $(seq "$ROUNDS"); do
		name="$mode, switched after ${r}s"
		echo "VEXFS-FLAKEY $mode $r" > /dev/kmsg
		"$MKFS" -q -f $DEV
		dmsetup create fl --table "0 $SZ linear $DEV 0"
		mount -t vexfs /dev/mapper/fl $M
		rm -f $W/synced
		touch $W/synced
		python3 $W/work.py $M $W/synced "$r" > $W/work.out 2>&1 &
		wp=$!
		sleep "$r"
		dmsetup suspend --nolockfs fl
		n=$(wc -l < $W/synced)	# fsyncs that returned before the switch
		dmsetup load fl --table "0 $SZ flakey $DEV 0 0 1 1 $mode" && dmsetup resume fl
		if [ $mode = drop_writes ]; then
			sleep 2
			kill $wp 2>/dev/null
		fi
		for _ in $(seq 120); do kill -0 $wp 2>/dev/null || break; sleep 0.5; done
		ok "$name: the workload ended ($n fsyncs before the switch; $(tail -1 $W/work.out))" \
			sh -c "! kill -0 $wp 2>/dev/null"
		if [ $mode = error_writes ]; then
			sync	# a commit: it fails, the journal aborts
			ok "$name: then the filesystem refuses changes (EROFS)" \
				sh -c "! touch $M/after 2>$W/touch.err && grep -q 'Read-only file system' $W/touch.err"
			ok "$name: ... and dmesg says why" \
				sh -c "dmesg | sed -n '/VEXFS-FLAKEY $mode $r\$/,\$p' | grep -q 'journal aborted (-5): no more changes'"
			# every fsync that returned 0, also after the switch: an I/O
			# error must not be lost (those after it finished before it)
			n=$(wc -l < $W/synced)
		fi
		kill -0 $wp 2>/dev/null || wait $wp 2>/dev/null
		ok "$name: umount" umount $M
		ok "$name: remove the flakey device" dmsetup remove fl
		# mount the disk itself: no page cache of the dm device in the way
		ok "$name: mount again (journal replay)" mount -t vexfs $DEV $M
		ok "$name: the $n files whose fsync returned 0 (before the switch) are intact, with their vector" \
			python3 $W/verify.py $M $W/synced "$n" $M
		ok "$name: umount" umount $M
		ok "$name: fsck clean" fsck_clean $DEV
	done
done
unload_vexfs
finish
