#!/usr/bin/env python3
"""vximg.py - craft corrupted VexFS images for VM tests (offline, unmounted).

  vximg.py DEV sb FIELD VALUE        set a superblock field, fix the checksum
  vximg.py DEV inode INO FIELD VALUE set a raw inode field, fix its checksum
  vximg.py DEV jsb FIELD VALUE       set a jbd2 superblock field (big-endian),
                                     fix the jbd2 superblock checksum
  vximg.py DEV get sb FIELD | get inode INO FIELD | get jsb FIELD
  vximg.py DEV dtype DIRINO NAME T   set d_type of entry NAME in bucket 0 of a
                                     one-bucket directory, fix the checksum
  vximg.py DEV bbits GRP             the set bits of a group's block bitmap
  vximg.py DEV bbclear GRP BIT...    clear bits of a group's block bitmap, fix
                                     its checksum, the free count and the
                                     descriptor's checksum
  vximg.py DEV vtab ID owner INO     set the owner of vector table entry ID
                                     (one of the first block's), fix its CRC
  vximg.py DEV annnode SLOT FIELD VALUE  set a field of ANN index node SLOT
                                     (in the first 11 node blocks), fix its CRC

Offsets follow include/vexfs/vexfs_fs.h and the jbd2 on-disk format
(Documentation/filesystems/ext4/journal.rst).
"""
import struct
import sys

# name: (offset, struct format)
SB = {"block_bits": (8, "<I"), "blocks_count": (16, "<Q"), "orphan_head": (112, "<Q"), "state": (84, "<I"),
      "journal_start": (72, "<Q"), "journal_blocks": (80, "<I"),
      "feature_compat": (88, "<Q"), "feature_ro_compat": (96, "<Q"), "label0": (152, "<B")}
INODE = {"mode": (0, "<H"), "links": (12, "<I"), "size": (16, "<Q"), "blocks": (24, "<Q"),
         "xattr": (88, "<Q"), "orphan_next": (96, "<Q"), "block0": (120, "<Q"),
         "block1": (128, "<Q"), "ind": (120 + 12 * 8, "<Q"),
         "parent": (240, "<Q"), "parent_hash": (248, "<I")}
ANN_NODE = {"vid": (0, "<Q"), "state": (12, "<B"), "count": (13, "<B"), "died": (14, "<H"),
            "nbr0": (16, "<I")}
JSB = {"magic": (0x0, ">I"), "maxlen": (0x10, ">I"), "first": (0x14, ">I"), "start": (0x1c, ">I")}


def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


T = _table()


def crc32c(crc, data):
    """The kernel's crc32c(): no inversion in or out."""
    for b in data:
        crc = T[(crc ^ b) & 0xff] ^ (crc >> 8)
    return crc


class Img:
    def __init__(self, path):
        self.f = open(path, "r+b")
        self.sb = bytearray(self.read(0, 1024))
        self.bs = 1 << struct.unpack_from("<I", self.sb, 8)[0]
        self.ipg = struct.unpack_from("<I", self.sb, 52)[0]
        self.gdt = struct.unpack_from("<Q", self.sb, 64)[0]
        self.seed = crc32c(0xffffffff, self.sb[136:152])

    def read(self, off, n):
        self.f.seek(off)
        return self.f.read(n)

    def write(self, off, data):
        self.f.seek(off)
        self.f.write(data)
        self.f.flush()

    def put_sb(self):
        struct.pack_into("<I", self.sb, 1020, crc32c(0xffffffff, bytes(self.sb[:1020])))
        self.write(0, bytes(self.sb))

    def inode_off(self, ino):
        grp, idx = divmod(ino - 1, self.ipg)
        gd = self.read(self.gdt * self.bs + grp * 64, 64)
        itable = struct.unpack_from("<Q", gd, 16)[0]
        return itable * self.bs + idx * 256

    def get_inode(self, ino):
        return bytearray(self.read(self.inode_off(ino), 256))

    def put_inode(self, ino, raw):
        crc = crc32c(self.seed, struct.pack("<Q", ino))
        struct.pack_into("<I", raw, 252, crc32c(crc, bytes(raw[:252])))
        self.write(self.inode_off(ino), bytes(raw))

    def ann_node(self, slot, field, value):
        ino3 = self.get_inode(3)
        ptr = [struct.unpack_from("<Q", ino3, 120 + 8 * j)[0] for j in range(12)]
        d = self.read(ptr[0] * self.bs, 512)
        gen, nsize = struct.unpack_from("<I", d, 12)[0], struct.unpack_from("<H", d, 34)[0]
        npb = self.bs // nsize
        off = ptr[1 + slot // npb] * self.bs + (slot % npb) * nsize
        node = bytearray(self.read(off, nsize))
        fo, fmt = ANN_NODE[field]
        struct.pack_into(fmt, node, fo, value)
        struct.pack_into("<I", node, 8, 0)
        crc = crc32c(self.seed, struct.pack("<I", gen))
        struct.pack_into("<I", node, 8, crc32c(crc, bytes(node)))
        self.write(off, bytes(node))

    def gd_off(self, grp):
        return self.gdt * self.bs + grp * 64

    def bbitmap(self, grp):
        gd = bytearray(self.read(self.gd_off(grp), 64))
        blk = struct.unpack_from("<Q", gd, 0)[0]
        return gd, blk, bytearray(self.read(blk * self.bs, self.bs))

    def bbclear(self, grp, bits):
        gd, blk, bm = self.bbitmap(grp)
        for bit in bits:
            if bm[bit // 8] & (1 << (bit % 8)):
                bm[bit // 8] &= ~(1 << (bit % 8)) & 0xff
                struct.pack_into("<I", gd, 24, struct.unpack_from("<I", gd, 24)[0] + 1)
        self.write(blk * self.bs, bytes(bm))
        struct.pack_into("<I", gd, 40, crc32c(self.seed, bytes(bm)))
        crc = crc32c(self.seed, struct.pack("<I", grp))
        struct.pack_into("<I", gd, 60, crc32c(crc, bytes(gd[:60])))
        self.write(self.gd_off(grp), bytes(gd))

    def set_dtype(self, dino, name, t):
        blk = struct.unpack_from("<Q", self.get_inode(dino), 128)[0]   # i_block[1]: bucket 0
        b = bytearray(self.read(blk * self.bs, self.bs))
        used = struct.unpack_from("<H", b, 18)[0]
        off = 24
        while off < 24 + used:
            n = b[off + 16]
            if bytes(b[off + 18:off + 18 + n]) == name.encode():
                b[off + 17] = t
                break
            off += (18 + n + 7) & ~7
        else:
            sys.exit("no entry " + name)
        crc = crc32c(self.seed, struct.pack("<Q", dino))
        crc = crc32c(crc, bytes(b[:4]) + bytes(4) + bytes(b[8:]))
        struct.pack_into("<I", b, 4, crc)
        self.write(blk * self.bs, bytes(b))

    def set_vtab_owner(self, vid, ino):
        # the vector table (inode 2) keeps entry @vid in its first block while
        # vid < block size / 32 (the first ids)
        assert vid < self.bs // 32
        tblk = struct.unpack_from("<Q", self.get_inode(2), 120)[0]     # i_block[0]
        off = tblk * self.bs + vid * 32
        e = bytearray(self.read(off, 32))
        struct.pack_into("<Q", e, 0, ino)
        crc = crc32c(self.seed, struct.pack("<Q", vid))
        struct.pack_into("<I", e, 28, crc32c(crc, bytes(e[:28])))
        self.write(off, bytes(e))

    def jsb_off(self):
        return struct.unpack_from("<Q", self.sb, 72)[0] * self.bs

    def get_jsb(self):
        return bytearray(self.read(self.jsb_off(), 1024))

    def put_jsb(self, j):
        struct.pack_into(">I", j, 0xfc, 0)
        struct.pack_into(">I", j, 0xfc, crc32c(0xffffffff, bytes(j)))
        self.write(self.jsb_off(), bytes(j))


def main(argv):
    img = Img(argv[1])
    what = argv[2]
    if what == "get":
        kind = argv[3]
        if kind == "sb":
            off, fmt = SB[argv[4]]
            print(struct.unpack_from(fmt, img.sb, off)[0])
        elif kind == "inode":
            off, fmt = INODE[argv[5]]
            print(struct.unpack_from(fmt, img.get_inode(int(argv[4])), off)[0])
        else:
            off, fmt = JSB[argv[4]]
            print(struct.unpack_from(fmt, img.get_jsb(), off)[0])
    elif what == "sb":
        off, fmt = SB[argv[3]]
        struct.pack_into(fmt, img.sb, off, int(argv[4], 0))
        img.put_sb()
    elif what == "inode":
        ino = int(argv[3])
        raw = img.get_inode(ino)
        off, fmt = INODE[argv[4]]
        struct.pack_into(fmt, raw, off, int(argv[5], 0))
        img.put_inode(ino, raw)
    elif what == "dtype":
        img.set_dtype(int(argv[3]), argv[4], int(argv[5], 0))
    elif what == "bbits":
        bm = img.bbitmap(int(argv[3]))[2]
        print(" ".join(str(i) for i in range(len(bm) * 8) if bm[i // 8] & (1 << (i % 8))))
    elif what == "bbclear":
        img.bbclear(int(argv[3]), [int(b) for b in argv[4:]])
    elif what == "vtab":
        img.set_vtab_owner(int(argv[3]), int(argv[5], 0)) if argv[4] == "owner" else \
            sys.exit("vtab ID owner INO")
    elif what == "annnode":
        img.ann_node(int(argv[3]), argv[4], int(argv[5], 0))
    elif what == "jsb":
        j = img.get_jsb()
        off, fmt = JSB[argv[3]]
        struct.pack_into(fmt, j, off, int(argv[4], 0))
        img.put_jsb(j)
    else:
        sys.exit("unknown command " + what)


if __name__ == "__main__":
    main(sys.argv)
