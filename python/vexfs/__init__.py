# SPDX-License-Identifier: GPL-2.0 OR MIT
"""VexFS from Python: vectors stored with files, searched by the kernel.

    import numpy as np, vexfs
    ids = vexfs.attach("/mnt/doc.txt", emb)               # 1-D: an id; 2-D: one per row
    x = vexfs.get("/mnt/doc.txt", ids)                    # ndarray
    ids, X = vexfs.vectors("/mnt/doc.txt")
    for path, dist, vid in vexfs.search("/mnt/docs", q, k=10):
        ...
    D, I = vexfs.search_arrays("/mnt/docs", Q, k=10)      # like FAISS's index.search
    vexfs.index_create("/mnt", dims=384)                  # the graph ANN index, then
    hits = vexfs.search("/mnt/docs", q, k=10, approx=True, ef=64)

Errors are OSError with the kernel's errno and what it means for the call.
The ABI is include/vexfs/vexfs_ioctl.h (Documentation/vexfs-ioctl.rst),
described once, in vexfs.abi.
"""
from .store import (attach, get, info, ids, vectors, detach, stats, codebooks,
                    add_codebook, VectorInfo, Stats, Codebook)
from .search import search, search_arrays, search_raw, paths, Hit, SearchResult
from .vecio import read_vectors, write_vectors
from .bulk import import_vectors, export_vectors
from .index import index_create, index_drop, index_stats, IndexStats

__version__ = "0.9.0"
__all__ = ["attach", "get", "info", "ids", "vectors", "detach", "stats", "codebooks",
           "add_codebook", "search", "search_arrays", "search_raw", "paths",
           "read_vectors", "write_vectors", "import_vectors", "export_vectors",
           "index_create", "index_drop", "index_stats",
           "VectorInfo", "Stats", "Codebook", "Hit", "SearchResult", "IndexStats"]
