#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The references of bench/ann_native.c, on the same data in the same run.

    ann_ref.py DIR [M] [EF_CONSTRUCTION] [NQ]

Debian's python3-hnswlib (HNSW, M and ef_construction as given) and
python3-faiss (IndexHNSWFlat with the same M / efConstruction, and
IndexIVFFlat with 1024 lists), one thread, one query at a time (as
ann-benchmarks runs them), over DIR's base.f32 / query.f32 (bench/ann_prep.py).
Prints "# <lib> build seconds=S bytes_per_vector=B" and one line per setting:
    <lib> ef=EF recall=R qps=Q
with recall counted as ann-benchmarks does (within the true 10th distance +
1e-3). Run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset.
"""
import os
import sys
import time

import numpy as np

K = 10
STOP = 0.9995       # a sweep ends at the first setting this good (past every target)


def load(d, nq):
    x = np.fromfile(os.path.join(d, "base.f32"), np.float32).reshape(-1, 784)
    q = np.fromfile(os.path.join(d, "query.f32"), np.float32).reshape(-1, 784)[:nq]
    gtd = np.fromfile(os.path.join(d, "gt.f32"), np.float32).reshape(-1, K)[:nq]
    return x, q, gtd


def recall(x, q, gtd, ids):
    hit = 0
    for i in range(q.shape[0]):
        r = ids[i][ids[i] >= 0]
        d = np.sqrt(((x[r].astype(np.float64) - q[i]) ** 2).sum(1))
        hit += int((d <= gtd[i, K - 1] + 1e-3).sum())
    return hit / (q.shape[0] * K)


def sweep(name, x, q, gtd, setter, search, values):
    for v in values:
        setter(v)
        ids = np.empty((q.shape[0], K), np.int64)
        t0 = time.perf_counter()
        for i in range(q.shape[0]):
            ids[i] = search(q[i:i + 1])
        dt = time.perf_counter() - t0
        r = recall(x, q, gtd, ids)
        print("%s ef=%d recall=%.4f qps=%.1f" % (name, v, r, q.shape[0] / dt), flush=True)
        if r >= STOP:
            break


def main():
    d = sys.argv[1]
    m = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    efc = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    nq = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
    which = os.environ.get("ANN_REF", "hnswlib faiss-hnsw faiss-ivf").split()
    x, q, gtd = load(d, nq)
    efs = [10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]
    if "hnswlib" in which:
        import hnswlib
        p = hnswlib.Index(space="l2", dim=x.shape[1])
        p.init_index(max_elements=x.shape[0], M=m, ef_construction=efc, random_seed=100)
        p.set_num_threads(1)
        t0 = time.perf_counter()
        p.add_items(x, np.arange(x.shape[0]), num_threads=1)
        tb = time.perf_counter() - t0
        # hnswlib's layer 0: 4 d + 4 (2 M + 1) + 8 bytes a vector, upper layers ~1/M of it
        print("# hnswlib build seconds=%.2f bytes_per_vector=%d"
              % (tb, 4 * x.shape[1] + 4 * (2 * m + 1) + 8 + (4 * (m + 1)) // m))
        sweep("hnswlib", x, q, gtd, p.set_ef, lambda v: p.knn_query(v, k=K, num_threads=1)[0][0],
              efs)
        # the same without Python's cost per call: all queries in one call, one thread
        for v in efs:
            p.set_ef(v)
            t0 = time.perf_counter()
            ids = p.knn_query(q, k=K, num_threads=1)[0]
            dt = time.perf_counter() - t0
            r = recall(x, q, gtd, ids.astype(np.int64))
            print("hnswlib-1call ef=%d recall=%.4f qps=%.1f" % (v, r, q.shape[0] / dt), flush=True)
            if r >= STOP:
                break
    import faiss
    faiss.omp_set_num_threads(1)
    if "faiss-hnsw" in which:
        h = faiss.IndexHNSWFlat(x.shape[1], m)
        h.hnsw.efConstruction = efc
        t0 = time.perf_counter()
        h.add(x)
        print("# faiss-hnsw build seconds=%.2f" % (time.perf_counter() - t0))

        def hset(v):
            h.hnsw.efSearch = v
        sweep("faiss-hnsw", x, q, gtd, hset, lambda v: h.search(v, K)[1][0], efs)
    if "faiss-ivf" in which:
        quant = faiss.IndexFlatL2(x.shape[1])
        ivf = faiss.IndexIVFFlat(quant, x.shape[1], 1024)
        t0 = time.perf_counter()
        ivf.train(x)
        ivf.add(x)
        print("# faiss-ivf build seconds=%.2f" % (time.perf_counter() - t0))

        def iset(v):
            ivf.nprobe = v
        sweep("faiss-ivf", x, q, gtd, iset, lambda v: ivf.search(v, K)[1][0],
              [1, 2, 4, 8, 16, 32, 64, 128])


if __name__ == "__main__":
    main()
