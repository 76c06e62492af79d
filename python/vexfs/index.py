# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The filesystem's graph ANN index (VEXFS_IOC_INDEX; Documentation/ann-index.rst).

    vexfs.index_create("/mnt", dims=784)          # IndexStats of the built index
    vexfs.index_stats("/mnt")                     # state "none", "building" or "ready"
    vexfs.search("/mnt/docs", q, k=10, approx=True, ef=64)
    vexfs.index_drop("/mnt")

One index per filesystem, over its float32 vectors of one dims (and one
model, or every model when none is given), whatever their compression.
Creating and dropping need CAP_SYS_ADMIN; stats need nothing.
"""
import collections
import ctypes
import os
import struct

import numpy as np

from . import abi
from .store import _Open, _model_bytes, _model_str

IndexStats = collections.namedtuple("IndexStats", [
    "state", "dims", "model", "degree", "alpha", "ef_construction", "lo", "hi",
    "node_size", "nodes", "live", "bytes", "indexed", "metric"])

_METRIC_NAMES = {abi.SEARCH_METRIC_L2: "l2", abi.SEARCH_METRIC_IP: "ip",
                 abi.SEARCH_METRIC_COS: "cos"}
_METRICS = {"l2": abi.SEARCH_METRIC_L2, "euclidean": abi.SEARCH_METRIC_L2,
            "ip": abi.SEARCH_METRIC_IP, "dot": abi.SEARCH_METRIC_IP,
            "cos": abi.SEARCH_METRIC_COS, "cosine": abi.SEARCH_METRIC_COS}
_STATES = {abi.INDEX_NONE: "none", abi.INDEX_BUILDING: "building", abi.INDEX_READY: "ready"}


def _f32_bits(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def _bits_f32(b):
    return struct.unpack("<f", struct.pack("<I", b))[0]


def _stats(a):
    return IndexStats(_STATES.get(a.state, str(a.state)), a.dims, _model_str(a.model), a.r,
                      a.alpha / 100.0, a.ef_construction, _bits_f32(a.lo), _bits_f32(a.hi),
                      a.node_size, a.nodes, a.live, a.bytes, a.indexed,
                      _METRIC_NAMES.get(a.metric, str(a.metric)))


def _call(path, arg):
    with _Open(path, os.O_RDONLY) as f:
        f.ioctl("index", abi.IOC_INDEX, arg, arg.op)
    return arg


def index_stats(path):
    """The index of the filesystem holding path: IndexStats (state "none"
    and zeros when there is none)."""
    return _stats(_call(path, abi.vexfs_ioc_index.new(op=abi.INDEX_STATS)))


def index_create(path, dims, model=None, degree=0, alpha=0.0, ef_construction=0,
                 value_range=None, metric="l2"):
    """Create the index over the collection (float32 vectors of dims, of
    model or of every model) and build it from the vectors stored: returns
    IndexStats (indexed = vectors the build inserted). metric "l2", "ip" or
    "cos": approximate searches by that metric use it; degree 4..64 (0: 32),
    alpha 1.0..2.0 (0: 1.1), ef_construction degree..1024
    (0: 200); value_range=(lo, hi): the values coded 0 and 255, of the unit
    vectors for cos, widened to (-m, m) for ip (default: the collection's
    own range, ENODATA when it is empty)."""
    try:
        m = _METRICS[str(metric).lower()]
    except KeyError:
        raise ValueError("unknown index metric %r (l2, ip, cos)" % (metric,)) from None
    a = abi.vexfs_ioc_index.new(op=abi.INDEX_CREATE, dims=int(dims),
                                metric=m, r=int(degree),
                                alpha=int(round(float(alpha) * 100)),
                                ef_construction=int(ef_construction))
    mb = _model_bytes(model)
    ctypes.memmove(a.model, mb, len(mb))
    if value_range is not None:
        lo, hi = (float(np.float32(v)) for v in value_range)
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise ValueError("value_range must be finite (lo, hi) with lo < hi")
        a.flags, a.lo, a.hi = abi.INDEX_RANGE, _f32_bits(lo), _f32_bits(hi)
    return _stats(_call(path, a))


def index_drop(path):
    """Drop the filesystem's index (ENOENT when there is none)."""
    _call(path, abi.vexfs_ioc_index.new(op=abi.INDEX_DROP))
