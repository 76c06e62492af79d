#!/usr/bin/env python3
"""fsck_fuzz.py - mutate populated VexFS images and run fsck.vexfs on each.

  fsck_fuzz.py --fsck FSCK [-n MUTANTS] [-s SEED] [--keep DIR] BASE.img...

Each mutant is reproducible from (base, seed, index): it is written to a
scratch file, then checked with `fsck -n`, repaired with `fsck -y`, checked
again with `fsck -n`, and repaired a second time with `fsck -y`. Failures
(counted in the closing "# vtest:" line): a crash (signal, AddressSanitizer
or UndefinedBehaviorSanitizer report) or a hang (30 s) of any run. Printed
and counted apart (the convergence the repair must reach): after a -y that
exited 0 or 1, a second -n that is not clean; after a -y that exited 4, a
second -y that still changed the image.

Mutations hit metadata blocks only (blocks that are neither all zeros nor the
data pattern written by populate.sh): raw byte flips and field overwrites
(checksums left wrong), and structured ones with checksums fixed: inode
fields (links, mode, size, block pointers into metadata, xattr block,
orphan list), superblock counters and orphan head, group descriptor counts
and bitmap pointers, bitmap bits, cross-links of one inode's block into
another inode, ANN index descriptor and node fields.
"""
import argparse
import os
import random
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vm"))
from vximg import crc32c  # noqa: E402  (the kernel's crc32c, shared with the image tool)

DATA = b"VEXFS-FUZZ-DATA\n"


class Image:
    def __init__(self, raw):
        self.b = bytearray(raw)
        self.bs = 1 << struct.unpack_from("<I", self.b, 8)[0]
        self.blocks = struct.unpack_from("<Q", self.b, 16)[0]
        self.ipg = struct.unpack_from("<I", self.b, 52)[0]
        self.gdt = struct.unpack_from("<Q", self.b, 64)[0]
        self.seed = crc32c(0xffffffff, self.b[136:152])
        bpg = 8 * self.bs
        self.groups = (self.blocks + bpg - 1) // bpg
        self.meta = []
        for blk in range(self.blocks):
            chunk = bytes(self.b[blk * self.bs:(blk + 1) * self.bs])
            if chunk.count(0) == self.bs:
                continue
            if chunk.replace(DATA, b"").strip(b"\0") == b"":
                continue
            self.meta.append(blk)
        self.inodes = []
        for g in range(self.groups):
            it = struct.unpack_from("<Q", self.gd(g), 16)[0]
            for i in range(self.ipg):
                off = it * self.bs + i * 256
                if off + 256 <= len(self.b) and struct.unpack_from("<H", self.b, off)[0]:
                    self.inodes.append((g * self.ipg + i + 1, off))

    def gd(self, g):
        o = self.gdt * self.bs + g * 64
        return self.b[o:o + 64]

    def fix_sb(self):
        struct.pack_into("<I", self.b, 1020, crc32c(0xffffffff, bytes(self.b[:1020])))

    def fix_inode(self, ino, off):
        crc = crc32c(self.seed, struct.pack("<Q", ino))
        struct.pack_into("<I", self.b, off + 252, crc32c(crc, bytes(self.b[off:off + 252])))

    def fix_gd(self, g):
        o = self.gdt * self.bs + g * 64
        crc = crc32c(self.seed, struct.pack("<I", g))
        struct.pack_into("<I", self.b, o + 60, crc32c(crc, bytes(self.b[o:o + 60])))

    def fix_bbitmap(self, g):
        o = self.gdt * self.bs + g * 64
        blk = struct.unpack_from("<Q", self.b, o)[0]
        if blk < self.blocks:
            bm = bytes(self.b[blk * self.bs:(blk + 1) * self.bs])
            struct.pack_into("<I", self.b, o + 40, crc32c(self.seed, bm))
        self.fix_gd(g)


INODE_FIELDS = [(0, "<H"), (12, "<I"), (16, "<Q"), (24, "<Q"), (84, "<I"), (88, "<Q"),
                (96, "<Q"), (104, "<Q"), (112, "<I")] + [(120 + 8 * k, "<Q") for k in range(15)]
SB_FIELDS = [(16, "<Q"), (24, "<Q"), (32, "<Q"), (40, "<Q"), (84, "<I"), (112, "<Q")]
GD_FIELDS = [(0, "<Q"), (8, "<Q"), (16, "<Q"), (24, "<I"), (28, "<I"), (32, "<I")]


# the ANN index (inode 3): descriptor and node fields, checksums fixed
ANN_DESC_FIELDS = [(16, "<I"), (20, "<I"), (28, "<H"), (30, "<H"), (34, "<H"), (44, "<I"),
                   (48, "<I"), (52, "<I"), (72, "<Q"), (96, "<I"), (104, "<I"), (108, "<I"),
                   (360, "<I"), (364, "<I"), (368, "<I"), (372, "<I")]
ANN_NODE_FIELDS = [(0, "<Q"), (0, "<I"), (12, "<B"), (13, "<B"), (14, "<H"), (16, "<I"),
                   (20, "<I"), (24, "<I")]


def ann_mutate(img, r):
    """A descriptor or node field of the ANN index, its checksum fixed."""
    off = next((o for i, o in img.inodes if i == 3), None)
    if off is None:
        return False
    ptr = [struct.unpack_from("<Q", img.b, off + 120 + 8 * j)[0] for j in range(12)]
    if not 0 < ptr[0] < img.blocks:
        return False
    d = ptr[0] * img.bs
    if struct.unpack_from("<I", img.b, d)[0] != 0x56584149:
        return False
    if r.random() < 0.4:
        fo, fmt = r.choice(ANN_DESC_FIELDS)
        struct.pack_into(fmt, img.b, d + fo, interesting(r, img, fmt))
        struct.pack_into("<I", img.b, d + 4, 0)
        struct.pack_into("<I", img.b, d + 4, crc32c(img.seed, bytes(img.b[d:d + 512])))
        return True
    gen, nsize, nslots = (struct.unpack_from("<I", img.b, d + 12)[0],
                          struct.unpack_from("<H", img.b, d + 34)[0],
                          struct.unpack_from("<I", img.b, d + 44)[0])
    if not nslots or not 16 <= nsize <= img.bs:
        return False
    npb = img.bs // nsize
    slot = r.randrange(nslots)
    lblk = 1 + slot // npb
    if lblk >= 12 or not 0 < ptr[lblk] < img.blocks:
        return False
    n = ptr[lblk] * img.bs + (slot % npb) * nsize
    fo, fmt = r.choice(ANN_NODE_FIELDS)
    struct.pack_into(fmt, img.b, n + fo, interesting(r, img, fmt))
    struct.pack_into("<I", img.b, n + 8, 0)
    crc = crc32c(img.seed, struct.pack("<I", gen))
    struct.pack_into("<I", img.b, n + 8, crc32c(crc, bytes(img.b[n:n + nsize])))
    return True


def interesting(r, img, fmt):
    size = struct.calcsize(fmt)
    top = (1 << (8 * size)) - 1
    c = [0, 1, 2, 3, 7, top, top - 1, top // 2, r.randrange(0, 64)]
    if img.meta:
        c += [r.choice(img.meta)] * 3
    c += [img.blocks, img.blocks - 1, r.randrange(0, max(1, img.blocks))]
    return r.choice(c) & top


def mutate(img, r):
    kinds = ["flip", "field", "inode", "inode", "inode", "sb", "gd", "bitmap", "xlink", "ann"]
    done = []
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        k = r.choice(kinds)
        if k == "flip" and img.meta:
            blk = r.choice(img.meta)
            off = blk * img.bs + r.randrange(img.bs)
            img.b[off] ^= r.randrange(1, 256)
        elif k == "field" and img.meta:
            blk = r.choice(img.meta)
            fmt = r.choice(["<H", "<I", "<Q"])
            off = blk * img.bs + r.randrange(0, img.bs - 8) // 2 * 2
            struct.pack_into(fmt, img.b, off, interesting(r, img, fmt))
        elif k == "inode" and img.inodes:
            ino, off = r.choice(img.inodes)
            fo, fmt = r.choice(INODE_FIELDS)
            struct.pack_into(fmt, img.b, off + fo, interesting(r, img, fmt))
            img.fix_inode(ino, off)
        elif k == "sb":
            fo, fmt = r.choice(SB_FIELDS)
            struct.pack_into(fmt, img.b, fo, interesting(r, img, fmt))
            img.fix_sb()
        elif k == "gd":
            g = r.randrange(img.groups)
            fo, fmt = r.choice(GD_FIELDS)
            struct.pack_into(fmt, img.b, img.gdt * img.bs + g * 64 + fo, interesting(r, img, fmt))
            img.fix_gd(g)
        elif k == "bitmap":
            g = r.randrange(img.groups)
            blk = struct.unpack_from("<Q", img.gd(g), 0)[0]
            if blk < img.blocks:
                for _ in range(r.randrange(1, 5)):
                    bit = r.randrange(min(8 * img.bs, img.blocks - g * 8 * img.bs))
                    img.b[blk * img.bs + bit // 8] ^= 1 << (bit % 8)
                img.fix_bbitmap(g)
        elif k == "ann" and ann_mutate(img, r):
            pass
        elif k == "xlink" and len(img.inodes) > 1:
            (i1, o1), (i2, o2) = r.sample(img.inodes, 2)
            src = r.choice([88] + [120 + 8 * j for j in range(15)])
            dst = r.choice([88] + [120 + 8 * j for j in range(15)])
            v = struct.unpack_from("<Q", img.b, o1 + src)[0]
            if v:
                struct.pack_into("<Q", img.b, o2 + dst, v)
                img.fix_inode(i2, o2)
        else:
            continue
        done.append(k)
    return done


def run(fsck, mode, path):
    try:
        p = subprocess.run([fsck, mode, path], capture_output=True, timeout=30,
                           env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
                                    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"))
    except subprocess.TimeoutExpired:
        return "hang", ""
    err = p.stderr.decode(errors="replace")
    if p.returncode < 0 or p.returncode >= 128 or "AddressSanitizer" in err or \
            "runtime error:" in err:
        return "crash", err[-3000:]
    return p.returncode, err


def snapshot(path, buf):
    """Read the whole image into the preallocated buf (no new pages)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.preadv(fd, [buf], 0)
    finally:
        os.close(fd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fsck", required=True)
    ap.add_argument("-n", type=int, default=1000, help="mutants per base image")
    ap.add_argument("-s", type=int, default=1, help="campaign seed")
    ap.add_argument("--scratch", default="/dev/shm")
    ap.add_argument("--keep", help="directory for failing mutants")
    ap.add_argument("bases", nargs="+")
    a = ap.parse_args()
    fails = 0
    total = 0
    for base in a.bases:
        raw = open(base, "rb").read()
        img0 = Image(raw)
        stats = {"clean": 0, "fixed": 0, "left": 0, "op": 0, "noconv": 0, "again": 0}
        print("# base %s: %d blocks of %d, %d metadata blocks, %d inodes in use"
              % (os.path.basename(base), img0.blocks, img0.bs, len(img0.meta), len(img0.inodes)))
        scratch = os.path.join(a.scratch, "vexfs-fuzz-%d.img" % os.getpid())
        # one buffer and one scratch file for every mutant, rewritten in
        # place: no fresh pages to fault in per mutant
        work = bytearray(len(raw))
        before, after = bytearray(len(raw)), bytearray(len(raw))
        view = memoryview(work)  # a memoryview copy is a memcpy; bytearray[:] = is 40x slower
        with open(scratch, "wb") as f:
            f.write(raw)
        for i in range(a.n):
            r = random.Random("%s:%d:%d" % (os.path.basename(base), a.s, i))
            img = Image.__new__(Image)
            img.__dict__.update(img0.__dict__)
            view[:] = raw
            img.b = work
            kinds = mutate(img, r)
            fd = os.open(scratch, os.O_WRONLY)
            os.pwrite(fd, img.b, 0)
            os.close(fd)
            tag = "%s seed %d mutant %d (%s)" % (os.path.basename(base), a.s, i, "+".join(kinds))
            bad = None
            rc1, e1 = run(a.fsck, "-n", scratch)
            rc2, e2 = ("-", "") if rc1 in ("crash", "hang") else run(a.fsck, "-y", scratch)
            rc3 = rc4 = "-"
            if rc2 in (0, 1):
                rc3, e3 = run(a.fsck, "-n", scratch)
                if rc3 in ("crash", "hang"):
                    bad = (rc3, e3)
                elif rc3 != 0:
                    stats["noconv"] += 1
            elif rc2 == 4:
                snapshot(scratch, before)
                rc4, e4 = run(a.fsck, "-y", scratch)
                if rc4 in ("crash", "hang"):
                    bad = (rc4, e4)
                elif snapshot(scratch, after) != len(raw) or after != before:
                    stats["again"] += 1
            for rc, e in ((rc1, e1), (rc2, e2)):
                if rc in ("crash", "hang") and not bad:
                    bad = (rc, e)
            stats[{0: "clean", 1: "fixed", 4: "left"}.get(rc2, "op")] += 1
            total += 1
            if bad:
                fails += 1
                print("not ok - %s: fsck %s" % (tag, bad[0]))
                print("# " + bad[1].replace("\n", "\n# ")[-2000:])
                if a.keep:
                    os.makedirs(a.keep, exist_ok=True)
                    with open(os.path.join(a.keep, "mutant-%d.img" % i), "wb") as f:
                        f.write(img.b)
        if os.path.exists(scratch):
            os.unlink(scratch)
        print("# %s: %d mutants; first -y: %d clean, %d fixed, %d left errors (exit 4), %d other;"
              " not converged: %d (-n after -y not clean), %d (second -y still changed the image)"
              % (os.path.basename(base), a.n, stats["clean"], stats["fixed"], stats["left"],
                 stats["op"], stats["noconv"], stats["again"]))
    print("ok - %d mutants without a crash or hang" % (total - fails) if not fails else
          "not ok - %d of %d mutants crashed or hung fsck" % (fails, total))
    print("# vtest: %d passed, %d failed" % (total - fails, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
