# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Vector files as FAISS and numpy users hold them: .npy (numpy's own
format, read and written by numpy) and the .fvecs / .ivecs / .bvecs formats
of the ANN benchmarks (each row: le32 dims, then dims float32 / int32 /
uint8 values)."""
import os

import numpy as np

_VECS = {".fvecs": np.dtype("<f4"), ".ivecs": np.dtype("<i4"), ".bvecs": np.dtype("u1")}


def _kind(path):
    ext = os.path.splitext(os.fsdecode(path))[1].lower()
    if ext not in _VECS and ext != ".npy":
        raise ValueError("%s: unknown vector file type (.npy, .fvecs, .ivecs, .bvecs)" % path)
    return ext


def read_vectors(path, mmap=False):
    """A 2-D array of the file's rows."""
    ext = _kind(path)
    if ext == ".npy":
        a = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
        return a[np.newaxis, :] if a.ndim == 1 else a
    dt = _VECS[ext]
    raw = np.fromfile(path, dtype=np.uint8)
    if len(raw) == 0:
        return np.zeros((0, 0), dtype=dt)
    d = int(raw[:4].view("<i4")[0])
    row = 4 + d * dt.itemsize
    if d <= 0 or len(raw) % row:
        raise ValueError("%s: not a %s file (dims %d, %d bytes)" % (path, ext, d, len(raw)))
    rows = raw.reshape(-1, row)
    if np.any(rows[:, :4].copy().view("<i4") != d):
        raise ValueError("%s: rows of different dims" % path)
    return rows[:, 4:].copy().view(dt)


def write_vectors(path, x):
    """Write a 2-D array (.npy: any dtype numpy stores; .fvecs float32,
    .ivecs int32, .bvecs uint8)."""
    ext = _kind(path)
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError("a 2-D array is needed, not %d-D" % x.ndim)
    if ext == ".npy":
        np.save(path, np.ascontiguousarray(x), allow_pickle=False)
        return
    dt = _VECS[ext]
    if x.dtype != dt and not np.can_cast(x.dtype, dt, "same_kind"):
        raise ValueError("%s holds %s, not %s" % (ext, dt, x.dtype))
    out = np.empty((x.shape[0], 4 + x.shape[1] * dt.itemsize), dtype=np.uint8)
    out[:, :4] = np.array([x.shape[1]], dtype="<i4").view(np.uint8)
    out[:, 4:] = np.ascontiguousarray(x, dtype=dt).view(np.uint8).reshape(x.shape[0], -1)
    out.tofile(path)
