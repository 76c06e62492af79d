#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Crash consistency by replay of a dm-log-writes log (tests/vm/logwrites.sh).

  logwrites.py work M DM MANIFEST SEED STEPS
      STEPS seeded operations on the VexFS mounted at M, whose device is the
      log-writes target DM: creates (data of 0 B .. 300 KiB, 0-3 vectors set
      through the xattr view), overwrites and truncates, vectors attached,
      replaced and detached, renames across directories, hard links,
      unlinks, and writes never synced; an ANN index over the 16-dim float32
      vectors is created first (so most vector operations change it, with
      their reclaim steps) and dropped and created again every 25 steps. After each durable step (fsync of
      the file and of the directories touched) a mark "vx-K" goes into the
      log (dmsetup message DM 0 mark vx-K) and MANIFEST gets the state every
      later point must show: each marked file's data and vectors (SHA-256 of
      the data and of each user.vexfs.vec.* value), the paths that must be
      absent, and what the next step touches (its outcome is open until its
      own mark).

  logwrites.py replay LOG TARGET SCRATCH MANIFEST NPOINTS SEED
      Replays the log (the format of the kernel's
      Documentation/admin-guide/device-mapper/log-writes.rst: a super block,
      then per entry one sector of header, mark text, and the data written)
      onto TARGET from the "mkfs" mark on, and stops at NPOINTS points: flush,
      FUA and mark entries (a seeded, evenly spread choice when there are
      more) and a quarter at random entries between them (a crash there sees
      every write logged before it). At each point TARGET is copied onto
      SCRATCH (so TARGET itself only ever gets the log's writes) and SCRATCH
      is mounted, which replays the journal; every file of the
      last mark's state has its data and vectors, every absent path is
      absent, every file and vector on the filesystem reads without error,
      an approximate search (the ANN index when it is ready) returns only
      vectors that exist; after umount fsck.vexfs -n is clean (it checks
      that the index holds exactly the collection's vectors).

Prints "ok N - ..." per point and "# vtest: P passed, F failed".
"""
import ctypes
import hashlib
import json
import os
import random
import struct
import subprocess
import sys

from vt import ck, finish

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import numpy as np  # noqa: E402
import vexfs  # noqa: E402

LOG_MAGIC = 0x6a736677736872
FLUSH, FUA, DISCARD, MARK = 1, 2, 4, 8
VEC_MAGIC = 0x31415856
VEC_PREFIX = "user.vexfs.vec."
FSCK = os.environ.get("FSCK", os.path.join(os.getcwd(), "build/user/fsck.vexfs"))
VEXCTL = os.environ.get("VEXCTL", os.path.join(os.getcwd(), "build/user/vexctl"))
# the graph ANN index's collection: float32 vectors of 16 dims of the model
ANN = ("--dims", 16, "--model", "lw-model", "--range", "-4:4", "--degree", 8,
       "--ef-construction", 16)


def sha(b):
    return hashlib.sha256(b).hexdigest()[:16]


def run(*args):
    return subprocess.run([str(a) for a in args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


# ---- the workload -----------------------------------------------------------

def vec_value(rng):
    """A struct vexfs_vec_xattr + data: f32, f16 or int8, 4..64 dims."""
    dt = rng.choice([1, 1, 2, 3])
    dims = rng.choice([4, 16, 16, 16, 33, 64])     # f32 of 16 dims: the ANN index's
    if dt == 1:
        data = struct.pack("<%df" % dims, *[rng.uniform(-4, 4) for _ in range(dims)])
    elif dt == 2:
        data = struct.pack("<%de" % dims, *[rng.uniform(-4, 4) for _ in range(dims)])
    else:
        data = bytes(rng.randrange(256) for _ in range(dims))
    model = b"lw-model".ljust(16, b"\0")
    hdr = struct.pack("<IHHIIQQ16sIIQ", VEC_MAGIC, dt, 0, dims, len(data), 1000, 1000,
                      model, 1, 0, 0)
    return hdr + data


def file_state(path):
    with open(path, "rb") as f:
        data = f.read()
    vecs = sorted(n for n in os.listxattr(path) if n.startswith(VEC_PREFIX))
    return {"sha": sha(data), "size": len(data),
            "vec": [sha(os.getxattr(path, n)) for n in vecs]}


LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.fallocate.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong)
FALLOC = {"punch": 0x02 | 0x01, "collapse": 0x08, "insert": 0x20}   # linux/falloc.h


def fallocate(fd, op, off, length):
    if LIBC.fallocate(fd, FALLOC[op], off, length):
        e = ctypes.get_errno()
        raise OSError(e, "fallocate %s %d+%d: %s" % (op, off, length, os.strerror(e)))


def fsync_path(p, flags=os.O_RDONLY):
    fd = os.open(p, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def do_work(m, dm, manifest, seed, steps):
    rng = random.Random(seed)
    dirs = ["d0", "d1", "d2", "d2/e"]
    for d in dirs:
        os.makedirs(os.path.join(m, d))
    fsync_path(m)
    fsync_path(os.path.join(m, "d2"))
    # the index: every ATTACH, replace, DETACH and unlink of its vectors
    # changes it (and steps its reclaim sweep) in the same transaction
    r = run(VEXCTL, "index", "create", m, *ANN)
    ck(r.returncode == 0, "workload: the ANN index created", r.stdout)
    state = {}          # path -> its state at the last mark
    gone = set()        # paths that must be absent
    out = open(manifest, "w")
    n = 0

    def P(p):
        return os.path.join(m, p)

    def newname():
        nonlocal n
        n += 1
        return "%s/f%03d" % (rng.choice(dirs), n)

    def payload():
        size = rng.choice([0, 100, 4096, 5000, 70000, 300000])
        return rng.randbytes(size)

    for k in range(1, steps + 1):
        ops = ["create"] * 4 + ["unsynced"]
        if state:
            ops += ["overwrite", "truncate", "attach", "replace", "detach", "rename",
                    "link", "unlink", "attach", "replace", "detach", "unlink",
                    "punch", "collapse", "insert"]
        if k % 25 == 0:
            ops = ["reindex"]   # drop and create the index: data unchanged
        op = rng.choice(ops)
        live = sorted(state)
        touched = []
        if op == "reindex":
            for a in (("drop", m), ("create", m) + ANN):
                r = run(VEXCTL, "index", *a)
                if r.returncode:
                    ck(False, "workload: index %s" % a[0], r.stdout)
            os.sync()
        elif op in ("create", "unsynced"):
            p = newname()
            touched = [p]
            fd = os.open(P(p), os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644)
            os.write(fd, payload())
            for i in range(rng.randrange(4)):
                os.setxattr(P(p), VEC_PREFIX + "%05d" % i, vec_value(rng))
            if op == "create":
                os.fsync(fd)
                fsync_path(os.path.dirname(P(p)))
            os.close(fd)
        else:
            p = rng.choice(live)
            touched = [p]
            if op == "overwrite":
                fd = os.open(P(p), os.O_WRONLY)
                size = os.fstat(fd).st_size
                os.pwrite(fd, rng.randbytes(rng.choice([1, 4096, 9000])),
                          rng.randrange(size + 4096))
                os.fsync(fd)
                os.close(fd)
            elif op == "truncate":
                fd = os.open(P(p), os.O_WRONLY)
                os.ftruncate(fd, rng.randrange(os.fstat(fd).st_size + 1))
                os.fsync(fd)
                os.close(fd)
            elif op in ("punch", "collapse", "insert"):
                # one transaction each at these sizes: a point between the
                # marks shows the file before or after, and fsck is clean
                fd = os.open(P(p), os.O_WRONLY)
                size = os.fstat(fd).st_size
                bs = os.statvfs(m).f_bsize
                lim = (size - 1) // bs          # collapse: off + len < size
                if op == "punch" and size:
                    off = rng.randrange(size)
                    fallocate(fd, op, off, rng.randrange(1, size - off + 4096))
                elif op == "collapse" and lim >= 1:
                    a = rng.randrange(lim)
                    fallocate(fd, op, a * bs, rng.randrange(1, lim - a + 1) * bs)
                elif op == "insert" and size:
                    fallocate(fd, op, rng.randrange((size + bs - 1) // bs) * bs,
                              rng.randrange(1, 33) * bs)
                os.fsync(fd)
                os.close(fd)
            elif op in ("attach", "replace", "detach"):
                nv = len(state[p]["vec"])
                if op == "attach" or nv == 0:
                    os.setxattr(P(p), VEC_PREFIX + "%05d" % nv, vec_value(rng))
                elif op == "replace":
                    os.setxattr(P(p), VEC_PREFIX + "%05d" % rng.randrange(nv), vec_value(rng))
                else:
                    os.removexattr(P(p), VEC_PREFIX + "%05d" % rng.randrange(nv))
                fsync_path(P(p))
            elif op == "rename":
                q = newname()
                touched.append(q)
                os.rename(P(p), P(q))
                fsync_path(os.path.dirname(P(p)))
                fsync_path(os.path.dirname(P(q)))
                # the other links of the file keep their names
                state[q] = state.pop(p)
                gone.add(p)
                gone.discard(q)
            elif op == "link":
                q = newname()
                touched.append(q)
                os.link(P(p), P(q))
                fsync_path(os.path.dirname(P(q)))
            elif op == "unlink":
                os.unlink(P(p))
                fsync_path(os.path.dirname(P(p)))
                del state[p]
                gone.add(p)
        # the state every later point must show (links share one inode:
        # re-read every path that names it)
        for q in touched:
            if os.path.exists(P(q)) and op != "unsynced":
                state[q] = file_state(P(q))
                gone.discard(q)
        if op in ("overwrite", "truncate", "attach", "replace", "detach", "punch", "collapse",
                  "insert"):
            ino = os.stat(P(p)).st_ino
            for q in list(state):
                if q != p and os.stat(P(q)).st_ino == ino:
                    state[q] = file_state(P(q))
                    touched.append(q)
        # what step k touched is open between mark k-1 and mark k
        out.write(json.dumps({"mark": "vx-%d" % k, "op": op, "touched": touched,
                              "state": state, "gone": sorted(gone)}) + "\n")
        r = run("dmsetup", "message", dm, "0", "mark", "vx-%d" % k)
        if r.returncode:
            ck(False, "dmsetup message mark vx-%d" % k, r.stdout)
            break
    out.close()
    ck(True, "workload: %d steps, %d files marked, %d paths gone" % (steps, len(state), len(gone)))


# ---- the replay -------------------------------------------------------------

class Log:
    def __init__(self, path):
        self.f = open(path, "rb")
        magic, ver, nr, ss = struct.unpack("<QQQI", self.f.read(28))
        if magic != LOG_MAGIC or ver != 1:
            raise ValueError("%s: not a dm-log-writes log (magic %x version %d)" %
                             (path, magic, ver))
        self.ss = ss
        self.entries = []       # (sector, nr_sectors, flags, mark, data offset)
        pos = ss
        for _ in range(nr):
            self.f.seek(pos)
            hdr = self.f.read(ss)
            sector, nsec, flags, dlen = struct.unpack_from("<QQQQ", hdr)
            mark = hdr[32:32 + dlen].decode(errors="replace") if flags & MARK else None
            self.entries.append((sector, nsec, flags, mark, pos + ss))
            pos += ss + (0 if flags & DISCARD else nsec * ss)

    def apply(self, i, fd):
        sector, nsec, flags, _, off = self.entries[i]
        if not nsec:
            return
        if flags & DISCARD:
            # zeros, as replay-log without discard support (VexFS issues none)
            zero = bytes(1 << 20)
            for o in range(0, nsec * self.ss, len(zero)):
                os.pwrite(fd, zero[:min(len(zero), nsec * self.ss - o)], sector * self.ss + o)
            return
        self.f.seek(off)
        os.pwrite(fd, self.f.read(nsec * self.ss), sector * self.ss)


def check_tree(m, want, gone, skip):
    """The marked state is there, absent paths are absent, all reads work."""
    bad = []
    for p, st in want.items():
        if p in skip:
            continue
        try:
            got = file_state(os.path.join(m, p))
        except OSError as ex:
            bad.append("%s: %s" % (p, ex))
            continue
        if got != st:
            bad.append("%s: %s, marked %s" % (p, got, st))
    for p in gone:
        if p not in skip and os.path.lexists(os.path.join(m, p)):
            bad.append("%s: present after its removal was marked" % p)
    nfiles = nvec = 0
    for root, _, files in os.walk(m, onerror=lambda ex: bad.append("walk: %s" % ex)):
        for name in files:
            try:
                st = file_state(os.path.join(root, name))
                nfiles += 1
                nvec += len(st["vec"])
            except OSError as ex:
                bad.append("%s: %s" % (os.path.join(root, name), ex))
    return bad, nfiles, nvec


def check_search(m):
    """An approximate search (answered by the index when it is ready) returns
    live vectors only: problems, and whether the index answered."""
    live, bad = set(), []
    for root, _, files in os.walk(m):
        for name in files:
            try:
                live.update(int(i) for i in vexfs.ids(os.path.join(root, name)))
            except OSError as ex:
                bad.append("ids %s: %s" % (name, ex))
    r = random.Random(5)
    q = np.array([[r.uniform(-4, 4) for _ in range(16)] for _ in range(4)], dtype=np.float32)
    try:
        res = vexfs.search_raw(m, q, k=3, fs=True, model="lw-model", approx=True, ef=64)
    except OSError as ex:
        return bad + ["search: %s" % ex], False
    found = {int(i) for i in res.ids.ravel() if i >= 0}
    if found - live:
        bad.append("search returned vectors that do not exist: %s" % sorted(found - live)[:5])
    return bad, res.approx


def do_replay(log, target, scratch, manifest, npoints, seed):
    rng = random.Random(seed)
    lg = Log(log)
    marks = [json.loads(line) for line in open(manifest)]
    by_mark = {mk["mark"]: i for i, mk in enumerate(marks)}
    start = next((i for i, e in enumerate(lg.entries) if e[3] == "mkfs"), None)
    if not ck(start is not None, "the log has the mkfs mark (%d entries)" % len(lg.entries)):
        return
    later = range(start, len(lg.entries))
    # every mark of the workload is in the log, in order (dm-log-writes stops
    # logging, silently, when the log device is full)
    logged = [lg.entries[i][3] for i in later if lg.entries[i][3] in by_mark]
    ck(logged == [mk["mark"] for mk in marks],
       "the log holds the workload's %d marks in order" % len(marks),
       "%d of them: %s" % (len(logged), logged[-3:]))
    cand = [i for i in later if lg.entries[i][2] & (FLUSH | FUA | MARK)]
    cset = set(cand)
    others = [i for i in later if i not in cset]
    nc = min(len(cand), npoints - npoints // 4)
    if nc < len(cand):
        cand = [cand[j * len(cand) // nc] for j in range(nc)]
    pts = set(cand) | set(rng.sample(others, min(len(others), npoints - nc)))
    pts.add(len(lg.entries) - 1)
    pts = sorted(pts)
    print("# log: %d entries (%d flush/FUA, %d marks) from the mkfs mark; %d replay points" %
          (len(lg.entries) - start,
           sum(1 for i in later if lg.entries[i][2] & (FLUSH | FUA)),
           sum(1 for i in later if lg.entries[i][2] & MARK), len(pts)))
    fd = os.open(target, os.O_RDWR)
    os.pwrite(fd, bytes(1 << 20), 0)    # no stale superblock from an earlier run
    for i in range(start + 1):
        lg.apply(i, fd)
    done = start
    mnt = "/mnt/lwreplay"
    os.makedirs(mnt, exist_ok=True)
    napprox = npt = nfsck = 0
    for pt in pts:
        for i in range(done + 1, pt + 1):
            lg.apply(i, fd)
        done = pt
        os.fsync(fd)
        # the last mark at or before the point, and what the next step touches
        k = max((by_mark[lg.entries[i][3]] for i in range(start, pt + 1)
                 if lg.entries[i][3] in by_mark), default=None)
        want = marks[k]["state"] if k is not None else {}
        gone = marks[k]["gone"] if k is not None else []
        nxt = (k + 1) if k is not None else 0
        skip = set(marks[nxt]["touched"]) if nxt < len(marks) else set()
        what = "entry %d (%s%s)" % (pt, "last mark " + marks[k]["mark"] if k is not None
                                    else "no mark yet",
                                    ", then " + marks[nxt]["op"] if nxt < len(marks) else "")
        # A full copy, not a dm-snapshot of TARGET: on 6.12 under TCG the
        # guest crashed, about once in 500 snapshot create/mount/remove
        # cycles, with stack memory of the mounting task overwritten by
        # pointers (Documentation/testing.rst, "dm-snapshot").
        r = run("dd", "if=" + target, "of=" + scratch, "bs=4M", "iflag=direct",
                "oflag=direct", "status=none")
        if r.returncode:
            ck(False, "point %s: copy to %s" % (what, scratch), r.stdout.strip())
            break
        run("blockdev", "--flushbufs", scratch)
        dev = scratch
        # fsck.vexfs replays the journal as the kernel does: at every second
        # point -n in memory (the check must find what the mount will leave),
        # at every fourth -y on disk, so that the mount below finds nothing
        # to replay and the marked state must come from fsck's replay
        pre = []
        by_n = npt % 2 == 0
        if by_n:
            f = run(FSCK, "-n", dev)
            if f.returncode:
                pre.append("fsck -n before the mount (journal replayed in memory) exit %d: %s" %
                           (f.returncode, " | ".join(f.stdout.splitlines()[:6])))
        by_fsck = npt % 4 == 0
        npt += 1
        if by_fsck:
            f = run(FSCK, "-y", dev)
            if f.returncode not in (0, 1):
                pre.append("fsck -y (journal replayed on disk) exit %d: %s" %
                           (f.returncode, " | ".join(f.stdout.splitlines()[:6])))
            nfsck += 1
        r = run("mount", "-t", "vexfs", dev, mnt)
        if not r.returncode:
            bad, nf, nv = check_tree(mnt, want, gone, skip)
            bad = pre + bad
            sbad, approx = check_search(mnt)
            bad += sbad
            napprox += approx
            u = run("umount", mnt)
            if u.returncode:
                bad.append("umount: " + u.stdout.strip())
            f = run(FSCK, "-n", dev)
            if f.returncode:
                bad.append("fsck -n exit %d: %s" % (f.returncode,
                                                    " | ".join(f.stdout.splitlines()[:6])))
            ck(not bad, "point %s: %smounts, %d files and %d vectors "
               "read, marked state intact, an approximate search returns live vectors%s, fsck clean" %
               (what, "fsck -n and -y clean before the mount, " if by_fsck else
                "fsck -n clean before the mount, " if by_n else "", nf, nv,
                " (the index answered)" if approx else ""), "; ".join(bad[:5]))
        else:
            ck(False, "point %s: mount" % what, r.stdout.strip())
    os.close(fd)
    print("# the ANN index answered the approximate search at %d of %d points" %
          (napprox, len(pts)))
    print("# fsck.vexfs -y replayed the journal before the mount at %d points" % nfsck)


def main():
    mode = sys.argv[1]
    if mode == "work":
        m, dm, manifest, seed, steps = sys.argv[2:7]
        do_work(m, dm, manifest, int(seed), int(steps))
    elif mode == "replay":
        log, target, scratch, manifest, npoints, seed = sys.argv[2:8]
        do_replay(log, target, scratch, manifest, int(npoints), int(seed))
    else:
        sys.exit(__doc__)
    finish()


if __name__ == "__main__":
    main()
