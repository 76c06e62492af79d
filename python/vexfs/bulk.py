# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Bulk import and export: many vectors and their paths in one call, the
forms `vexctl import` and `vexctl export` read and write (a 2-D .npy or
.fvecs file, and a text file with one path per row, relative to the
directory)."""
import os

import numpy as np

from . import abi
from .store import _Open, _get, _ids, attach, DTYPE_NAMES


def read_paths(path):
    """The paths file: one path per line (a path holding a newline cannot
    be written in it)."""
    with open(path, "rb") as f:
        return [os.fsdecode(p) for p in f.read().split(b"\n")[:-1]]


def write_paths(path, paths):
    with open(path, "wb") as f:
        for p in paths:
            b = os.fsencode(p)
            if b"\n" in b:
                raise ValueError("%r: a path holding a newline cannot be exported" % p)
            f.write(b + b"\n")


def import_vectors(directory, x, paths, model=None, compression=None, create=True,
                   progress=None, dims=None):
    """Attach row i of x to directory/paths[i] (files created, with their
    directories, if missing and create is true; the same path on several
    rows gets several vectors, in row order). Returns the ids (uint64).
    progress: a callable(rows_done, rows_total) called now and then."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError("a 2-D array of rows is needed")
    if len(paths) != len(x):
        raise ValueError("%d paths for %d rows" % (len(paths), len(x)))
    out = np.zeros(len(x), dtype=np.uint64)
    i = 0
    while i < len(x):
        j = i + 1
        while j < len(x) and paths[j] == paths[i]:
            j += 1
        rel = paths[i]
        if os.path.isabs(rel) or ".." in rel.split("/"):
            raise ValueError("%r: paths are relative to the directory, without .." % rel)
        p = os.path.join(directory, rel)
        if create and not os.path.exists(p):
            os.makedirs(os.path.dirname(p) or ".", exist_ok=True)
            os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
        out[i:j] = attach(p, x[i:j], model=model, compression=compression, dims=dims)
        i = j
        if progress:
            progress(i, len(x))
    return out


def export_vectors(directory, model=None, dims=None, dtype=None):
    """(paths, x, ids): every vector of the regular files under directory
    whose model / dims / dtype match the filters, as `vexctl export` writes
    them: files in byte order of their paths relative to directory, ids
    ascending within a file; decoded (compressed vectors as float32, binary
    ones as bool, one per dimension). They must all have one (dims, type):
    otherwise ValueError names the groups found."""
    rels = []
    for d, dirs, files in os.walk(directory):
        for n in files:
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p):
                rels.append(os.path.relpath(p, directory))
    rels.sort(key=os.fsencode)
    paths, rows, vids, groups = [], [], [], {}
    for rel in rels:
        with _Open(os.path.join(directory, rel), os.O_RDONLY) as f:
            for v in _ids(f):
                data, info = _get(f, int(v), False)
                mname = bytes(info.meta.model).rstrip(b"\0").decode(errors="replace")
                if model is not None and mname != model:
                    continue
                if dims is not None and info.dims != dims:
                    continue
                if dtype is not None and DTYPE_NAMES.get(info.dtype) != dtype:
                    continue
                if info.dtype == abi.DT_BIN and info.compression == abi.COMP_NONE:  # bools
                    data = np.unpackbits(data, bitorder="little")[:info.dims].astype(bool)
                key = (info.dims, str(data.dtype))
                groups[key] = groups.get(key, 0) + 1
                paths.append(rel)
                rows.append(data)
                vids.append(int(v))
    if len(groups) > 1:
        raise ValueError("vectors of several shapes under %s: %s; choose one with model=, "
                         "dims= or dtype=" % (directory, ", ".join(
                             "%d x %s-d %s" % (c, d, t) for (d, t), c in sorted(groups.items()))))
    x = np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
    return paths, x, np.array(vids, dtype=np.uint64)
