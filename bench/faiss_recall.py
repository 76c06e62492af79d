#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""FAISS's recall@10 on Fashion-MNIST for the quantizers closest to VexFS's
stored forms (bench/recall_fmnist.c prints VexFS's):

    faiss_recall.py [NQ]      (Debian python3-faiss, dataset-fashion-mnist)

Same data (pixels / 255, float32), same queries (the first NQ test images),
same exact answer definition (IndexFlatL2, k = 10). FAISS has no per-vector
SQ: its QT_8bit / QT_4bit train one range per dimension, QT_8bit_uniform one
range for all. PQ codebooks are trained on the first 20,000 training vectors,
as recall_fmnist does.
"""
import gzip
import os
import struct
import sys
import time

import faiss
import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    raw = gzip.open(os.path.join(DATA, name)).read()
    nd = raw[3]
    dims = struct.unpack(">" + "I" * nd, raw[4:4 + 4 * nd])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * nd).reshape(dims)


def main():
    nq = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    faiss.omp_set_num_threads(1)
    x = idx("train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255.0
    q = idx("t10k-images-idx3-ubyte.gz")[:nq].reshape(-1, 784).astype(np.float32) / 255.0
    d = 784
    flat = faiss.IndexFlatL2(d)
    flat.add(x)
    _, exact = flat.search(q, 10)
    print("# FAISS %s, %d train x %d, %d queries, k = 10, one thread" % (faiss.__version__,
                                                                    len(x), d, nq))
    print("| FAISS index | bytes/vector | recall@10 | ms/query |\n|---|---|---|---|")
    cases = [
        ("IndexScalarQuantizer QT_fp16", lambda: faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_fp16), 2 * d),
        ("IndexScalarQuantizer QT_8bit (per-dim ranges)", lambda: faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit), d),
        ("IndexScalarQuantizer QT_8bit_uniform", lambda: faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_8bit_uniform), d),
        ("IndexScalarQuantizer QT_4bit (per-dim ranges)", lambda: faiss.IndexScalarQuantizer(d, faiss.ScalarQuantizer.QT_4bit), d // 2),
        ("IndexPQ m=16 nbits=8", lambda: faiss.IndexPQ(d, 16, 8), 16),
        ("IndexPQ m=98 nbits=8", lambda: faiss.IndexPQ(d, 98, 8), 98),
    ]
    for name, make, nbytes in cases:
        index = make()
        index.train(x[:20000] if "PQ" in name else x)
        index.add(x)
        t0 = time.time()
        _, got = index.search(q, 10)
        ms = (time.time() - t0) * 1e3 / nq
        hits = sum(len(set(got[i]) & set(exact[i])) for i in range(nq))
        print("| %s | %d | %.4f | %.2f |" % (name, nbytes, hits / (10.0 * nq), ms), flush=True)
    bits = np.packbits((x - 0.5) > 0, axis=1, bitorder="little")
    qbits = np.packbits((q - 0.5) > 0, axis=1, bitorder="little")
    b = faiss.IndexBinaryFlat(d)
    b.add(bits)
    t0 = time.time()
    _, got = b.search(qbits, 10)
    ms = (time.time() - t0) * 1e3 / nq
    hits = sum(len(set(got[i]) & set(exact[i])) for i in range(nq))
    print("| IndexBinaryFlat (x > 0.5) | %d | %.4f | %.2f |" % (d // 8, hits / (10.0 * nq), ms))


if __name__ == "__main__":
    main()
