#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Fashion-MNIST for the ANN benchmark, as ann-benchmarks uses it.

    ann_prep.py OUTDIR [NQ] [ROTATE_SEED]

Debian's dataset-fashion-mnist: the 60,000 training images are the base,
the first NQ (default 10,000) test images the queries, 784 float32 values
0..255 each (ann-benchmarks' fashion-mnist-784-euclidean). Writes
OUTDIR/base.f32, query.f32 (raw little-endian rows) and the exact ground
truth: gt.i32 (the 10 nearest base rows of each query) and gt.f32 (their
Euclidean distances), from numpy in float64. With ROTATE_SEED, base and
queries are first multiplied by one random orthogonal matrix (QR of a
Gaussian one, seeded): the same geometry, but float data in which no
coordinate is a byte any more (the test of quantized graph codes plus an
exact re-rank, as embeddings need).
"""
import gzip
import os
import sys

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"
K = 10


def idx(name):
    raw = gzip.open(os.path.join(DATA, name)).read()
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(raw[3])]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * len(dims)).reshape(dims[0], -1)


def main():
    out = sys.argv[1]
    nq = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    os.makedirs(out, exist_ok=True)
    x = idx("train-images-idx3-ubyte.gz").astype(np.float32)
    q = idx("t10k-images-idx3-ubyte.gz")[:nq].astype(np.float32)
    if len(sys.argv) > 3:
        rng = np.random.default_rng(int(sys.argv[3]))
        rot, _ = np.linalg.qr(rng.standard_normal((x.shape[1], x.shape[1])))
        x = (x.astype(np.float64) @ rot).astype(np.float32)
        q = (q.astype(np.float64) @ rot).astype(np.float32)
    x.tofile(os.path.join(out, "base.f32"))
    q.tofile(os.path.join(out, "query.f32"))
    xd = x.astype(np.float64)
    xx = (xd * xd).sum(1)
    ids = np.empty((nq, K), np.int32)
    dist = np.empty((nq, K), np.float32)
    for s in range(0, nq, 500):
        qd = q[s:s + 500].astype(np.float64)
        d2 = (qd * qd).sum(1)[:, None] - 2 * qd @ xd.T + xx[None, :]
        part = np.argpartition(d2, K, axis=1)[:, :K]
        for i in range(qd.shape[0]):
            # exact distances of the candidates, then order (ties: lower id)
            c = part[i]
            e = ((x[c].astype(np.float64) - qd[i]) ** 2).sum(1)
            o = np.lexsort((c, e))
            ids[s + i] = c[o]
            dist[s + i] = np.sqrt(e[o])
    ids.tofile(os.path.join(out, "gt.i32"))
    dist.tofile(os.path.join(out, "gt.f32"))
    print("prepared %d x %d base, %d queries, ground truth k=%d in %s"
          % (x.shape[0], x.shape[1], nq, K, out))


if __name__ == "__main__":
    main()
