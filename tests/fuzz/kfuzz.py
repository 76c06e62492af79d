#!/usr/bin/env python3
"""kfuzz.py - mount mutated VexFS images in the guest kernel (run by kfuzz.sh).

  kfuzz.py -n MUTANTS -s SEED --dev /dev/loopN --backing FILE --mnt DIR BASE.img...

Mutants are those of fsck_fuzz.py (same generator, same seeds). Each is
written to FILE, the loop device DEV's backing file, mounted read-write and
exercised (walk, read every file, xattrs; FIEMAP, SEEK_DATA / SEEK_HOLE, and rw PUNCH_HOLE, ZERO_RANGE,
COLLAPSE_RANGE, INSERT_RANGE and fallocate on files with indirect blocks
and holes; the vector ioctls LIST, GET, SEARCH with paths, INDEX stats, an
approximate SEARCH, ATTACH and DETACH through python/vexfs;
create/write/fsync/rename/unlink; umount), then mounted read-only and
walked again. Everything runs in this one process (mount(2), umount(2),
ioctls): under TCG a process costs ~0.15 s, which made processes most of a
mutant's time. Before each mutant a "VEXFS-MUTANT base seed index" line
goes to the kernel log, so a splat or hang in the console names the mutant
that caused it. Errors from the filesystem are expected; a splat fails the
VM run (vm-run.sh); a call that outlives its limit (watchdog()) or an
unmount that fails is reported with the mutant and ends the run failed.
"""
import argparse
import ctypes
import fcntl
import os
import random
import struct
import sys
import threading
import time

import numpy as np
import vexfs

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fsck_fuzz  # noqa: E402


PHASE = {}


def timed(name, fn, *args):
    t = time.time()
    try:
        return fn(*args)
    finally:
        PHASE[name] = PHASE.get(name, 0.0) + time.time() - t


LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                       ctypes.c_void_p]
LIBC.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
LIBC.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
MS_RDONLY = 1
BLKFLSBUF = 0x1261
# what the guest is doing, and until when it may take (watchdog())
WATCH = {"tag": "", "what": None, "until": 0.0}
LIMITS = {"mount": 30, "umount": 60, "walk": 60, "block-map calls": 60, "vector ioctls": 60,
          "changes": 60}


def watch(what):
    WATCH["what"] = what
    WATCH["until"] = time.time() + LIMITS.get(what, 30)


def fail(what):
    """Report what went wrong with the current mutant and end the run failed
    at once (a stuck call may never return, a failed umount leaves the mount)."""
    print("not ok - %s: %s" % (WATCH["tag"], what), flush=True)
    print("# vm-test: 0 passed, 1 failed", flush=True)
    os._exit(1)


def watchdog():
    """A call that outlives its limit is a hang."""
    while True:
        time.sleep(1)
        if WATCH["what"] and time.time() > WATCH["until"]:
            fail("timed out: %s" % WATCH["what"])


def mount(dev, mnt, rw):
    """mount(2) in-process (a mount(8) process costs ~0.15 s under TCG);
    returns the errno, 0 when mounted."""
    if LIBC.mount(dev.encode(), mnt.encode(), b"vexfs", 0 if rw else MS_RDONLY, None):
        return ctypes.get_errno()
    return 0


def umount(mnt):
    if LIBC.umount2(mnt.encode(), 0):
        fail("umount: %s" % os.strerror(ctypes.get_errno()))


def put_image(backing, dev, b):
    os.pwrite(backing, b, 0)
    fcntl.ioctl(dev, BLKFLSBUF, 0)


def kmsg(s):
    with open("/dev/kmsg", "w") as f:
        f.write(s + "\n")


def walk(m):
    """lstat, read (70 KB), readlink and every xattr of everything: in-process."""
    for root, dirs, files in os.walk(m, onerror=lambda e: None):
        for n in dirs + files:
            p = os.path.join(root, n)
            try:
                st = os.lstat(p)
                for x in os.listxattr(p, follow_symlinks=False):
                    try:
                        os.getxattr(p, x, follow_symlinks=False)
                    except OSError:
                        pass
                if os.path.islink(p):
                    os.readlink(p)
                elif os.path.isfile(p) and not (st.st_mode & 0o170000 == 0o010000):
                    with open(p, "rb") as f:
                        f.read(70000)
            except OSError:
                pass


def tryop(fn):
    try:
        fn()
    except OSError:
        pass


def changes(m):
    """create/write/fsync/rename/mkdir/unlink/truncate/setxattr/rmtree: in-process."""
    def new():
        fd = os.open(m + "/kfuzz-new", os.O_CREAT | os.O_WRONLY, 0o644)
        try:
            os.write(fd, b"x" * 70000)
            os.fsync(fd)
        finally:
            os.close(fd)
    tryop(new)
    tryop(lambda: os.makedirs(m + "/a/kd", exist_ok=True))
    tryop(lambda: os.rename(m + "/kfuzz-new", m + "/a/kd/moved"))
    tryop(lambda: os.setxattr(m + "/a/small", "user.k", b"1"))
    tryop(lambda: os.truncate(m + "/a/b/c/large", 10))
    tryop(lambda: os.unlink(m + "/a/fast"))
    for root, dirs, files in os.walk(m + "/big", topdown=False, onerror=lambda e: None):
        for n in files:
            tryop(lambda: os.unlink(os.path.join(root, n)))
        tryop(lambda: os.rmdir(root))
    tryop(lambda: os.unlink(m + "/a/kd/moved"))


FAILED = []


def vector_calls(m, rw):
    """The vector ioctls, in-process (python/vexfs): LIST, GET, SEARCH with
    paths, INDEX stats, an approximate SEARCH; when rw also ATTACH, and a
    DETACH with the ANN index's reclaim step. Any error is expected."""
    q = np.full(64, 0.25, dtype=np.float32)
    calls = [lambda: vexfs.ids(m + "/v/sq8"),
             lambda: vexfs.get(m + "/v/pq", int(vexfs.ids(m + "/v/pq")[0])),
             lambda: vexfs.search(m, q, k=5),
             lambda: vexfs.index_stats(m),
             lambda: vexfs.search_raw(m, q, k=5, approx=True, model="fuzz")]
    if rw:
        calls += [lambda: vexfs.attach(m + "/a/small", q),
                  lambda: vexfs.attach(m + "/v/churn", q, model="fuzz"),
                  lambda: vexfs.detach(m + "/v/churn", int(vexfs.ids(m + "/v/churn")[0]))]
    done = 0
    for c in calls:
        try:
            c()
            done += 1
        except Exception as e:  # noqa: BLE001 - a corrupt image answers anything
            FAILED.append(repr(e))
    return done, len(calls)


FS_IOC_FIEMAP = 0xC020660B
FALLOC = {"punch": 0x03, "collapse": 0x08, "zero": 0x10, "insert": 0x20, "alloc": 0x00}


def fiemap(fd):
    """FS_IOC_FIEMAP of the whole file, 32 extents at most."""
    buf = bytearray(32 + 32 * 56)
    struct.pack_into("<QQIII", buf, 0, 0, 0xFFFFFFFFFFFFFFFF, 0, 0, 32)
    fcntl.ioctl(fd, FS_IOC_FIEMAP, buf)


def falloc(fd, what, off, length):
    if LIBC.fallocate(fd, FALLOC[what], off, length):
        err = ctypes.get_errno()
        raise OSError(err, "fallocate %s: %s" % (what, os.strerror(err)))


def map_ops(m, rw):
    """The block-map walkers on a file with indirect blocks and on a sparse
    one: FIEMAP, SEEK_DATA / SEEK_HOLE, and when rw PUNCH_HOLE, ZERO_RANGE,
    COLLAPSE_RANGE, INSERT_RANGE and an allocating fallocate (offsets and
    lengths in 4 KiB: whole blocks on both bases). Returns (done, calls)."""
    done = calls = 0
    for name, shifts in (("a/b/c/large", [("punch", 4096, 4096), ("zero", 16384, 4096),
                                          ("collapse", 8192, 8192), ("insert", 8192, 4096),
                                          ("alloc", 598016, 8192)]),
                         ("a/sparse", [("collapse", 1 << 20, 1 << 20), ("insert", 0, 4096),
                                       ("punch", 8 << 20, 4096)])):
        steps = [lambda fd: fiemap(fd), lambda fd: os.lseek(fd, 0, os.SEEK_DATA),
                 lambda fd: os.lseek(fd, 0, os.SEEK_HOLE)]
        if rw:
            steps += [lambda fd, w=w, o=o, n=n: falloc(fd, w, o, n) for w, o, n in shifts]
            steps.append(lambda fd: fiemap(fd))
        calls += len(steps)
        try:
            fd = os.open(os.path.join(m, name), os.O_RDWR if rw else os.O_RDONLY)
        except OSError as e:
            FAILED.append("open %s: %r" % (name, e))
            continue
        try:
            for st in steps:
                try:
                    st(fd)
                    done += 1
                except OSError as e:
                    FAILED.append("%s: %r" % (name, e))
        finally:
            os.close(fd)
    return done, calls


def exercise(m, rw):
    watch("walk")
    timed("walk", walk, m)
    watch("block-map calls")
    d1, c1 = timed("map", map_ops, m, rw)
    watch("vector ioctls")
    d2, c2 = timed("vectors", vector_calls, m, rw)
    if rw:
        watch("changes")
        timed("changes", changes, m)
    return d1 + d2, c1 + c2


def mount_cycle(devname, mnt):
    """The image on the device mounted rw, exercised, unmounted, then the same
    ro. Returns, per mount, (rw, errno of the mount or 0, calls that
    succeeded, calls made); FAILED has the failed calls' errors."""
    out = []
    del FAILED[:]
    for rw in (True, False):
        watch("mount")
        err = timed("mount", mount, devname, mnt, rw)
        done = calls = 0
        if not err:
            done, calls = exercise(mnt, rw)
            watch("umount")
            timed("umount", umount, mnt)
        out.append((rw, err, done, calls))
    return out


def baseline(devname, dev, backing, mnt, raw, name):
    """The unmutated image: both mounts and every block-map and vector call
    must succeed (they reach the kernel and the image has what they ask
    for), or the campaign tests less than it says."""
    WATCH["tag"] = "%s unmutated" % name
    put_image(backing, dev, raw)
    ok = True
    for rw, err, done, calls in mount_cycle(devname, mnt):
        mode = "rw" if rw else "ro"
        if err:
            print("not ok - %s: mount (%s): %s" % (WATCH["tag"], mode, os.strerror(err)))
            ok = False
        elif done != calls:
            print("not ok - %s (%s): %d of %d block-map and vector calls failed: %s"
                  % (WATCH["tag"], mode, calls - done, calls, "; ".join(FAILED)))
            ok = False
    if ok:
        print("ok - %s: mounted rw and ro, every block-map and vector call answered"
              % WATCH["tag"])
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("-s", type=int, default=1)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--backing", required=True, help="the file behind the loop device DEV")
    ap.add_argument("--mnt", required=True)
    ap.add_argument("bases", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.mnt, exist_ok=True)
    threading.Thread(target=watchdog, daemon=True).start()
    total = mounted = 0
    t0 = time.time()
    dev = os.open(a.dev, os.O_RDONLY)
    backing = os.open(a.backing, os.O_RDWR)
    base_ok = 0
    for base in a.bases:
        raw = open(base, "rb").read()
        img0 = fsck_fuzz.Image(raw)
        name = os.path.basename(base)
        if baseline(a.dev, dev, backing, a.mnt, raw, name):
            base_ok += 1
        for i in range(a.n):
            r = random.Random("%s:%d:%d" % (name, a.s, i))
            img = fsck_fuzz.Image.__new__(fsck_fuzz.Image)
            img.__dict__.update(img0.__dict__)
            img.b = bytearray(raw)
            kinds = timed("mutate", fsck_fuzz.mutate, img, r)
            WATCH["tag"] = "%s seed %d mutant %d (%s)" % (name, a.s, i, "+".join(kinds))
            kmsg("VEXFS-MUTANT " + WATCH["tag"])
            watch("writing the mutant")
            # into the loop device's file, then out of the device's page
            # cache: every mount reads the mutant, with no buffer (and no
            # verdict cached in a buffer) of an earlier mount
            timed("write", put_image, backing, dev, img.b)
            mounted += sum(not err for _, err, _, _ in mount_cycle(a.dev, a.mnt))
            total += 1
    watch(None)
    print("# %d mutants, %d mounts that succeeded, %.0f s" % (total, mounted, time.time() - t0))
    print("# time by phase: " + ", ".join("%s %.1f s" % kv for kv in sorted(PHASE.items())))
    print("ok - %d mutants mounted and exercised without a hang" % total)
    bad = len(a.bases) - base_ok
    print("# vm-test: %d passed, %d failed" % (total + base_ok, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
