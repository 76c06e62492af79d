#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""FAISS reference for bench/bench_vq.c on the same data (bench_vq gen DIR).

Prints "faiss <what> <d> <kind> <ms> <GB/s>" lines like bench_vq run. One
thread, one query at a time (search with k=1), median over the queries.
The PQ index gets VexFS's codebook and codes, so both scan identical data.
Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (bench/run.sh does).
"""
import os
import sys
import time

import numpy as np
import faiss

NVEC, NQ = 100000, 9
DIMS = (128, 768)


def load(dirname, name, d, dtype, shape):
    return np.fromfile(os.path.join(dirname, "%s%d" % (name, d)),
                       dtype=dtype).reshape(shape)


def timed_search(index, q, binary=False):
    ts = []
    for i in range(q.shape[0]):
        qi = q[i:i + 1]
        t0 = time.perf_counter()
        index.search(qi, 1)
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def report(what, d, kind, sec, nbytes):
    print("faiss %s %d %s %.4f %.3f" % (what, d, kind, sec * 1e3,
                                        nbytes / sec / 1e9), flush=True)


def blas_info():
    try:
        cfg = np.__config__.get_info("blas_opt_info")
        return ",".join(cfg.get("libraries", [])) or "unknown"
    except Exception:  # pragma: no cover
        return "unknown"


def main():
    dirname = sys.argv[1]
    faiss.omp_set_num_threads(1)
    print("# faiss %s, numpy %s, BLAS %s, OPENBLAS_CORETYPE=%s" %
          (faiss.__version__, np.__version__, blas_info(),
           os.environ.get("OPENBLAS_CORETYPE", "(unset)")), file=sys.stderr)
    for d in DIMS:
        m = d // 8
        x = load(dirname, "x", d, np.float32, (NVEC, d))
        q = load(dirname, "q", d, np.float32, (NQ, d))
        blob = np.fromfile(os.path.join(dirname, "pqblob%d" % d), dtype=np.uint8)
        cent = blob[32:].view(np.float32)
        codes = load(dirname, "pqcodes", d, np.uint8, (NVEC, m))

        flat = faiss.IndexFlatL2(d)
        flat.add(x)
        report("scan", d, "f32", timed_search(flat, q), NVEC * d * 4)
        del flat

        for kind, qt, nbytes in (("f16", faiss.ScalarQuantizer.QT_fp16, 2 * d),
                                 ("sq8", faiss.ScalarQuantizer.QT_8bit, d),
                                 ("sq4", faiss.ScalarQuantizer.QT_4bit, d // 2)):
            idx = faiss.IndexScalarQuantizer(d, qt, faiss.METRIC_L2)
            idx.train(x[:10000])
            sub = x[:20000]
            t0 = time.perf_counter()
            idx.sa_encode(sub)
            report("encode", d, kind, time.perf_counter() - t0, sub.nbytes)
            idx.add(x)
            report("scan", d, kind, timed_search(idx, q), NVEC * nbytes)
            del idx
            if kind == "f16":
                continue
            # inner product on the same kind of codes
            idx = faiss.IndexScalarQuantizer(d, qt, faiss.METRIC_INNER_PRODUCT)
            idx.train(x[:10000])
            idx.add(x)
            report("scan", d, kind + "-ip", timed_search(idx, q), NVEC * nbytes)
            del idx

        pq = faiss.IndexPQ(d, m, 8)
        faiss.copy_array_to_vector(cent, pq.pq.centroids)
        pq.is_trained = True
        sub = x[:4000]
        t0 = time.perf_counter()
        c2 = pq.sa_encode(sub)
        report("encode", d, "pq", time.perf_counter() - t0, sub.nbytes)
        same = np.mean(c2 == codes[:4000])
        print("# d=%d: FAISS PQ codes equal to VexFS's: %.4f" % (d, same),
              file=sys.stderr)
        pq.sa_decode  # noqa: B018 (API present)
        faiss.copy_array_to_vector(codes.ravel(), pq.codes)
        pq.ntotal = NVEC
        report("scan", d, "pq", timed_search(pq, q), NVEC * m)
        del pq

        nb = d // 8
        bits = np.packbits(x > 0, axis=1, bitorder="little")
        qbits = np.packbits(q > 0, axis=1, bitorder="little")
        bidx = faiss.IndexBinaryFlat(d)
        bidx.add(bits)
        report("scan", d, "bin", timed_search(bidx, qbits), NVEC * nb)
        del bidx


if __name__ == "__main__":
    main()
