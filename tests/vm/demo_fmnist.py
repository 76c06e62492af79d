#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Search on real data: Fashion-MNIST (Debian's dataset-fashion-mnist) on VexFS.

    demo_fmnist.py MOUNT VEXCTL OUTDIR [N]

One PGM image file per training image under MOUNT/fmnist/<class>/, each with
its 784-d float32 vector (pixels / 255) attached through VEXFS_IOC_VEC_ATTACH;
then `vexctl search` (the kernel's SEARCH ioctl) with test images: the
nearest files printed with their paths, the fraction of neighbours in the
query's class over 256 queries, a check against numpy's exact answer, and a
contact sheet OUTDIR/fmnist-search.png (each query, then its 10 nearest).
With VEXFS_DEMO_ANN=1 (not yet the default: its timing under QEMU is not
measured yet), `vexctl index create` then builds the graph ANN
index in the kernel and `vexctl search --approx` answers the same queries
at several ef: recall@10 against the exact answer, and the time.
"""
import fcntl
import gzip
import json
import os
import struct
import subprocess
import sys
import time

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = ["tshirt-top", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
           "sneaker", "bag", "ankle-boot"]
ATTACH = (3 << 30) | (72 << 16) | (0xBA << 8) | 1    # _IOWR(0xBA, 1, struct vexfs_ioc_attach)


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def attach(fd, vec, model):
    """One ATTACH ioctl: vec is a C-contiguous float32 array."""
    arg = bytearray(struct.pack("<IIHHIQII16sIIQQ", 72, 0, 1, 0, vec.size, vec.ctypes.data,
                                vec.nbytes, 0, model, 1, 1000000, 0, 0))
    fcntl.ioctl(fd, ATTACH, arg)
    return struct.unpack_from("<Q", arg, 64)[0]


def ann(mnt, vexctl, q, exact, exact_s):
    """The graph ANN index over the same vectors: build, then --approx at
    several ef against the kernel's exact answer (recall@10, time)."""
    def run(*args):
        return subprocess.run([vexctl] + [str(a) for a in args], check=True,
                              capture_output=True, text=True).stdout

    t0 = time.time()
    # a light graph: QEMU's emulation makes every code comparison ~30x slower
    st = json.loads(run("index", "create", mnt, "--dims", 784, "--model", "fmnist-pixels",
                        "--degree", os.environ.get("VEXFS_DEMO_DEGREE", "16"),
                        "--ef-construction", os.environ.get("VEXFS_DEMO_EFC", "64"), "--json"))
    t1 = time.time()
    print("\nvexctl index create: %d vectors indexed by the kernel in %.1f s (degree %d, "
          "ef_construction %d; %d bytes on disk, %d per vector)" %
          (st["indexed"], t1 - t0, st["degree"], st["ef_construction"], st["bytes"],
           st["bytes"] // max(st["live"], 1)))
    nq = len(q)
    want = [{r["id"] for r in hits} for hits in exact]
    print("vexctl search --approx, the same %d queries (one batch); recall@10 against the "
          "kernel's exact answer, which took %.2f s:" % (nq, exact_s))
    print("   ef  recall@10  seconds  speed-up")
    for ef in (16, 32, 64, 128):
        t0 = time.time()
        js = json.loads(run("search", mnt, "--fs", "--vector", "/tmp/fmnist-q.npy", "-k", 10,
                            "--model", "fmnist-pixels", "--approx", "--ef", ef, "--no-paths",
                            "--json"))
        dt = time.time() - t0
        got = [{r["id"] for r in hits} for hits in js["queries"]]
        rec = sum(len(a & b) for a, b in zip(got, want)) / (10.0 * nq)
        print("  %3d  %9.4f  %7.2f  %7.1fx%s" % (ef, rec, dt, exact_s / dt,
                                                   "" if js["approx"] else " (exact!)"))


def main():
    mnt, vexctl, out = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 60000
    xtr, ytr = idx("train-images-idx3-ubyte.gz")[:n], idx("train-labels-idx1-ubyte.gz")[:n]
    xte, yte = idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")
    vec = (xtr.reshape(n, 784).astype(np.float32) / 255.0)
    root = os.path.join(mnt, "fmnist")
    for c in CLASSES:
        os.makedirs(os.path.join(root, c), exist_ok=True)
    t0 = time.time()
    for i in range(n):
        path = os.path.join(root, CLASSES[ytr[i]], "%05d.pgm" % i)
        with open(path, "wb") as f:
            f.write(b"P5 28 28 255\n" + xtr[i].tobytes())
            f.flush()
            attach(f.fileno(), np.ascontiguousarray(vec[i]), b"fmnist-pixels")
    t1 = time.time()
    print("created %d image files (PGM) in %d class directories and attached a 784-d "
          "vector to each in %.1f s" % (n, len(CLASSES), t1 - t0))

    # test images as one batch (under QEMU's emulation each of the nq x n
    # 784-d distances costs ~30 us, so the demo keeps the batch small)
    nq = int(os.environ.get("VEXFS_DEMO_QUERIES", "32"))
    q = (xte[:nq].reshape(nq, 784).astype(np.float32) / 255.0)
    np.save("/tmp/fmnist-q.npy", q)
    t0 = time.time()
    res = subprocess.run([vexctl, "search", root, "--fs", "--vector", "/tmp/fmnist-q.npy",
                          "-k", "10", "--model", "fmnist-pixels", "--json"],
                         check=True, capture_output=True, text=True).stdout
    t1 = time.time()
    res = json.loads(res)
    queries = res["queries"] if isinstance(res, dict) else res
    print("vexctl search: %d queries x k=10 over %d vectors in %.2f s (the kernel's "
          "exact SEARCH, one batch)" % (nq, n, t1 - t0))

    def hits(qr):
        return [h for h in (qr["results"] if isinstance(qr, dict) else qr)]

    # numpy's exact answer: candidates by BLAS, then exact float64 distances
    vv = (vec.astype(np.float64) ** 2).sum(axis=1)
    approx = vv[:, None] - 2.0 * (vec @ q.T).astype(np.float64)
    cands = np.argpartition(approx, 50, axis=0)[:50].T
    same = 0
    exact_ok = 0
    sheet_rows = []
    for i in range(nq):
        hs = hits(queries[i])
        paths = [h["path"] for h in hs]
        ids = [int(os.path.basename(p)[:-4]) for p in paths]
        same += sum(1 for p in paths if os.path.basename(os.path.dirname(p)) == CLASSES[yte[i]])
        c = cands[i]
        d = ((vec[c].astype(np.float64) - q[i]) ** 2).sum(axis=1)
        want = c[np.lexsort((c, d))][:10]
        # ties by vector id = attach order = image index here
        if list(want) == ids:
            exact_ok += 1
        if i < 8:
            sheet_rows.append((i, paths))
    print("neighbours in the query's class: %.1f%% (%d of %d)" %
          (100.0 * same / (10 * nq), same, 10 * nq))
    print("kernel results equal numpy's exact float32 answer for %d of %d queries"
          % (exact_ok, nq))
    if os.environ.get("VEXFS_DEMO_ANN", "0") != "0":
        ann(mnt, vexctl, q, queries, t1 - t0)
    print()
    for i, paths in sheet_rows[:4]:
        print("query test[%d] (%s):" % (i, CLASSES[yte[i]]))
        for r, p in enumerate(paths[:5]):
            print("  %d  %s" % (r + 1, os.path.relpath(p, mnt)))
    try:
        from PIL import Image, ImageDraw
        s, gap = 3, 6
        w = (1 + 10) * 28 * s + 11 * gap + gap
        h = len(sheet_rows) * (28 * s + gap) + gap
        sheet = Image.new("L", (w, h), 255)
        dr = ImageDraw.Draw(sheet)
        for row, (i, paths) in enumerate(sheet_rows):
            y = gap + row * (28 * s + gap)
            qi = Image.fromarray(xte[i]).resize((28 * s, 28 * s))
            sheet.paste(qi, (gap, y))
            for r, p in enumerate(paths):
                with open(p, "rb") as f:         # the image file itself, read from VexFS
                    im = Image.fromarray(np.frombuffer(f.read()[-784:], np.uint8).reshape(28, 28))
                x = gap + (r + 1) * (28 * s + gap) + gap
                sheet.paste(im.resize((28 * s, 28 * s)), (x, y))
                if os.path.basename(os.path.dirname(p)) != CLASSES[yte[i]]:
                    dr.rectangle([x, y, x + 28 * s - 1, y + 28 * s - 1], outline=255, width=2)
        sheet.save(os.path.join(out, "fmnist-search.png"))
        print("\ncontact sheet (query, then its 10 nearest files; a frame marks another "
              "class): fmnist-search.png")
    except ImportError:
        print("python3-pil not installed: no contact sheet")
    return 0


if __name__ == "__main__":
    sys.exit(main())
