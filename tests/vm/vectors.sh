#!/bin/bash
# Vector store on VexFS: 100,000 vectors across 10,000 files attached,
# remounted, read back byte for byte; half the files deleted (statfs, fsck);
# the bad-input table; links/rename/truncate/unlink semantics; the xattr view
# carried by cp -a, rsync -X and tar --xattrs to a second VexFS; read-only
# mount. Args: NFILES PERFILE (default 10000 10).
. "$(dirname "$0")/lib.sh"
NF=${1:-10000}
PER=${2:-10}
DEV=/dev/vda
DEV2=/dev/vdb
M=/mnt/vexfs
M2=/mnt/vexfs2
V=$B/vm/vectors

stat_field() { "$V" stats "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# same_vectors A B: the two files carry the same vectors (xattr view, hex).
same_vectors() {
	getfattr -d -m 'user.vexfs' -e hex "$1" 2>/dev/null | tail -n +2 > /tmp/xa.a
	getfattr -d -m 'user.vexfs' -e hex "$2" 2>/dev/null | tail -n +2 > /tmp/xa.b
	test -s /tmp/xa.a && cmp -s /tmp/xa.a /tmp/xa.b
}

load_vexfs
ok "mkfs" "$MKFS" -q "$DEV"
ok "mkfs second disk" "$MKFS" -q "$DEV2"
mkdir -p $M $M2
ok "mount" mount -t vexfs "$DEV" $M
mkdir -p $M/d
free0=$(stat -f -c %f $M)

t0=$(date +%s.%N)
vtest fill $M/d "$NF" "$PER"
t1=$(date +%s.%N)
echo "# attached $((NF * PER)) vectors in $(echo "$t1 - $t0" | bc) s"
"$V" stats $M
ok "stats: $((NF * PER)) vectors in $NF files" \
	test "$(stat_field $M vectors)" = $((NF * PER)) -a "$(stat_field $M files)" = "$NF"
free1=$(stat -f -c %f $M)
ok "statfs: vector chunks use free blocks" test "$free1" -lt "$free0"
ok "umount" umount $M
ok "fsck clean after fill" fsck_clean "$DEV"
t0=$(date +%s.%N)
ok "mount again" mount -t vexfs "$DEV" $M
t1=$(date +%s.%N)
echo "# mount with $((NF * PER)) vectors: $(echo "$t1 - $t0" | bc) s"
vtest verify $M/d "$NF" "$PER"
ok "stats survive the remount" test "$(stat_field $M vectors)" = $((NF * PER))

vtest unlink-half $M/d "$NF"
sync
ok "stats: half the vectors left" test "$(stat_field $M vectors)" = $((NF * PER / 2))
free2=$(stat -f -c %f $M)
ok "statfs: deleting files gave blocks back" test "$free2" -gt "$free1"
"$V" stats $M
ok "umount" umount $M
ok "fsck clean after deleting half" fsck_clean "$DEV"
ok "mount" mount -t vexfs "$DEV" $M
vtest verify $M/d "$NF" "$PER" --half

vtest badinput $M /tmp
vtest semantics $M

# ---- xattr view: cp -a, rsync -X, tar --xattrs to another VexFS --------
ok "mount second disk" mount -t vexfs "$DEV2" $M2
ok "plain cp copies no vectors" cp $M/d/f00000 $M2/plain
ok "... none on the copy" test -z "$(getfattr -m 'user.vexfs' $M2/plain 2>/dev/null)"
getfattr -d -m 'user.vexfs' -e hex $M/d/f00000 | head -3
ok "getfattr lists $PER vectors of f00000" \
	test "$(getfattr -m 'user.vexfs' $M/d/f00000 2>/dev/null | grep -c '^user.vexfs.vec.')" = "$PER"
ok "cp -a to another VexFS" cp -a $M/d/f00000 $M/d/f00002 $M2/
ok "vectors match after cp -a" same_vectors $M/d/f00000 $M2/f00000
ok "stats on the copy: 2 files, $((2 * PER)) vectors" \
	test "$(stat_field $M2 vectors)" = $((2 * PER))
mkdir -p $M2/r
ok "rsync -aX to another VexFS" rsync -aX $M/d/f00004 $M/d/f00006 $M2/r/
ok "vectors match after rsync -X" same_vectors $M/d/f00006 $M2/r/f00006
ok "rsync -aX again changes nothing" bash -c "
	before=\$($V stats $M2); rsync -aX $M/d/f00004 $M/d/f00006 $M2/r/;
	test \"\$before\" = \"\$($V stats $M2)\""
ok "tar --xattrs out" tar --xattrs --xattrs-include='user.*' -C $M/d -cf /tmp/v.tar f00008
mkdir -p $M2/t
ok "tar --xattrs in" tar --xattrs --xattrs-include='user.*' -C $M2/t -xf /tmp/v.tar
ok "vectors match after tar" same_vectors $M/d/f00008 $M2/t/f00008
ok "removexattr detaches" setfattr -x user.vexfs.vec.00000 $M2/t/f00008
ok "... one fewer" test "$(getfattr -m 'user.vexfs' $M2/t/f00008 | grep -c '^user.vexfs.vec.')" = $((PER - 1))
expect_fail "setxattr past the end is refused" setfattr -n user.vexfs.vec.00099 -v 0x00 $M2/t/f00008
expect_fail "garbage value is refused" setfattr -n user.vexfs.vec.00000 -v 0x0102 $M2/t/f00008
expect_fail "other user.vexfs. names are refused" setfattr -n user.vexfs.other -v 1 $M2/t/f00008
# ---- vexctl: .npy / .fvecs / JSON in, text and JSON out -------------------
python3 - <<'PY'
import struct
d = 8
rows = [[float(i * d + j) / 4 for j in range(d)] for i in range(3)]
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, %d), }" % d
hdr = hdr + ' ' * (63 - (10 + len(hdr)) % 64) + '\n'
with open('/tmp/emb.npy', 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode())
    for r in rows:
        f.write(struct.pack('<%df' % d, *r))
with open('/tmp/q.fvecs', 'wb') as f:
    f.write(struct.pack('<i', d) + struct.pack('<%df' % d, *rows[1]))
PY
echo '[0.5, 1, -2, 3.25]' > /tmp/one.json
touch $M/vx.dat
ok "vexctl attach .npy (3 rows)" bash -c "$VEXCTL attach $M/vx.dat --vector /tmp/emb.npy > /tmp/ids"
ok "... printed 3 ids" test "$(wc -l < /tmp/ids)" = 3
ok "vexctl attach .fvecs" $VEXCTL attach $M/vx.dat --vector /tmp/q.fvecs --model bge --confidence 0.5
ok "vexctl attach JSON" $VEXCTL attach $M/vx.dat --vector /tmp/one.json
ok "vexctl list shows 5" test "$($VEXCTL list $M/vx.dat | wc -l)" = 5
id2=$(sed -n 2p /tmp/ids)
$VEXCTL get $M/vx.dat "$id2"
ok "vexctl get returns row 2 of the .npy" bash -c "$VEXCTL get $M/vx.dat $id2 --json | grep -q '2, 2.25, 2.5, 2.75, 3, 3.25, 3.5, 3.75'"
ok "vexctl get --out .npy" $VEXCTL get $M/vx.dat "$id2" --out /tmp/back.npy
ok "... and attach it again" bash -c "$VEXCTL attach $M/vx.dat --vector /tmp/back.npy > /tmp/id3"
$VEXCTL get $M/vx.dat "$id2" --json | grep -o '"values".*' > /tmp/va
$VEXCTL get $M/vx.dat "$(cat /tmp/id3)" --json | grep -o '"values".*' > /tmp/vb
ok "... same values (npy round trip)" bash -c "test -s /tmp/va && cmp /tmp/va /tmp/vb"
ok "vexctl detach" $VEXCTL detach $M/vx.dat "$id2"
expect_fail "vexctl get of the detached id fails" $VEXCTL get $M/vx.dat "$id2"
$VEXCTL stats $M
ok "vexctl stats --json" bash -c "$VEXCTL stats $M --json | grep -q '\"vectors\"'"
expect_fail "vexctl attach with wrong dims file fails" $VEXCTL attach $M/vx.dat --vector /tmp/nonexistent.npy

# ---- ENOSPC in the middle of attaching: nothing half-written ---------------
vtest enospc $M2
ok "remove the vectors that filled it" rm -f $M2/enospc
ok "umount both" umount $M $M2
ok "fsck clean (first)" fsck_clean "$DEV"
ok "fsck clean (second)" fsck_clean "$DEV2"

# ---- read-only mount -----------------------------------------------------
ok "mount read-only" mount -t vexfs -o ro "$DEV" $M
"$V" try-attach $M/d/f00000
rc=$?
ok "attach on a read-only mount -> EROFS" test "$rc" = 30
vtest verify $M/d "$NF" "$PER" --half
ok "umount" umount $M
ok "rmmod" unload_vexfs
finish
