#!/usr/bin/env python3
"""kfuzz.py - mount mutated VexFS images in the guest kernel (run by kfuzz.sh).

  kfuzz.py -n MUTANTS -s SEED --dev /dev/vdc --mnt DIR --vexctl V BASE.img...

Mutants are those of fsck_fuzz.py (same generator, same seeds). Each is
written to DEV, mounted read-write and exercised (walk, read every file,
xattrs, vexctl list/get, a search, create/write/fsync/rename/unlink,
umount), then mounted read-only and walked again. Before each mutant a
"VEXFS-MUTANT base seed index" line goes to the kernel log, so a splat or
hang in the console names the mutant that caused it. Errors from the
filesystem are expected; a splat fails the VM run (vm-run.sh), a command
that outlives its timeout is reported and counted as a failure.
"""
import argparse
import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fsck_fuzz  # noqa: E402


def sh(cmd, t=20):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, timeout=t).returncode
    except subprocess.TimeoutExpired:
        return "hang"


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


def exercise(m, vexctl, rw):
    hangs = []
    walk(m)
    # the vector ioctls through vexctl: LIST, GET, SEARCH (and ATTACH when rw)
    # and through the ANN index: INDEX stats, SEARCH --approx (and an insert,
    # a DETACH with its reclaim step, when rw)
    v, q = vexctl, "/tmp/kfuzz-q.json"
    cmd = ("{v} list {m}/v/sq8; {v} get {m}/v/pq 1; {v} search {m} --vector {q} -k 5; "
           "{v} index stats {m}; {v} search {m} --vector {q} -k 5 --approx --model fuzz")
    if rw:
        cmd += ("; {v} attach {m}/a/small --vector {q}; {v} attach {m}/v/churn --vector {q} -m fuzz"
                "; {v} detach {m}/v/churn $({v} list {m}/v/churn | head -1)")
    cmd = cmd.format(v=v, m=m, q=q)
    if sh("(%s) > /dev/null 2>&1" % cmd, 60) == "hang":
        hangs.append("vexctl")
    if rw:
        changes(m)
    return hangs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("-s", type=int, default=1)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--mnt", required=True)
    ap.add_argument("--vexctl", required=True)
    ap.add_argument("bases", nargs="+")
    a = ap.parse_args()
    with open("/tmp/kfuzz-q.json", "w") as f:
        f.write("[" + ", ".join(["0.25"] * 64) + "]")
    os.makedirs(a.mnt, exist_ok=True)
    fails = total = mounted = 0
    t0 = time.time()
    for base in a.bases:
        raw = open(base, "rb").read()
        img0 = fsck_fuzz.Image(raw)
        name = os.path.basename(base)
        for i in range(a.n):
            r = random.Random("%s:%d:%d" % (name, a.s, i))
            img = fsck_fuzz.Image.__new__(fsck_fuzz.Image)
            img.__dict__.update(img0.__dict__)
            img.b = bytearray(raw)
            kinds = fsck_fuzz.mutate(img, r)
            tag = "%s seed %d mutant %d (%s)" % (name, a.s, i, "+".join(kinds))
            kmsg("VEXFS-MUTANT " + tag)
            with open(a.dev, "r+b") as f:
                f.write(img.b)
                f.flush()
                os.fsync(f.fileno())
            sh("blockdev --flushbufs %s" % a.dev)
            hangs = []
            for rw in (True, False):
                rc = sh("mount -t vexfs %s %s %s" % ("" if rw else "-o ro", a.dev, a.mnt), 30)
                if rc == "hang":
                    hangs.append("mount")
                    break
                if rc != 0:
                    continue
                mounted += 1
                hangs += exercise(a.mnt, a.vexctl, rw)
                if sh("umount %s" % a.mnt, 60) == "hang":
                    hangs.append("umount")
                    break
            total += 1
            if hangs:
                fails += 1
                print("not ok - %s: timed out: %s" % (tag, "; ".join(hangs)))
                break	# the mount point may be stuck: stop here
    print("# %d mutants, %d mounts that succeeded, %.0f s" % (total, mounted, time.time() - t0))
    print("ok - %d mutants mounted and exercised without a hang" % total if not fails else
          "not ok - %d mutants hung" % fails)
    print("# vm-test: %d passed, %d failed" % (total - fails, fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
