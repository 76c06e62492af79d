#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# test_mkfs_fsck.sh - native test of mkfs.vexfs and fsck.vexfs on image files
# (no kernel needed): fresh images of every block size check clean, single
# corruptions are found (fsck exit 4, or 8 for "not VexFS") and named, simple
# ones are repaired by -y, the empty vector store mkfs makes (inode 2,
# superblock fields) is checked, mkfs refuses to overwrite filesystems without
# -f, and a 100 GiB sparse image is made with a few MiB of writes. Vector
# records and chunks are covered by build/user/tests/test_vstore_img.
#
# Usage: bash tests/user/test_mkfs_fsck.sh   (from the repository top, after make user)
# Output: "ok N - name" / "not ok N - name", then "# vtest: N passed, M failed".
set -u
T=$(cd "$(dirname "$0")/../.." && pwd)
B=${VEXFS_BUILD:-$T/build/user}
MKFS=$B/mkfs.vexfs
FSCK=$B/fsck.vexfs
W=$(mktemp -d "${TMPDIR:-/tmp}/vexfs-fsck.XXXXXX")
trap 'rm -rf "$W"' EXIT
N=0
PASS=0
FAIL=0

for p in "$MKFS" "$FSCK"; do
	if [ ! -x "$p" ]; then
		echo "$p missing: run make user first" >&2
		exit 2
	fi
done

result() {	# result OK NAME
	N=$((N + 1))
	if [ "$1" = 0 ]; then
		PASS=$((PASS + 1))
		echo "ok $N - $2"
	else
		FAIL=$((FAIL + 1))
		echo "not ok $N - $2"
	fi
}

# expect_rc WANT NAME CMD...: CMD must exit with WANT; its output is in $W/out.
expect_rc() {
	local want=$1 name=$2 rc
	shift 2
	"$@" >"$W/out" 2>&1
	rc=$?
	if [ "$rc" != "$want" ]; then
		sed 's/^/#   /' "$W/out" | head -20
		echo "#   exit $rc, expected $want"
	fi
	[ "$rc" = "$want" ]
	result $? "$name"
}

# expect_fsck WANT PATTERN NAME IMG: fsck -n exits WANT and prints PATTERN.
expect_fsck() {
	local want=$1 pat=$2 name=$3 img=$4 rc ok=0
	"$FSCK" -n "$img" >"$W/out" 2>&1
	rc=$?
	[ "$rc" = "$want" ] || ok=1
	grep -qiE -- "$pat" "$W/out" || ok=1
	if [ $ok != 0 ]; then
		sed 's/^/#   /' "$W/out" | head -20
		echo "#   exit $rc (expected $want), pattern '$pat'"
	fi
	result $ok "$name"
}

u64() {	# u64 FILE OFFSET: little-endian unsigned at byte OFFSET
	od -An -t u8 -j "$2" -N 8 "$1" | tr -d ' '
}

u32() {
	od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '
}

poke() {	# poke FILE OFFSET HEXBYTE
	printf "\\x$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

peek() {	# peek FILE OFFSET: one byte as a number
	od -An -t u1 -j "$2" -N 1 "$1" | tr -d ' '
}

flip() {	# flip FILE OFFSET MASK: xor one byte
	local v
	v=$(peek "$1" "$2")
	poke "$1" "$2" "$(printf %02x $((v ^ $3)))"
}

# Geometry of an image, from its superblock.
geom() {
	BITS=$(u32 "$1" 8)
	BS=$((1 << BITS))
	IPG=$(u32 "$1" 52)
	JSTART=$(u64 "$1" 72)
	JBLOCKS=$(u32 "$1" 80)
	BBM=$((JSTART + JBLOCKS))		# group 0: block bitmap,
	IBM=$((BBM + 1))			# inode bitmap,
	ITAB=$((BBM + 2))			# inode table,
	ROOTHDR=$((ITAB + IPG * 256 / BS))	# root directory header
	ROOTBKT=$((ROOTHDR + 1))		# and bucket 0
}

# Fix the superblock checksum after an edit (crc32c, needs python3).
have_py=0
command -v python3 >/dev/null && have_py=1
sb_resum() {
	python3 - "$1" <<'EOF'
import struct, sys
t = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    t.append(c)
def crc(c, b):
    for x in b:
        c = t[(c ^ x) & 255] ^ (c >> 8)
    return c
f = open(sys.argv[1], 'r+b')
s = bytearray(f.read(1024))
struct.pack_into('<I', s, 1020, crc(0xffffffff, s[:1020]))
f.seek(0)
f.write(s)
EOF
}

# inode_resum IMG INO OFFSET: fix the checksum of the inode at byte OFFSET.
inode_resum() {
	python3 - "$1" "$2" "$3" <<'EOF'
import struct, sys
t = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    t.append(c)
def crc(c, b):
    for x in b:
        c = t[(c ^ x) & 255] ^ (c >> 8)
    return c
img, ino, off = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
f = open(img, 'r+b')
uuid = f.read(1024)[136:152]
f.seek(off)
b = bytearray(f.read(256))
seed = crc(0xffffffff, uuid)
struct.pack_into('<I', b, 252, crc(crc(seed, struct.pack('<Q', ino)), b[:252]))
f.seek(off)
f.write(b)
EOF
}

# jsb_set IMG WORD VALUE: set a big-endian word of the journal superblock and
# fix its checksum.
jsb_set() {
	python3 - "$1" "$2" "$3" "$JSTART" "$BS" <<'EOF'
import struct, sys
t = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    t.append(c)
def crc(c, b):
    for x in b:
        c = t[(c ^ x) & 255] ^ (c >> 8)
    return c
img, word, val, js, bs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
f = open(img, 'r+b')
f.seek(js * bs)
b = bytearray(f.read(1024))
struct.pack_into('>I', b, word * 4, val)
struct.pack_into('>I', b, 0xfc, 0)
struct.pack_into('>I', b, 0xfc, crc(0xffffffff, b))
f.seek(js * bs)
f.write(b)
EOF
}

echo "# mkfs.vexfs / fsck.vexfs native test ($W)"

# ---- fresh images -----------------------------------------------------------
for bs in 1024 2048 4096; do
	img=$W/fresh$bs.img
	truncate -s 64M "$img"
	expect_rc 0 "mkfs -b $bs 64M" "$MKFS" -q -b $bs "$img"
	expect_rc 0 "fsck -n clean ($bs)" "$FSCK" -n "$img"
	cp "$img" "$W/copy.img"
	expect_rc 0 "fsck -y clean ($bs)" "$FSCK" -y "$W/copy.img"
	cmp -s "$img" "$W/copy.img"
	result $? "fsck -y on a clean fs writes nothing ($bs)"
	expect_rc 0 "fsck -p clean ($bs)" "$FSCK" -p "$img"
	grep -q clean "$W/out"
	result $? "fsck -p reports clean ($bs)"
	expect_rc 0 "fsck -p -f clean ($bs)" "$FSCK" -pf "$img"
done

# ---- usage and operational errors -------------------------------------------
expect_rc 16 "fsck without a device: usage" "$FSCK"
expect_rc 16 "fsck -n -y: usage" "$FSCK" -n -y "$W/fresh4096.img"
expect_rc 16 "fsck bad option: usage" "$FSCK" -Z "$W/fresh4096.img"
expect_rc 8 "fsck on a missing file" "$FSCK" -n "$W/nonexistent.img"
truncate -s 16M "$W/zero.img"
expect_fsck 8 "not a VexFS" "fsck on zeroes: not VexFS" "$W/zero.img"

# ---- single corruptions, every block size -----------------------------------
for bs in 1024 2048 4096; do
	src=$W/fresh$bs.img
	c=$W/c.img
	geom "$src"

	cp "$src" "$c"; poke "$c" 0 00
	expect_fsck 8 "not a VexFS.*bad magic" "[$bs] superblock magic -> 8" "$c"

	cp "$src" "$c"; flip "$c" 48 1
	expect_fsck 4 "superblock.*checksum" "[$bs] superblock field, stale checksum" "$c"

	cp "$src" "$c"; flip "$c" $((BS + 24)) 1
	expect_fsck 4 "group 0: descriptor checksum" "[$bs] group descriptor free count" "$c"

	cp "$src" "$c"; flip "$c" $((BS + 3)) 0x40
	expect_fsck 4 "group 0: descriptor invalid" "[$bs] group descriptor bitmap location" "$c"

	cp "$src" "$c"; flip "$c" $((BBM * BS + 600)) 0x10
	expect_fsck 4 "block bitmap fails its checksum" "[$bs] free block bit set" "$c"
	grep -q "marked in use but not used" "$W/out"
	result $? "[$bs] ... and the stray block is named"
	expect_rc 1 "[$bs] fsck -y repairs the block bitmap" "$FSCK" -y "$c"
	expect_rc 0 "[$bs] clean after repair" "$FSCK" -n "$c"

	cp "$src" "$c"; flip "$c" $((BBM * BS)) 0x01
	expect_fsck 4 "in use but marked free" "[$bs] used block (superblock) marked free" "$c"

	cp "$src" "$c"; flip "$c" $((IBM * BS)) 0x01
	expect_fsck 4 "inode bitmap fails its checksum" "[$bs] root inode bit cleared" "$c"
	expect_rc 1 "[$bs] fsck -y repairs the inode bitmap" "$FSCK" -y "$c"
	expect_rc 0 "[$bs] clean after repair" "$FSCK" -n "$c"

	cp "$src" "$c"; flip "$c" $((ITAB * BS + 252)) 0x01
	expect_fsck 4 "inode 1: .*checksum" "[$bs] root inode checksum" "$c"
	grep -q "root inode 1 is missing or corrupt" "$W/out"
	result $? "[$bs] ... root reported unusable"
	expect_rc 4 "[$bs] fsck -y cannot fix a corrupt root" "$FSCK" -y "$c"

	cp "$src" "$c"; flip "$c" $((ITAB * BS + 64)) 0x80
	expect_fsck 4 "inode 1:" "[$bs] root inode field (checksum mismatch)" "$c"

	cp "$src" "$c"; flip "$c" $((ROOTHDR * BS + 8)) 0x01
	expect_fsck 4 "directory 1: header block .* checksum" "[$bs] root directory header" "$c"

	cp "$src" "$c"; flip "$c" $((ROOTBKT * BS + 200)) 0x01
	expect_fsck 4 "directory 1: bucket 0 .* checksum" "[$bs] root directory bucket" "$c"

	cp "$src" "$c"; poke "$c" $((JSTART * BS)) 00
	expect_fsck 4 "journal superblock.*magic" "[$bs] journal superblock magic" "$c"
	expect_rc 1 "[$bs] fsck -y recreates the journal superblock" "$FSCK" -y "$c"
	expect_rc 0 "[$bs] clean after repair" "$FSCK" -n "$c"
	cmp -s -n $((JSTART * BS)) "$src" "$c"
	result $? "[$bs] ... nothing before the journal changed"

	if [ $have_py = 1 ]; then
		# s_start set on an empty log: nothing to replay (the log's
		# transactions are replayed by the VM tests, tests/vm/logwrites.py)
		cp "$src" "$c"; jsb_set "$c" 7 $((JSTART + 1)); cp "$c" "$c.0"
		expect_fsck 0 "journal needs recovery: 0 transaction\\(s\\), 0 block\\(s\\).*nothing written" \
			"[$bs] journal needs recovery (-n): replayed in memory" "$c"
		cmp -s "$c.0" "$c"
		result $? "[$bs] ... -n wrote nothing"
		rm -f "$c.0"
		expect_rc 1 "[$bs] fsck -y replays the journal" "$FSCK" -y "$c"
		grep -q "journal replayed" "$W/out"
		result $? "[$bs] ... and says so"
		test "$(python3 "$T/tests/vm/vximg.py" "$c" get jsb start)" = 0
		result $? "[$bs] ... and empties it (s_start 0)"
		expect_rc 0 "[$bs] clean afterwards" "$FSCK" -n "$c"
		cp "$src" "$c"; jsb_set "$c" 7 $((JSTART + JBLOCKS + 5))
		expect_fsck 4 "journal: s_start .* outside the log" "[$bs] journal s_start outside the log" "$c"

		cp "$src" "$c"; jsb_set "$c" 4 $((JSTART + JBLOCKS + 1))
		expect_fsck 4 "journal superblock.*log area" "[$bs] journal s_maxlen wrong" "$c"

		cp "$src" "$c"; poke "$c" 84 00; sb_resum "$c"
		expect_fsck 0 "not cleanly unmounted" "[$bs] not clean: note only with -n" "$c"
		expect_rc 1 "[$bs] fsck -y marks it clean" "$FSCK" -y "$c"
		expect_rc 0 "[$bs] clean afterwards" "$FSCK" -n "$c"

		cp "$src" "$c"; poke "$c" 84 03; sb_resum "$c"
		expect_fsck 0 "note: the filesystem has recorded errors.*no inconsistency" \
			"[$bs] error state: a note with -n, the verdict is the check's (as e2fsck)" "$c"
		expect_rc 1 "[$bs] fsck -y clears the error state" "$FSCK" -y "$c"
		expect_rc 0 "[$bs] clean afterwards" "$FSCK" -n "$c"

		cp "$src" "$c"; poke "$c" 32 00; poke "$c" 33 00; sb_resum "$c"
		expect_fsck 4 "superblock counts" "[$bs] superblock free count" "$c"
		expect_rc 1 "[$bs] fsck -y fixes the superblock count" "$FSCK" -y "$c"
		expect_rc 0 "[$bs] clean afterwards" "$FSCK" -n "$c"

		cp "$src" "$c"; poke "$c" 112 09; sb_resum "$c"
		expect_fsck 4 "orphan list" "[$bs] orphan head to a free inode" "$c"
		expect_rc 1 "[$bs] fsck -y truncates the orphan list" "$FSCK" -y "$c"
		expect_rc 0 "[$bs] clean afterwards" "$FSCK" -n "$c"
	else
		echo "# python3 not found: journal and superblock-field cases skipped"
	fi
done

# ---- vector store (records and chunks: build/user/tests/test_vstore_img) -----
u16() {
	od -An -t u2 -j "$2" -N 2 "$1" | tr -d ' '
}

for bs in 1024 4096; do
	src=$W/fresh$bs.img
	c=$W/c.img
	geom "$src"
	VT=$((ITAB * BS + 256))			# inode 2, the vector table

	[ "$(u64 "$src" 104)" = 1 ] && [ "$(u64 "$src" 304)" = 2 ] &&
		[ "$(u64 "$src" 280)" = 1 ] && [ "$(u64 "$src" 288)" = 0 ] &&
		[ "$(u64 "$src" 296)" = 0 ] && [ "$(u64 "$src" 312)" = 0 ]
	result $? "[$bs] mkfs: INCOMPAT_VECTORS, s_vec_root 2, next id 1, counters 0"
	[ "$(u16 "$src" $VT)" = $((0100600)) ] && [ "$(u32 "$src" $((VT + 12)))" = 1 ] &&
		[ "$(u64 "$src" $((VT + 16)))" = 0 ] && [ "$(u64 "$src" $((VT + 24)))" = 0 ]
	result $? "[$bs] mkfs: inode 2 is an empty regular file with one link"

	cp "$src" "$c"; flip "$c" $((VT + 252)) 0x01
	expect_fsck 4 "vector table inode 2: fails its checksum" "[$bs] vector table inode checksum" "$c"
	expect_rc 4 "[$bs] fsck -y cannot rebuild the vector table inode" "$FSCK" -y "$c"

	if [ $have_py = 1 ]; then
		cp "$src" "$c"; poke "$c" $((VT + 1)) 41; inode_resum "$c" 2 $VT	# S_IFREG -> S_IFDIR
		expect_fsck 4 "vector table inode 2: has mode 040600, not a regular file" \
			"[$bs] vector table inode is a directory" "$c"

		cp "$src" "$c"; poke "$c" 288 05; sb_resum "$c"
		expect_fsck 4 "superblock vector counters say 5 vectors" "[$bs] s_vec_count wrong" "$c"
		expect_rc 1 "[$bs] fsck -y fixes the vector counters" "$FSCK" -y "$c"
		expect_rc 0 "[$bs] clean afterwards" "$FSCK" -n "$c"

		cp "$src" "$c"; poke "$c" 304 03; sb_resum "$c"
		expect_fsck 4 "vector table inode is 3, should be 2" "[$bs] s_vec_root wrong" "$c"
		expect_rc 1 "[$bs] fsck -y fixes s_vec_root" "$FSCK" -y "$c"
		expect_rc 0 "[$bs] clean afterwards" "$FSCK" -n "$c"

		cp "$src" "$c"; poke "$c" 280 00; sb_resum "$c"
		expect_fsck 4 "next vector id is 0" "[$bs] s_vec_next_id 0" "$c"
		expect_rc 1 "[$bs] fsck -y sets the next id to 1" "$FSCK" -y "$c"
		[ "$(u64 "$c" 280)" = 1 ]
		result $? "[$bs] ... and it is 1"

		cp "$src" "$c"; poke "$c" 104 00; sb_resum "$c"
		expect_fsck 4 "reserved inode 2 is in use" "[$bs] inode 2 in use without the vectors feature" "$c"
	fi
done

# ---- mkfs refusals ------------------------------------------------------------
img=$W/refuse.img
truncate -s 64M "$img"
if command -v mkfs.ext4 >/dev/null; then
	mkfs.ext4 -q -F "$img" >/dev/null 2>&1
	expect_rc 1 "mkfs refuses an ext4 image without -f" "$MKFS" -q "$img"
	grep -q "ext4" "$W/out"
	result $? "... and names ext4"
	expect_rc 0 "mkfs -f overwrites ext4" "$MKFS" -q -f "$img"
	expect_rc 0 "fsck clean after overwriting ext4" "$FSCK" -n "$img"
	blkid -p "$img" 2>/dev/null | grep -q 'TYPE="ext4"'
	[ $? != 0 ]
	result $? "no ext4 signature left"
else
	echo "# mkfs.ext4 not found: ext4 refusal cases skipped"
fi
expect_rc 1 "mkfs refuses an existing VexFS without -f" "$MKFS" -q "$img"
grep -q "already contains a VexFS" "$W/out"
result $? "... and says so"
expect_rc 0 "mkfs -f overwrites VexFS" "$MKFS" -q -f "$img"
expect_rc 0 "fsck clean after overwriting VexFS" "$FSCK" -n "$img"

# ---- 100 GiB sparse image: time and bytes written ---------------------------
big=$W/big.img
truncate -s 100G "$big"
du0=$(du -k "$big" | cut -f1)
t0=$(date +%s%N)
"$MKFS" "$big" >"$W/mkfs.out" 2>&1
rc=$?
t1=$(date +%s%N)
du1=$(du -k "$big" | cut -f1)
result $rc "mkfs 100 GiB sparse image"
written=$(sed -n 's/.*metadata written: \([0-9]*\) bytes.*/\1/p' "$W/mkfs.out")
echo "# mkfs 100 GiB: $(( (t1 - t0) / 1000000 )) ms, metadata written ${written:-?} bytes," \
     "du $du0 KiB -> $du1 KiB"
[ -n "$written" ] && [ "$written" -lt $((16 << 20)) ] && [ $((du1 - du0)) -lt $((16 << 10)) ]
result $? "mkfs 100 GiB writes < 16 MiB"
t0=$(date +%s%N)
expect_rc 0 "fsck -n 100 GiB clean" "$FSCK" -n "$big"
t1=$(date +%s%N)
echo "# fsck -n 100 GiB: $(( (t1 - t0) / 1000000 )) ms"
du2=$(du -k "$big" | cut -f1)
[ "$du2" = "$du1" ]
result $? "fsck -n writes nothing"
geom "$big"
flip "$big" $((BBM * BS + 2000)) 0x04
expect_fsck 4 "group 0: block bitmap" "100 GiB: corrupt block bitmap found" "$big"
expect_rc 1 "100 GiB: fsck -y repairs it" "$FSCK" -y "$big"
expect_rc 0 "100 GiB: clean after repair" "$FSCK" -n "$big"

echo "# vtest: $PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
