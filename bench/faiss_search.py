#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""FAISS beside bench/search_bench.c, in the same guest, on the same data.

    faiss_search.py PREFIX COMP

PREFIX.x.npy (the vectors) and PREFIX.q.npy (the 64 queries) are what
search_bench writes with SEARCH_BENCH_DUMP=PREFIX. COMP picks the FAISS
index nearest to the VexFS stored form: none IndexFlatL2, f16 / sq8 / sq4
IndexScalarQuantizer QT_fp16 / QT_8bit / QT_4bit, pq IndexPQ with d/8
subspaces of 8 bits (trained, as VexFS's codebook, on the first 10,000
vectors). One thread; k = 10; single queries (8 of them) and one batch of
64, medians of 3 rounds, like search_bench. Prints one line
"FAISS | N | d | COMP | index | ms/query | batch-64 ms/query | speedup |".
Run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset.
"""
import sys
import time

import numpy as np
import faiss

K, REPS = 10, 3


def main():
    prefix, comp = sys.argv[1], sys.argv[2]
    x = np.load(prefix + ".x.npy")
    q = np.load(prefix + ".q.npy")
    n, d = x.shape
    faiss.omp_set_num_threads(1)
    sq = {"f16": ("QT_fp16", faiss.ScalarQuantizer.QT_fp16),
          "sq8": ("QT_8bit", faiss.ScalarQuantizer.QT_8bit),
          "sq4": ("QT_4bit", faiss.ScalarQuantizer.QT_4bit)}
    if comp == "none":
        index, name = faiss.IndexFlatL2(d), "IndexFlatL2"
    elif comp in sq:
        index = faiss.IndexScalarQuantizer(d, sq[comp][1])
        name = "IndexScalarQuantizer " + sq[comp][0]
    elif comp == "pq":
        index, name = faiss.IndexPQ(d, d // 8, 8), "IndexPQ m=%d" % (d // 8)
    else:
        sys.exit("unknown COMP " + comp)
    if not index.is_trained:
        index.train(x[:10000])
    index.add(x)
    index.search(q[:1], K)                      # warm
    t1, t64 = [], []
    for _ in range(REPS):
        t0 = time.perf_counter()
        for i in range(8):
            index.search(q[i:i + 1], K)
        t1.append((time.perf_counter() - t0) / 8)
        t0 = time.perf_counter()
        index.search(q, K)
        t64.append((time.perf_counter() - t0) / q.shape[0])
    s1, s64 = float(np.median(t1)), float(np.median(t64))
    print("FAISS | %d | %d | %s | %s | %.2f | %.2f | %.1fx |"
          % (n, d, comp, name, s1 * 1e3, s64 * 1e3, s1 / s64))


if __name__ == "__main__":
    main()
