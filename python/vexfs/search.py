# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Exact k-nearest-neighbour search by the kernel (VEXFS_IOC_SEARCH), with
paths from the kernel's parent pointers (VEXFS_IOC_INO_PATHS).

search(dir, queries, k)        -> per query, a list of Hit(path, distance, vector_id)
search_arrays(dir, queries, k) -> (D, I) as FAISS's index.search returns them
search_raw(...)                -> SearchResult: every field the kernel returns

Queries: a 1-D array (one query) or a 2-D one (a batch: one row per query,
sent in calls of at most 256 rows; the kernel scans the vectors once per
call for all its queries). float32 (float64 converted), int8, int16, or
binary as bool or packed uint8 (dims = 8 x row bytes, or dims=). Metrics:
"l2" (squared Euclidean, ascending), "ip" (inner product, descending),
"cos" (cosine similarity, descending), "hamming" (binary, ascending); the
default is "l2", "hamming" for binary queries.

Scope: a directory searches its subtree, a regular file its own vectors,
fs=True the whole filesystem. Only vectors of files the caller may read,
reachable through directories it may search, are returned.
"""
import collections
import ctypes
import errno
import fcntl
import os
import stat

import numpy as np

from . import abi
from .errors import raise_for
from .store import _Open, _compression, _model_bytes, rows_for_attach

METRICS = {"l2": abi.SEARCH_METRIC_L2, "ip": abi.SEARCH_METRIC_IP,
           "cos": abi.SEARCH_METRIC_COS, "cosine": abi.SEARCH_METRIC_COS,
           "hamming": abi.SEARCH_METRIC_HAMMING}
DESCENDING = (abi.SEARCH_METRIC_IP, abi.SEARCH_METRIC_COS)

Hit = collections.namedtuple("Hit", ["path", "distance", "vector_id"])
SearchResult = collections.namedtuple("SearchResult", [
    "distances", "ids", "inodes", "generations", "compared", "corrupt", "approx"])


def _queries(queries, dims, metric):
    single = np.ndim(queries) == 1
    code, dims, rows = rows_for_attach(queries, dims)
    if code == abi.DT_F16:
        code, rows = abi.DT_F32, rows.astype("<f4")
    if metric is None:
        metric = "hamming" if code == abi.DT_BIN else "l2"
    try:
        m = METRICS[metric.lower()]
    except (KeyError, AttributeError):
        raise ValueError("unknown metric %r (l2, ip, cos, hamming)" % (metric,)) from None
    if (m == abi.SEARCH_METRIC_HAMMING) != (code == abi.DT_BIN):
        raise ValueError("hamming is the metric of binary queries, and binary queries "
                         "use only hamming")
    return single, code, dims, rows, m


def _comp_mask(compression):
    if compression is None:
        return 0
    if isinstance(compression, (str, int)):
        compression = [compression]
    mask = 0
    for c in compression:
        mask |= 1 << _compression(c)
    return mask


def search_raw(path, queries=None, k=10, metric=None, model=None, fs=False,
               compression=None, like=None, dims=None, approx=False, ef=0):
    """The kernel's answer as arrays: distances (nq x k float32; +inf, or
    -inf for ip/cos, where a query has fewer than k results), ids (int64,
    -1 there), inodes, generations, the totals compared and corrupt, and
    approx: whether the filesystem's ANN index answered every call.
    like=vector id searches for the vectors nearest a stored one (queries
    None); compression: a name or a list of names of stored forms to
    compare (None: all). approx=True asks for the ANN index (vexfs.index)
    with ef candidates a query (0: the kernel's default, at least k); the
    kernel answers exactly where the index does not serve the search or
    leaves a query short of k results."""
    if not 1 <= k <= abi.SEARCH_K_MAX:
        raise ValueError("k %d is not in 1..%d" % (k, abi.SEARCH_K_MAX))
    if ef and not k <= ef <= abi.SEARCH_EF_MAX:
        raise ValueError("ef %d is not 0 or in k..%d" % (ef, abi.SEARCH_EF_MAX))
    if ef and not approx:
        raise ValueError("ef is for approx=True")
    flags = (abi.SEARCH_FS if fs else 0) | (abi.SEARCH_APPROX if approx else 0)
    mb = _model_bytes(model)
    mask = _comp_mask(compression)
    if like is not None:
        if queries is not None:
            raise ValueError("queries and like= exclude each other")
        single, m = True, METRICS.get((metric or "l2").lower())
        if m is None:
            raise ValueError("unknown metric %r (l2, ip, cos, hamming)" % (metric,))
        batches = [(0, 1, None)]
        code = 0
        flags |= abi.SEARCH_LIKE
    else:
        if queries is None:
            raise ValueError("no queries")
        single, code, dims, rows, m = _queries(queries, dims, metric)
        batches = [(s, min(len(rows), s + abi.SEARCH_NQ_MAX), rows)
                   for s in range(0, len(rows), abi.SEARCH_NQ_MAX)]
    nq = 1 if like is not None else len(rows)
    res = np.zeros((nq, k), dtype=[("id", "<u8"), ("ino", "<u8"), ("gen", "<u4"),
                                   ("dist", "<u4")])
    assert res.itemsize == ctypes.sizeof(abi.vexfs_search_result)
    compared = corrupt = 0
    approx_all = bool(approx)
    with _Open(path, os.O_RDONLY) as f:
        for s, e, rows in batches:
            arg = abi.vexfs_ioc_search.new(flags=flags, dtype=code, metric=m, k=k,
                                           comp_mask=mask, ef=int(ef))
            ctypes.memmove(arg.model, mb, len(mb))
            if like is not None:
                arg.nq, arg.like_id = 1, int(like)
                arg.dims = 0
            else:
                q = rows[s:e]
                arg.nq, arg.dims = e - s, dims
                arg.queries, arg.queries_len = q.ctypes.data, q.nbytes
            out = res[s:e]
            arg.results, arg.results_len = out.ctypes.data, out.nbytes
            f.ioctl("search", abi.IOC_SEARCH, arg, int(like or 0))
            compared += arg.compared
            corrupt += arg.corrupt
            approx_all = approx_all and bool(arg.approx)
    found = res["id"] != 0
    fill = -np.inf if m in DESCENDING else np.inf
    dist = np.where(found, res["dist"].view(np.float32), np.float32(fill)).astype(np.float32)
    ids = np.where(found, res["id"].astype(np.int64), -1)
    out = SearchResult(dist, ids, res["ino"].copy(), res["gen"].copy(), compared, corrupt,
                       approx_all)
    if single:
        out = out._replace(distances=dist[0], ids=ids[0], inodes=out.inodes[0],
                           generations=out.generations[0])
    return out


def search_arrays(path, queries, k=10, metric=None, **kw):
    """(D, I) as FAISS's index.search: D distances (float32), I vector ids
    (int64, -1 where a query has fewer than k results)."""
    r = search_raw(path, queries, k, metric, **kw)
    return r.distances, r.ids


class PathFinder:
    """Inode -> path under a directory, from the kernel's parent pointers
    (or, on an image without them, one walk of the tree)."""

    def __init__(self, base):
        self.base = os.fsdecode(base)
        st = os.stat(self.base)
        if not stat.S_ISDIR(st.st_mode):
            self.base = _mount_root(self.base)
        self.fd = os.open(self.base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self.walked = None

    def close(self):
        os.close(self.fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def paths(self, inode, generation, all_links=False):
        """Every path (all_links) or one path of the inode, [] if it is gone
        or not visible to the caller."""
        if self.walked is not None:
            return self.walked.get(inode, [])[:None if all_links else 1]
        size = 4096
        while True:
            buf = ctypes.create_string_buffer(size)
            a = abi.vexfs_ioc_paths.new(flags=abi.PATHS_ALL if all_links else 0,
                                        inode=int(inode), generation=int(generation),
                                        buf=ctypes.addressof(buf), buf_len=size)
            try:
                fcntl.ioctl(self.fd, abi.IOC_INO_PATHS, a, True)
            except OSError as e:
                if e.errno == errno.ERANGE and a.needed > size:
                    size = a.needed
                    continue
                if e.errno == errno.EOPNOTSUPP:            # no parent pointers
                    self._walk()
                    return self.paths(inode, generation, all_links)
                if e.errno in (errno.ENOENT, errno.ESTALE, errno.EACCES):
                    return []
                raise_for(e.errno, "paths", self.base, self.fd, inode)
            names = buf.raw[:a.needed].split(b"\0")[:a.count]
            return [os.path.join(self.base, os.fsdecode(n)) for n in names]

    def _walk(self):
        self.walked = {}
        for d, dirs, files in os.walk(self.base):
            for n in files:
                p = os.path.join(d, n)
                try:
                    self.walked.setdefault(os.lstat(p).st_ino, []).append(p)
                except OSError:
                    pass


def _mount_root(path):
    path = os.path.realpath(path)
    dev = os.stat(path).st_dev
    while path != "/":
        up = os.path.dirname(path)
        if os.stat(up).st_dev != dev:
            break
        path = up
    return path


def search(path, queries, k=10, metric=None, model=None, fs=False, compression=None,
           like=None, dims=None, approx=False, ef=0):
    """Per query, a list of Hit(path, distance, vector_id), best first
    (1-D queries or like=: one list). The path is under the searched
    directory (fs=True or a file: under the mount point); None if the file
    was unlinked since the search. approx, ef: as search_raw."""
    r = search_raw(path, queries, k, metric, model=model, fs=fs, compression=compression,
                   like=like, dims=dims, approx=approx, ef=ef)
    single = r.ids.ndim == 1
    ids = np.atleast_2d(r.ids)
    dist = np.atleast_2d(r.distances)
    inos = np.atleast_2d(r.inodes)
    gens = np.atleast_2d(r.generations)
    base = path if (not fs and os.path.isdir(path)) else _mount_root(path)
    out = []
    cache = {}
    with PathFinder(base) as pf:
        for qi in range(ids.shape[0]):
            hits = []
            for j in range(ids.shape[1]):
                if ids[qi, j] < 0:
                    break
                key = (int(inos[qi, j]), int(gens[qi, j]))
                if key not in cache:
                    p = pf.paths(*key)
                    cache[key] = p[0] if p else None
                hits.append(Hit(cache[key], float(dist[qi, j]), int(ids[qi, j])))
            out.append(hits)
    return out[0] if single else out


def paths(directory, inode, generation, all_links=True):
    """The paths of an inode (a search result's) under directory."""
    with PathFinder(directory) as pf:
        return pf.paths(inode, generation, all_links)
