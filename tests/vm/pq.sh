#!/bin/bash
# PQ codebooks on VexFS: CODEBOOK_ADD / GET and PQ attach through the ioctls
# (vectors pq: codes and decoding compared bit for bit with the same core run
# in userspace, the bad-input table, 31 codebooks, the journal size limit),
# fsck with codebooks, everything again after a remount, read-only mounts.
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
V=$B/vm/vectors

load_vexfs
ok "mkfs" "$MKFS" -q "$DEV"
mkdir -p $M
ok "mount" mount -t vexfs "$DEV" $M
vtest pq $M
ok "umount" umount $M
ok "fsck clean with 31 codebooks and PQ vectors" fsck_clean "$DEV"
ok "mount again" mount -t vexfs "$DEV" $M
vtest pqverify $M
ok "umount" umount $M
ok "mount read-only" mount -t vexfs -o ro "$DEV" $M
vtest pqverify $M ro
ok "umount" umount $M

# ---- the same through vexctl, as a user would -----------------------------
python3 - <<'PY'
import struct, random
random.seed(5)
d = 32
ctr = [[random.uniform(-3, 3) for _ in range(d)] for _ in range(12)]
rows = [[c + random.uniform(-.2, .2) for c in random.choice(ctr)] for _ in range(1000)]
def npy(path, rows):
    hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (len(rows), d)
    hdr = hdr + ' ' * (63 - (10 + len(hdr)) % 64) + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(hdr)) + hdr.encode())
        for r in rows:
            f.write(struct.pack('<%df' % d, *r))
npy('/tmp/train.npy', rows)
npy('/tmp/q3.npy', rows[:3])
PY
ok "mkfs again" "$MKFS" -q -f "$DEV"
ok "mount" mount -t vexfs "$DEV" $M
ok "vexctl train installs codebook 1" bash -c "$VEXCTL train $M --vectors /tmp/train.npy -m 8 --iters 10 > /tmp/cbid && test \"\$(cat /tmp/cbid)\" = 1"
$VEXCTL codebooks $M
ok "vexctl codebooks lists it (32 dims, m 8)" bash -c "$VEXCTL codebooks $M --json | grep -q '\"dims\": *32'"
ok "training is deterministic: the same blob offline" \
	$VEXCTL train - --vectors /tmp/train.npy -m 8 --iters 10 --out /tmp/a.blob
ok "vexctl codebook get --out" $VEXCTL codebook get $M 1 --out /tmp/b.blob
ok "... the installed blob is that blob" cmp /tmp/a.blob /tmp/b.blob
touch $M/doc.txt
ok "vexctl attach --compress pq (3 vectors)" bash -c "$VEXCTL attach $M/doc.txt --vector /tmp/q3.npy --compress pq > /tmp/ids && test \$(wc -l < /tmp/ids) = 3"
id=$(head -1 /tmp/ids)
$VEXCTL get $M/doc.txt "$id" --raw
ok "get --raw: codebook 1 and 8 codes" bash -c "$VEXCTL get $M/doc.txt $id --raw > /tmp/raw &&
	grep -Eq '^codebook: +1 ' /tmp/raw && grep -Eq '^codes:( +[0-9]+){8}$' /tmp/raw"
ok "get decodes to 32 values" bash -c "$VEXCTL get $M/doc.txt $id --json | python3 -c 'import json,sys; v=json.load(sys.stdin); d=v.get(\"data\") or v.get(\"vector\") or v.get(\"values\"); assert len(d) == 32, d'"
expect_fail "a user cannot install codebooks" setpriv --reuid=65534 --regid=65534 --clear-groups \
	$VEXCTL codebook add $M /tmp/a.blob
ok "umount" umount $M
ok "fsck clean" fsck_clean "$DEV"
unload_vexfs
finish
