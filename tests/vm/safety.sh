#!/bin/bash
# Regression tests of review defects: failure paths of eviction and truncate,
# truncate vs page_mkwrite, link counts from disk, sync_fs cache flushes, the
# journal's bounds, the superblock across replay, crafted orphan lists, ioctl
# argument sizes. Each section names the defect. Usage: safety.sh [SECTION...]
# (default: all). A splat in the console fails the run whatever this says.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
DEV2=/dev/vdb
M=/mnt/vexfs
IMG="python3 $T/tests/vm/vximg.py"
mkdir -p $M
load_vexfs

shutdown_fs() {	# shutdown_fs FLAGS: the shutdown ioctl on $M
	python3 -c "
import fcntl, os, struct
fd = os.open('$M', os.O_RDONLY)
fcntl.ioctl(fd, 0x8004587d, struct.pack('I', $1))"
}

dmesg_has() {	# dmesg_has REGEX: in the kernel log since the section began
	dmesg | sed -n "/VEXFS-SAFETY $SECTION/,\$p" | grep -qE "$1"
}
not() { ! "$@"; }

begin() {
	SECTION=$1
	echo "VEXFS-SAFETY $SECTION" > /dev/kmsg
	echo "# --- $SECTION (at ${SECONDS}s)"
}

# #3: an unlinked inode whose truncate turns the filesystem read-only must
# leave the in-memory orphan list before it is freed (put_super WARNs about
# a non-empty list: before the fix the freed inode stayed linked on it).
t_evict_ro() {
	begin evict_ro
	"$MKFS" -q -f "$DEV"
	mount -t vexfs "$DEV" $M
	dd if=/dev/urandom of=$M/f bs=4k count=64 status=none
	local ino
	ino=$(stat -c %i $M/f)
	umount $M
	local ind bs
	ind=$($IMG "$DEV" get inode "$ino" ind)
	bs=$((1 << $($IMG "$DEV" get sb block_bits)))
	ok "evict_ro: the file has an indirect block" test "$ind" -gt 0
	printf 'garbage!' | dd of="$DEV" bs=1 seek=$((ind * bs + 100)) conv=notrunc status=none
	ok "evict_ro: mount errors=remount-ro" mount -t vexfs -o errors=remount-ro "$DEV" $M
	sleep 1000 3<$M/f &
	local pid=$!
	sleep 0.5
	ok "evict_ro: unlink the open file" rm $M/f
	sync			# the orphan list on disk names it
	kill $pid
	wait $pid 2>/dev/null
	ok "evict_ro: the truncate found the corruption" dmesg_has "indirect block $ind fails its checksum"
	ok "evict_ro: and made the mount read-only" sh -c "grep '$M' /proc/mounts | grep -q ' ro,'"
	ok "evict_ro: umount" umount $M
	ok "evict_ro: no inode left on the orphan list" sh -c "! dmesg | sed -n '/VEXFS-SAFETY evict_ro/,\$p' | grep -q 'left on the in-memory orphan list'"
	ok "evict_ro: the orphan is still on disk" test "$($IMG "$DEV" get sb orphan_head)" = "$ino"
}

# #4: a journal restart that fails inside truncate (the journal aborted while
# the restart waited) left handle->h_transaction NULL and truncate used it.
# The restart was made to wait by a freeze that starts during an evicting
# truncate; the shutdown ioctl aborts the journal before the thaw. Since
# eviction takes sb_start_intwrite (freeze fix, #13) the freeze waits for
# the truncate instead and the window is closed: the section then checks
# that the shutdown during an evicting truncate and the replay are clean.
t_restart() {
	begin restart
	"$MKFS" -q -f -b 1024 "$DEV"
	mount -t vexfs "$DEV" $M
	local pid
	fallocate -l 200M $M/big
	sync
	echo 3 > /proc/sys/vm/drop_caches	# the truncate reads its indirect blocks
	sleep 1000 3<$M/big &
	pid=$!
	sleep 0.3
	rm $M/big
	kill $pid
	fsfreeze -f $M
	shutdown_fs 2
	fsfreeze -u $M
	wait $pid 2>/dev/null
	umount $M
	if dmesg_has "truncate stopped, journal restart failed"; then
		echo "# restart: a truncate restart failed after the abort, no oops"
	else
		echo "# restart: window not reached: the freeze waited for the evicting truncate"
	fi
	ok "restart: mount replays and frees the orphan" mount -t vexfs "$DEV" $M
	ok "restart: the file is gone" test ! -e $M/big
	ok "restart: statfs free space back" sh -c "[ \$(stat -f -c %f $M) -gt 200000 ]"
	ok "restart: umount" umount $M
	ok "restart: fsck clean" fsck_clean "$DEV"
}

# #6: truncate held i_map_sem across a journal restart while page_mkwrite
# held a handle and waited for i_map_sem: an ABBA deadlock (the restart
# waits for the commit, the commit for page_mkwrite's handle).
t_mkwrite() {
	begin mkwrite
	# A 2 MiB journal caps a transaction at 512 blocks: truncating 128 MiB
	# of 1 KiB blocks restarts, and a restart waits for the commit.
	"$MKFS" -q -f -b 1024 -J 2 "$DEV"
	mount -t vexfs "$DEV" $M
	python3 - "$M/m" <<'PY' &
import mmap, os, select, sys
path = sys.argv[1]
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
os.posix_fallocate(fd, 0, 128 << 20)
done_r, done_w = os.pipe()
pid = os.fork()
if pid == 0:
    # faults for as long as the truncates run (EOF on the pipe ends it)
    os.close(done_w)
    i = 0
    while not select.select([done_r], [], [], 0)[0]:
        # A page read back without buffers: page_mkwrite maps its blocks
        # with get_block, which takes i_map_sem inside the handle.
        m = mmap.mmap(fd, 4096)
        m[0] = i & 0xff
        m.flush()
        m.close()
        os.posix_fadvise(fd, 0, 4096, os.POSIX_FADV_DONTNEED)
        i += 1
    print("mkwrite: %d faults" % i)
    os._exit(0)
os.close(done_r)
for n in range(2):
    os.ftruncate(fd, 4096)
    os.posix_fallocate(fd, 0, 128 << 20)
os.close(done_w)
os.waitpid(pid, 0)
print("mkwrite-done")
PY
	local pid=$! i
	for i in $(seq 90); do
		kill -0 $pid 2>/dev/null || break
		sleep 1
	done
	if kill -0 $pid 2>/dev/null; then
		ok "mkwrite: truncate vs page_mkwrite finished (deadlock?)" false
		echo w > /proc/sysrq-trigger
		finish
		exit 1
	fi
	ok "mkwrite: truncates and page_mkwrite finished" wait $pid
	ok "mkwrite: umount" umount $M
	ok "mkwrite: fsck clean" fsck_clean "$DEV"
}

# #10: a directory entry naming an inode with no link, a directory with one.
t_links() {
	begin links
	"$MKFS" -q -f "$DEV"
	mount -t vexfs "$DEV" $M
	mkdir -p $M/d/sub
	echo x > $M/f
	local fino dino
	fino=$(stat -c %i $M/f)
	dino=$(stat -c %i $M/d)
	umount $M
	$IMG "$DEV" inode "$fino" links 0
	$IMG "$DEV" inode "$dino" links 1
	ok "links: mount" mount -t vexfs -o errors=continue "$DEV" $M
	ok "links: file with no link: EUCLEAN" sh -c "stat $M/f 2>&1 | grep -q 'Structure needs cleaning'"
	ok "links: dmesg names it" dmesg_has "corrupt metadata: inode $fino has 0 links"
	expect_fail "links: unlink refused" rm -f $M/f
	ok "links: directory with 1 link: EUCLEAN" sh -c "stat $M/d 2>&1 | grep -q 'Structure needs cleaning'"
	ok "links: dmesg names the directory" dmesg_has "corrupt metadata: directory $dino has 1 links"
	expect_fail "links: rmdir below it refused" rmdir $M/d/sub
	expect_fail "links: mkdir below it refused" mkdir $M/d/new
	expect_fail "links: rm -rf refused" rm -rf $M/d
	ok "links: umount" umount $M
	expect_fail "links: fsck -n sees the bad counts" "$FSCK" -n "$DEV"
	"$FSCK" -y "$DEV" >/dev/null
	ok "links: fsck -y repaired" fsck_clean "$DEV"
	ok "links: mount after repair" mount -t vexfs "$DEV" $M
	ok "links: the file reads back" grep -qx x $M/f
	ok "links: rm -rf of the repaired directory" rm -rf $M/d
	ok "links: umount" umount $M
	ok "links: fsck clean" fsck_clean "$DEV"
}

# #11: sync_fs with nothing to commit must still flush the device cache
# (data overwritten in place is written back without a transaction).
t_syncfs() {
	begin syncfs
	local wc flushes
	wc=$(cat /sys/block/vda/queue/write_cache)
	echo "# syncfs: vda write cache: $wc"
	"$MKFS" -q -f "$DEV"
	mount -t vexfs "$DEV" $M
	dd if=/dev/zero of=$M/f bs=64k count=16 status=none
	sync
	dd if=/dev/urandom of=$M/f bs=4k count=4 conv=notrunc status=none
	# commit the running transaction (f's mtime with it) without writing f's
	# data back: fsync of another file (was: 7 s for the periodic commit)
	touch $M/other
	sync $M/other
	flushes() { awk '{print $16}' /sys/block/vda/stat; }
	local before after
	before=$(flushes)
	sync -f $M/f
	after=$(flushes)
	echo "# syncfs: flushes $before -> $after"
	if [ "$wc" = "write back" ]; then
		ok "syncfs: syncfs with nothing to commit flushed the cache" test "$after" -gt "$before"
	else
		echo "# syncfs: no write cache on vda: cannot count flushes"
	fi
	ok "syncfs: umount" umount $M
}

# #8: a jbd2 superblock whose log starts below the journal region (s_first 1:
# commits overwrite the group descriptors) or on its own superblock.
t_jbounds() {
	begin jbounds
	local js first
	"$MKFS" -q -f "$DEV2"
	js=$($IMG "$DEV2" get sb journal_start)
	first=$($IMG "$DEV2" get jsb first)
	ok "jbounds: mkfs's log starts after the journal superblock" test "$first" = $((js + 1))
	$IMG "$DEV2" jsb first 1
	if mount -t vexfs "$DEV2" $M 2>/dev/null; then
		touch $M/a && sync
		umount $M
		ok "jbounds: s_first 1 refused" false
	else
		ok "jbounds: s_first 1 refused" true
	fi
	ok "jbounds: dmesg says why" dmesg_has "journal log \[1, [0-9]+\) is not inside the journal region"
	$IMG "$DEV2" jsb first "$js"
	expect_fail "jbounds: s_first on the journal superblock refused" mount -t vexfs "$DEV2" $M
	$IMG "$DEV2" jsb first $((js + 1))
	ok "jbounds: restored journal mounts" mount -t vexfs "$DEV2" $M
	ok "jbounds: umount" umount $M
	ok "jbounds: fsck clean" fsck_clean "$DEV2"
}

# #2: the superblock replayed from the journal must describe the filesystem
# the mount was set up from.
t_replay() {
	begin replay
	local n
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	echo data > $M/keep
	touch $M/o
	sleep 1000 3<$M/o &
	local pid=$!
	sleep 0.3
	rm $M/o			# the orphan list head: the superblock is logged
	sync
	shutdown_fs 2		# no checkpoint: the logged superblock stays in the journal
	kill $pid
	wait $pid 2>/dev/null
	umount $M
	n=$($IMG "$DEV2" get sb blocks_count)
	$IMG "$DEV2" sb blocks_count $((n - 1))
	expect_fail "replay: changed block count across replay refused" mount -t vexfs "$DEV2" $M
	ok "replay: dmesg says why" dmesg_has "journal replay changed the filesystem's geometry"
	ok "replay: the replayed superblock is the journal's" test "$($IMG "$DEV2" get sb blocks_count)" = "$n"
	ok "replay: mount after replay" mount -t vexfs "$DEV2" $M
	ok "replay: data intact" grep -qx data $M/keep
	ok "replay: umount" umount $M
	ok "replay: fsck clean" fsck_clean "$DEV2"
}

# #13: orphan cleanup must not truncate an inode with links that is not a
# regular file (a fast symlink's i_block holds its target).
t_orphan_symlink() {
	begin orphan_symlink
	local target ino
	target=$(printf 'T%.0s' $(seq 100))
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	ln -s "$target" $M/l
	ino=$(stat -c %i $M/l)
	umount $M
	$IMG "$DEV2" sb orphan_head "$ino"
	ok "orphan_symlink: mount" mount -t vexfs -o errors=continue "$DEV2" $M
	ok "orphan_symlink: target intact" test "$(readlink $M/l)" = "$target"
	ok "orphan_symlink: no block freed from its target" sh -c "! dmesg | sed -n '/VEXFS-SAFETY orphan_symlink/,\$p' | grep -q 'out of range'"
	ok "orphan_symlink: dmesg names it" dmesg_has "inode $ino .*orphan list"
	ok "orphan_symlink: umount" umount $M
	ok "orphan_symlink: orphan list empty" test "$($IMG "$DEV2" get sb orphan_head)" = 0
	"$FSCK" -y "$DEV2" >/dev/null	# clears the recorded error
	ok "orphan_symlink: fsck clean" fsck_clean "$DEV2"
}

# #13: an ioctl argument size above PAGE_SIZE is refused with E2BIG.
t_argsize() {
	begin argsize
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	local r
	r=$(python3 -c "
import errno, fcntl, os, struct
fd = os.open('$M', os.O_RDONLY)
out = []
for size in (8192, 0xffffffff):
    buf = bytearray(8192)
    struct.pack_into('<I', buf, 0, size)
    try:
        fcntl.ioctl(fd, (3 << 30) | (72 << 16) | (0xBA << 8) | 5, buf)
        out.append('OK')
    except OSError as e:
        out.append(errno.errorcode[e.errno])
print(' '.join(out))")
	echo "# argsize: $r"
	ok "argsize: STATS with size 8192 and 4 GiB -> E2BIG" test "$r" = "E2BIG E2BIG"
	ok "argsize: umount" umount $M
}

# #5: on a full filesystem a directory split fails (no block for the new
# bucket) after the entry is in: create used to return ENOSPC and free the
# inode the entry named, link and rename left wrong link counts.
t_dirfull() {
	begin dirfull
	local n bad
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	mkdir $M/d
	touch $M/d/a
	fallocate -l 1G $M/fill 2>/dev/null
	ok "dirfull: the filesystem is full" test "$(stat -f -c %f $M)" = 0
	# one process, not 450 (each failure is ENOSPC, ignored as by touch)
	python3 - "$M/d" <<'PY'
import os, sys
d = sys.argv[1]
for op, n in (("create", 300), ("link", 100), ("rename", 50)):
    for i in range(1, n + 1):
        try:
            if op == "create":
                os.close(os.open("%s/f%d" % (d, i), os.O_CREAT | os.O_WRONLY, 0o644))
            elif op == "link":
                os.link("%s/a" % d, "%s/l%d" % (d, i))
            else:
                os.rename("%s/f%d" % (d, i), "%s/g%d" % (d, i))
        except OSError:
            pass
PY
	# one stat per entry, in one process
	read -r n bad <<<"$(python3 -c '
import os, sys
names = os.listdir(sys.argv[1])
bad = 0
for e in names:
    try:
        os.stat(os.path.join(sys.argv[1], e))
    except OSError:
        bad += 1
print(len(names), bad)' "$M/d")"
	echo "# dirfull: $n entries, $bad unreadable"
	ok "dirfull: every entry names a live inode" test $bad = 0
	ok "dirfull: link count of a = its names" test "$(stat -c %h $M/d/a)" = "$(ls -i $M/d | grep -c "^ *$(stat -c %i $M/d/a) ")"
	ok "dirfull: umount" umount $M
	ok "dirfull: fsck clean" fsck_clean "$DEV2"
}

# #7: the xattr view stored a sparse record above VEXFS_VEC_MAX_DATA (8,000
# non-zero values: 64,004 bytes), after which the next mount refused the
# vector table. One bound now holds for every path that stores a record.
t_xsparse() {
	begin xsparse
	local r
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	touch $M/f
	r=$(python3 -c "
import errno, os, struct
def value(nnz, dims):
    code = struct.pack('<I', nnz) + struct.pack('<%dI' % nnz, *range(nnz)) + \
        struct.pack('<%df' % nnz, *[1.0 + i for i in range(nnz)])
    return struct.pack('<IHHIIQQ16sIIQ', 0x31415856, 1, 5, dims, len(code), 1, 1,
                       b'', 0, 0, 0) + code
out = []
for pos, nnz in ((0, 4000), (1, 8000)):
    try:
        os.setxattr('$M/f', 'user.vexfs.vec.%05d' % pos, value(nnz, 8000))
        out.append('OK')
    except OSError as e:
        out.append(errno.errorcode[e.errno])
print(' '.join(out))")
	echo "# xsparse: $r"
	ok "xsparse: 4,000 values (32,004 B) stored, 8,000 (64,004 B) -> EINVAL" test "$r" = "OK EINVAL"
	ok "xsparse: umount" umount $M
	ok "xsparse: the filesystem mounts again" mount -t vexfs "$DEV2" $M
	ok "xsparse: the stored vector is there" test "$(python3 -c "import os; print(os.listxattr('$M/f'))")" = "['user.vexfs.vec.00000']"
	ok "xsparse: umount again" umount $M
	ok "xsparse: fsck clean" fsck_clean "$DEV2"
}

# #13: ATTACH mapped a new vector-table block before the chunk allocation
# failed with ENOSPC: the failed call changed the free-block count (the VM
# test of vectors compared only STATS). The next id starts a table block here
# and 2 blocks are free, fewer than a 32 KiB record's chunk needs.
attach_py() {	# attach_py FILE COUNT: 8192-d float32 attaches; prints the ids' end
	python3 -c "
import ctypes, errno, fcntl, os, struct, sys
fd = os.open('$1', os.O_RDWR)
bs = os.statvfs('$1').f_bsize
data = ctypes.create_string_buffer(struct.pack('<8192f', *range(8192)))
req = (3 << 30) | (72 << 16) | (0xBA << 8) | 1
n = int('$2')
while True:
    a = bytearray(struct.pack('<IIHHIQII16sIIQQ', 72, 0, 1, 0, 8192,
                              ctypes.addressof(data), 32768, 0, b'', 0, 0, 0, 0))
    try:
        fcntl.ioctl(fd, req, a)
    except OSError as e:
        print(errno.errorcode[e.errno]); break
    vid = struct.unpack_from('<Q', a, 64)[0]
    if n > 0:
        n -= 1
        if not n: print('ONE'); break
    elif (vid + 1) % (bs // 32) == 0:
        print('EDGE'); break
"
}
t_attachfull() {
	begin attachfull
	local r f0 f1
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	touch $M/v
	dd if=/dev/zero of=$M/hole bs=4096 count=2 status=none
	r=$(attach_py $M/v 0)
	ok "attachfull: attached up to the end of a table block" test "$r" = EDGE
	fallocate -l 1G $M/fill 2>/dev/null
	rm $M/hole
	sync
	f0=$(stat -f -c %f $M)
	r=$(attach_py $M/v 1)
	sync
	f1=$(stat -f -c %f $M)
	echo "# attachfull: $r, free blocks $f0 -> $f1"
	ok "attachfull: ATTACH -> ENOSPC" test "$r" = ENOSPC
	ok "attachfull: ... and the free blocks are unchanged" test "$f0" = "$f1"
	ok "attachfull: umount" umount $M
	ok "attachfull: fsck clean" fsck_clean "$DEV2"
}

# #1/#15: one "verified" flag served every metadata type: a block cross-linked
# as an indirect block of one file and as another file's xattr block or a
# directory's bucket was verified as the first and then trusted as the other
# (listxattr read entries out of an indirect block: NULL dereference, KASAN
# out-of-bounds; a bucket's bb_used from block numbers). Each use now
# verifies the block as its own type; fsck reports the block claimed twice.
t_crosslink() {
	begin crosslink
	local a b d ind sum
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	dd if=/dev/urandom of=$M/a bs=4096 count=40 status=none
	touch $M/b && setfattr -n user.x -v 1 $M/b
	mkdir $M/d && touch $M/d/e
	a=$(stat -c %i $M/a); b=$(stat -c %i $M/b); d=$(stat -c %i $M/d)
	sum=$(md5sum < $M/a)
	umount $M
	ind=$($IMG "$DEV2" get inode "$a" ind)
	ok "crosslink: file a has an indirect block" test "$ind" -gt 0
	$IMG "$DEV2" inode "$b" xattr "$ind"
	$IMG "$DEV2" inode "$d" block1 "$ind"
	mount -t vexfs "$DEV2" $M
	ok "crosslink: a reads back (its indirect block verified)" test "$(md5sum < $M/a)" = "$sum"
	ok "crosslink: b's xattrs: the indirect block is not an xattr block -> error" \
		sh -c "! getfattr -d $M/b >/dev/null 2>&1"
	ok "crosslink: setxattr on b fails too" sh -c "! setfattr -n user.y -v 2 $M/b 2>/dev/null"
	ok "crosslink: ... said so in dmesg" dmesg_has "inode $b: xattr block $ind is invalid"
	ok "crosslink: listing d: the indirect block is not a bucket -> error" \
		sh -c "! ls $M/d >/dev/null 2>&1"
	ok "crosslink: ... said so in dmesg" dmesg_has "directory $d bucket 0 fails its checksum"
	ok "crosslink: a is unchanged" test "$(md5sum < $M/a)" = "$sum"
	umount $M
	"$FSCK" -n "$DEV2" > /tmp/crosslink.fsck 2>&1
	ok "crosslink: fsck -n fails and names the shared block" \
		sh -c "grep -q 'block $ind is also used by another inode' /tmp/crosslink.fsck"
}

# #9: a block bitmap (correctly checksummed) marking a group's own metadata
# free made the allocator hand out the inode table; chunks and codebook
# extents were not checked against the bitmap at mount.
t_metabitmap() {
	begin metabitmap
	local -a before
	local after new r
	"$MKFS" -q -f "$DEV2"
	ok "metabitmap: the filesystem has two groups" test "$($IMG "$DEV2" get sb blocks_count)" -gt 40000
	$IMG "$DEV2" bbclear 1 2 3
	mount -t vexfs "$DEV2" $M
	r=0; dd if=/dev/zero of=$M/big bs=1M count=200 status=none 2>/dev/null || r=$?
	ok "metabitmap: writing into group 1 fails" test "$r" != 0
	ok "metabitmap: ... and says the bitmap marks metadata free" \
		dmesg_has "block bitmap of group 1 marks metadata block [0-9]+ free"
	umount $M
	# a vector chunk the block bitmap calls free: the mount refuses it
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	touch $M/f && sync
	umount $M
	local g all=""
	for g in 0 1; do before[$g]=$($IMG "$DEV2" bbits $g); done
	mount -t vexfs "$DEV2" $M
	python3 -c "import json; print(json.dumps([0.5] * 64))" > /tmp/v64.json
	ok "metabitmap: attach" "$VEXCTL" attach $M/f --vector /tmp/v64.json
	umount $M
	for g in 0 1; do
		after=$($IMG "$DEV2" bbits $g)
		tr ' ' '\n' <<<"${before[$g]}" | sort > /tmp/bits.before
		tr ' ' '\n' <<<"$after" | sort > /tmp/bits.after
		new=$(comm -13 /tmp/bits.before /tmp/bits.after | tr '\n' ' ')
		echo "# metabitmap: blocks the attach allocated in group $g: $new"
		[ -n "${new// /}" ] && $IMG "$DEV2" bbclear $g $new && all="$all$new"
	done
	ok "metabitmap: the attach allocated blocks" test -n "${all// /}"
	ok "metabitmap: a mount with the chunk free in the bitmap fails" \
		sh -c "! mount -t vexfs $DEV2 $M 2>/dev/null"
	ok "metabitmap: ... and says so" dmesg_has "vector chunk [0-9]+\+[0-9]+: block [0-9]+ is free in the block bitmap"
}

# #15: readdir passed an invalid on-disk d_type to userspace.
t_dtype() {
	begin dtype
	local d t
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	mkdir $M/d && touch $M/d/e
	d=$(stat -c %i $M/d)
	umount $M
	$IMG "$DEV2" dtype "$d" e 8
	mount -t vexfs "$DEV2" $M
	ok "dtype: a valid type (rewritten by the tool) lists" test "$(ls $M/d)" = e
	umount $M
	for t in 0 3 13 255; do
		$IMG "$DEV2" dtype "$d" e $t
		mount -t vexfs "$DEV2" $M
		ok "dtype: file type $t -> readdir fails" sh -c "! ls $M/d >/dev/null 2>&1"
		ok "dtype: ... said so in dmesg" dmesg_has "directory $d bucket 0: entry with file type $t"
		umount $M
	done
}

# #15: a read-only mount of a dirty-journal image on a read-only device
# tried to replay (EIO); it is refused up front with EROFS, as ext4 does.
t_rodev() {
	begin rodev
	local r
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	echo data > $M/keep
	sync
	echo more > $M/more
	sync
	shutdown_fs 2		# no checkpoint: the journal needs recovery
	umount $M
	ok "rodev: the journal needs recovery" test "$($IMG "$DEV2" get jsb start)" != 0
	blockdev --setro "$DEV2"
	r=$(mount -t vexfs -o ro "$DEV2" $M 2>&1; echo "rc=$?")
	echo "# rodev: $r"
	ok "rodev: mount -o ro on a read-only device fails" sh -c "! mountpoint -q $M"
	ok "rodev: ... with a clear message" dmesg_has "journal needs recovery and the device is read-only"
	ok "rodev: ... and no I/O error" sh -c "! dmesg | sed -n '/VEXFS-SAFETY rodev/,\$p' | grep -qi 'I/O error\|cannot load or replay'"
	# norecovery (ext4: noload): a read-only mount that neither replays nor
	# opens the journal mounts the read-only device, writes nothing, and
	# cannot become read-write
	ok "rodev: mount -o ro,norecovery on the read-only device" \
		mount -t vexfs -o ro,norecovery "$DEV2" $M
	ok "rodev: ... shown in /proc/mounts" grep -q "$M vexfs ro.*norecovery" /proc/mounts
	ok "rodev: ... dmesg says the journal is not replayed" \
		dmesg_has "norecovery: the journal holds transactions that are not replayed"
	ok "rodev: ... the tree can be listed" ls -la $M
	expect_fail "rodev: ... remount rw refused" mount -o remount,rw $M
	expect_fail "rodev: ... FITRIM refused" fstrim $M
	expect_fail "rodev: ... a write fails" touch $M/new
	ok "rodev: ... sync" sync -f $M
	ok "rodev: ... umount" umount $M
	ok "rodev: the journal still needs recovery" test "$($IMG "$DEV2" get jsb start)" != 0
	blockdev --setrw "$DEV2"
	expect_fail "rodev: norecovery on a read-write mount refused" \
		mount -t vexfs -o norecovery "$DEV2" $M
	ok "rodev: ... said so" dmesg_has "norecovery needs a read-only mount"
	ok "rodev: ... and noload is its other name" mount -t vexfs -o ro,noload "$DEV2" $M
	expect_fail "rodev: ... remount rw refused on a read-write device too" mount -o remount,rw $M
	ok "rodev: ... said so" dmesg_has "mounted with norecovery: cannot remount read-write"
	ok "rodev: ... still read-only" grep -q "$M vexfs ro" /proc/mounts
	ok "rodev: ... a remount that changes errors= keeps norecovery" \
		sh -c "mount -o remount,ro,errors=remount-ro $M && grep -q '$M vexfs ro.*errors=remount-ro.*norecovery' /proc/mounts"
	ok "rodev: ... umount" umount $M
	# a journal superblock that jbd2 refuses: a normal mount fails, a
	# norecovery one does not use it and says so
	ok "rodev: journal superblock magic zeroed" $IMG "$DEV2" jsb magic 0
	expect_fail "rodev: ... a read-only mount fails" mount -t vexfs -o ro "$DEV2" $M
	ok "rodev: ... ro,norecovery mounts" mount -t vexfs -o ro,norecovery "$DEV2" $M
	ok "rodev: ... and says the journal is not used" \
		dmesg_has "norecovery: the journal superblock is not valid"
	ok "rodev: ... umount" umount $M
	ok "rodev: journal superblock magic restored" $IMG "$DEV2" jsb magic 0xc03b3998
	ok "rodev: ... the journal still needs recovery" test "$($IMG "$DEV2" get jsb start)" != 0
	blockdev --setro "$DEV2"
	# fsck.vexfs replays as the kernel does: -n in memory (the device is
	# read-only), -y on the device, after which the mount has nothing to replay
	r=$("$FSCK" -n "$DEV2" 2>&1)
	ok "rodev: fsck -n on the read-only device: clean as replayed" test $? = 0
	echo "$r" | sed 's/^/# /'
	echo "$r" | grep -q 'journal needs recovery: [1-9][0-9]* transaction'
	ok "rodev: ... it found transactions to replay" test $? = 0
	blockdev --setrw "$DEV2"
	"$FSCK" -y "$DEV2" > /tmp/rodev-fsck.out 2>&1
	ok "rodev: fsck -y replays the journal (exit 1)" test $? = 1
	ok "rodev: ... and empties it" test "$($IMG "$DEV2" get jsb start)" = 0
	ok "rodev: read-write device: mount" mount -t vexfs "$DEV2" $M
	ok "rodev: data intact" grep -qx more $M/more
	expect_fail "rodev: remount with norecovery refused" mount -o remount,norecovery $M
	ok "rodev: ... said so" dmesg_has "norecovery is a mount option, not a remount one"
	ok "rodev: ... still read-write" sh -c "echo x > $M/rw && grep -q '$M vexfs rw' /proc/mounts"
	ok "rodev: umount" umount $M
	ok "rodev: fsck clean" fsck_clean "$DEV2"
}

# #15: a vector table entry whose owner is a directory was accepted (mount
# does not read every owner's inode); iget now refuses a non-regular inode
# that owns vectors, so the directory is EUCLEAN and search skips the vector.
t_vecowner() {
	begin vecowner
	local id d
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	mkdir $M/d
	echo f > $M/f
	python3 -c "import json; print(json.dumps([0.25] * 16))" > /tmp/v16.json
	id=$("$VEXCTL" attach $M/f --vector /tmp/v16.json --json |
		python3 -c "import json, sys; print(json.load(sys.stdin)['ids'][0])")
	d=$(stat -c %i $M/d)
	umount $M
	$IMG "$DEV2" vtab "$id" owner "$d"
	ok "vecowner: the mount still succeeds (owners are checked when used)" \
		mount -t vexfs "$DEV2" $M
	ok "vecowner: the directory that owns a vector is refused" sh -c "! stat $M/d >/dev/null 2>&1"
	ok "vecowner: ... and dmesg says why" dmesg_has "inode $d \(mode 040[0-7]+\) owns vectors"
	"$VEXCTL" search $M --vector /tmp/v16.json --json > /tmp/vecowner.json 2>&1
	echo "# vecowner: search: $(cat /tmp/vecowner.json)"
	ok "vecowner: a search skips the vector and still answers" python3 -c \
		"import json; assert json.load(open('/tmp/vecowner.json'))['queries'][0] == []"
	ok "vecowner: the file is readable" grep -qx f $M/f
	umount $M
	"$FSCK" -n "$DEV2" > /tmp/vecowner.fsck 2>&1
	ok "vecowner: fsck -n reports the owner" grep -q "vector $id: owner inode $d is not a regular file" /tmp/vecowner.fsck
	"$FSCK" -y "$DEV2" > /dev/null 2>&1
	ok "vecowner: fsck clean after -y" fsck_clean "$DEV2"
	ok "vecowner: mounts and the directory is usable again" \
		sh -c "mount -t vexfs $DEV2 $M && stat $M/d >/dev/null && umount $M"
}

# Found by tests/fuzz/sysfuzz.c: an inode number from userspace (INO_PATHS,
# a file handle) naming a free inode whose slot still holds an inode of an
# older filesystem (mkfs does not zero inode tables) recorded a corruption
# error (its checksum has the old UUID's seed). The bitmap says it is free:
# ESTALE, quietly.
t_staleslot() {
	begin staleslot
	local i inos=""
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	# past the first inode table block, which mkfs writes whole
	for i in $(seq 40); do echo $i > $M/f$i; done
	for i in $(seq 35 40); do inos="$inos $(stat -c %i $M/f$i)"; done
	echo "# staleslot: inodes$inos"
	umount $M
	"$MKFS" -q -f "$DEV2"
	mount -t vexfs "$DEV2" $M
	ok "staleslot: INO_PATHS of free inodes with an older filesystem's slots: ESTALE" \
		python3 - $M $inos <<'PY'
import errno, fcntl, os, struct, sys
m, inos = sys.argv[1], [int(x) for x in sys.argv[2:]]
nr = (3 << 30) | (40 << 16) | (0xBA << 8) | 9		# VEXFS_IOC_INO_PATHS
buf = bytearray(4096)
addr = __import__("ctypes").addressof((__import__("ctypes").c_char * 4096).from_buffer(buf))
fd = os.open(m, os.O_RDONLY)
for ino in inos:
    arg = bytearray(struct.pack("<IIQIIQII", 40, 0, ino, 0, 0, addr, 4096, 0))
    try:
        fcntl.ioctl(fd, nr, arg)
        sys.exit("inode %d: no error" % ino)
    except OSError as e:
        if e.errno != errno.ESTALE:
            sys.exit("inode %d: %s" % (ino, e))
PY
	ok "staleslot: ... and no error recorded" test "$(cat /sys/fs/vexfs/$(basename "$DEV2")/errors)" = 0
	ok "staleslot: ... nor logged" not dmesg_has "fails its checksum"
	umount $M
	ok "staleslot: fsck clean" fsck_clean "$DEV2"
}

ALL="evict_ro restart mkwrite links syncfs jbounds replay orphan_symlink argsize dirfull xsparse attachfull crosslink metabitmap dtype rodev vecowner staleslot"
for s in ${@:-$ALL}; do
	"t_$s"
done
ok "rmmod" unload_vexfs
finish
