#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""hnswlib by inner product or cosine on the prepared Fashion-MNIST, the
reference of bench/ann_native -m ip|cos (bench/ann-native.sh, ANN_METRIC).

    ann_metric_ref.py DIR M EF_CONSTRUCTION NQ ip|cos

Ground truth by brute force in float64; a result counts when its score is
at least the true 10th score - 1e-3 (ann_native's rule). One query per
call from Python, single thread, as ann-benchmarks runs hnswlib. Prints
"hnswlib ef=EF recall=R qps=Q" lines.
"""
import sys
import time

import hnswlib
import numpy as np

K = 10


def main():
    d, m, efc, nq, metric = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), \
        sys.argv[5]
    x = np.fromfile(d + "/base.f32", np.float32).reshape(-1, 784)
    q = np.fromfile(d + "/query.f32", np.float32).reshape(-1, 784)[:nq]
    xs, qs = x.astype(np.float64), q.astype(np.float64)
    if metric == "cos":
        xs /= np.linalg.norm(xs, axis=1, keepdims=True)
        qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    s = qs @ xs.T
    gt10 = np.sort(s, axis=1)[:, -K]
    p = hnswlib.Index(space="ip" if metric == "ip" else "cosine", dim=x.shape[1])
    p.init_index(max_elements=x.shape[0], M=m, ef_construction=efc)
    t = time.time()
    p.add_items(x, num_threads=1)
    print("# hnswlib %s: M %d, ef_construction %d: build %.1f s" % (metric, m, efc,
                                                                    time.time() - t))
    for ef in (10, 16, 24, 32, 48, 64, 128, 256, 512):
        p.set_ef(ef)
        t = time.time()
        lab = [p.knn_query(q[i:i + 1], k=K)[0][0] for i in range(nq)]
        dt = time.time() - t
        hit = sum(int((s[i, lab[i]] >= gt10[i] - 1e-3).sum()) for i in range(nq))
        print("hnswlib ef=%d recall=%.4f qps=%.1f" % (ef, hit / (nq * K), nq / dt), flush=True)


if __name__ == "__main__":
    main()
