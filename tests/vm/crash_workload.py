#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Crash-consistency workload for VexFS (run inside the VM).

  crash_workload.py run DIR LIST     write files under DIR forever; after each
                                     file is fsync'd, append "path sha256 size"
                                     to LIST (on the host share) and flush it.
  crash_workload.py verify DIR LIST  every file named in LIST must exist with
                                     that content. Prints vtest-style lines.
"""
import hashlib
import os
import random
import sys
import threading


def writer(root, tid, log, lock, seed):
    rnd = random.Random(seed)
    d = os.path.join(root, "w%d" % tid)
    os.makedirs(d, exist_ok=True)
    n = 0
    while True:
        n += 1
        name = os.path.join(d, "f%06d" % n)
        size = rnd.choice([0, 1, 4095, 4096, 65536, 200000, 1 << 20])
        data = rnd.randbytes(size)
        fd = os.open(name, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o644)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
        with lock:
            log.write("%s %s %d\n" % (name, hashlib.sha256(data).hexdigest(), size))
            log.flush()
            os.fsync(log.fileno())
        # noise that is never fsync'd: overwrite, truncate, rename, delete
        noise = os.path.join(d, "noise%d" % (n % 7))
        with open(noise, "wb") as f:
            f.write(rnd.randbytes(rnd.randrange(1, 300000)))
        if n % 3 == 0:
            os.truncate(noise, rnd.randrange(0, 100000))
        if n % 5 == 0:
            os.rename(noise, noise + ".r")
        if n % 11 == 0:
            try:
                os.unlink(noise + ".r")
            except FileNotFoundError:
                pass
        # parent pointers: hard links and renames across the writers' directories
        other = os.path.join(root, "w%d" % ((tid + 1) % 3))
        try:
            if n % 4 == 0:
                os.link(noise, os.path.join(other, "l%d_%d" % (tid, n % 5)))
            if n % 6 == 0:
                os.replace(os.path.join(other, "l%d_%d" % (tid, (n + 1) % 5)),
                           os.path.join(d, "m%d" % (n % 3)))
            if n % 9 == 0:
                os.unlink(os.path.join(d, "m%d" % (n % 3)))
        except (FileNotFoundError, FileExistsError):
            pass


def run(root, listfile):
    log = open(listfile, "a")
    lock = threading.Lock()
    threads = [threading.Thread(target=writer, args=(root, t, log, lock, 1000 + t), daemon=True)
               for t in range(3)]
    for t in threads:
        t.start()
    print("VEXFS-CRASH-ARMED", flush=True)
    for t in threads:
        t.join()


def verify(root, listfile):
    passed = failed = 0
    entries = [l.split() for l in open(listfile) if l.strip()]
    for e in entries:
        if len(e) != 3:
            continue            # a torn last line: never acknowledged
        path, digest, size = e[0], e[1], int(e[2])
        try:
            data = open(path, "rb").read()
        except OSError as err:
            print("not ok - %s missing: %s" % (path, err))
            failed += 1
            continue
        if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
            print("not ok - %s: content differs (size %d, want %d)" % (path, len(data), size))
            failed += 1
        else:
            passed += 1
    print("ok - %d fsync'd files intact" % passed if not failed else
          "not ok - %d of %d fsync'd files damaged" % (failed, passed + failed))
    print("# vm-test: %d passed, %d failed" % (1 if not failed and passed else 0,
                                               1 if failed or not passed else 0))
    return 0 if not failed and passed else 1


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3])
    else:
        sys.exit(verify(sys.argv[2], sys.argv[3]))
