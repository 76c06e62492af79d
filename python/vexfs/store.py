# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Vectors stored with files: attach, get, list, detach, stats, codebooks.

Every function takes a path (str, bytes or os.PathLike) or an open file
descriptor (int) and raises OSError with the kernel's errno on failure
(vexfs.errors). numpy arrays in, numpy arrays out.

Types (numpy dtype of what attach() is given -> stored data type):
  float32 -> float32 (float64 is converted to float32 first)
  float16 -> float16
  int8, int16 -> int8, int16
  bool -> binary, one bit per element (dims = the row length)
  uint8 -> binary, already packed as FAISS's binary indexes hold it: bit i
           of a vector is bit i % 8 of byte i // 8 (dims = 8 x the row
           length, or the dims argument)
get() returns float32 for compressed vectors (sq8, sq4, pq, f16, sparse),
the stored type otherwise, binary vectors packed (uint8, ceil(dims / 8)).
"""
import collections
import ctypes
import errno
import fcntl
import os

import numpy as np

from . import abi
from .errors import raise_for

COMPRESSIONS = {None: abi.COMP_NONE, "none": abi.COMP_NONE, "sq8": abi.COMP_SQ8,
                "sq4": abi.COMP_SQ4, "pq": abi.COMP_PQ, "f16": abi.COMP_F16,
                "float16": abi.COMP_F16, "sparse": abi.COMP_SPARSE}
COMPRESSION_NAMES = {abi.COMP_NONE: "none", abi.COMP_SQ8: "sq8", abi.COMP_SQ4: "sq4",
                     abi.COMP_PQ: "pq", abi.COMP_F16: "f16", abi.COMP_SPARSE: "sparse"}
DTYPE_NAMES = {abi.DT_F32: "float32", abi.DT_F16: "float16", abi.DT_I8: "int8",
               abi.DT_I16: "int16", abi.DT_BIN: "binary"}
NUMPY_DTYPES = {abi.DT_F32: np.dtype("<f4"), abi.DT_F16: np.dtype("<f2"),
                abi.DT_I8: np.dtype("i1"), abi.DT_I16: np.dtype("<i2"),
                abi.DT_BIN: np.dtype("u1")}

VectorInfo = collections.namedtuple("VectorInfo", [
    "vector_id", "inode", "dtype", "compression", "dims", "original_size",
    "stored_size", "created_ns", "modified_ns", "checksum", "model",
    "model_version", "confidence"])
Stats = collections.namedtuple("Stats", [
    "vectors", "files", "live_bytes", "alloc_bytes", "chunks", "next_id",
    "max_dims", "max_data", "block_size"])
Codebook = collections.namedtuple("Codebook", ["id", "dims", "m", "crc", "blob"])


class _Open:
    """A path opened for the call (and closed after), or a caller's fd."""

    def __init__(self, target, flags):
        self.own = not isinstance(target, int)
        self.path = os.fsdecode(target) if self.own else "<fd %d>" % target
        self.fd = os.open(target, flags | os.O_CLOEXEC) if self.own else target

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.own:
            os.close(self.fd)

    def ioctl(self, op, cmd, arg, ident=0):
        try:
            fcntl.ioctl(self.fd, cmd, arg, True)
        except OSError as e:
            raise_for(e.errno, op, self.path, self.fd, ident)


def _model_bytes(model):
    if model is None:
        return b""
    b = model.encode() if isinstance(model, str) else bytes(model)
    if len(b) > abi.MODEL_LEN:
        raise ValueError("model name %r is longer than %d bytes" % (model, abi.MODEL_LEN))
    return b


def _model_str(arr):
    return bytes(arr).rstrip(b"\0").decode(errors="replace")


def _compression(compression):
    try:
        return COMPRESSIONS[compression.lower() if isinstance(compression, str) else compression]
    except KeyError:
        raise ValueError("unknown compression %r (none, f16, sq8, sq4, pq, sparse)"
                         % (compression,)) from None


def rows_for_attach(array, dims=None):
    """(dtype code, dims, 2-D C-contiguous little-endian rows) of what attach() takes."""
    a = np.asarray(array)
    if a.ndim == 1:
        a = a[np.newaxis, :]
    if a.ndim != 2:
        raise ValueError("a vector is a 1-D array, several vectors a 2-D one (got %d-D)" % a.ndim)
    if a.shape[1] == 0:
        raise ValueError("a vector needs at least one dimension")
    kind = a.dtype
    if kind == np.float64:
        if np.any(np.isfinite(a) & (np.abs(a) > np.finfo(np.float32).max)):
            raise ValueError("values out of float32 range")
        a, code = a.astype("<f4"), abi.DT_F32
    elif kind == np.float32:
        code = abi.DT_F32
    elif kind == np.float16:
        code = abi.DT_F16
    elif kind == np.int8:
        code = abi.DT_I8
    elif kind == np.int16:
        code = abi.DT_I16
    elif kind == np.bool_:
        if dims not in (None, a.shape[1]):
            raise ValueError("dims %d for bool rows of %d" % (dims, a.shape[1]))
        dims = a.shape[1]
        a, code = np.packbits(a, axis=1, bitorder="little"), abi.DT_BIN
    elif kind == np.uint8:
        code = abi.DT_BIN
        if dims is None:
            dims = 8 * a.shape[1]
        elif not 8 * a.shape[1] - 7 <= dims <= 8 * a.shape[1]:
            raise ValueError("dims %d does not fit packed rows of %d bytes" % (dims, a.shape[1]))
    else:
        raise TypeError("unsupported dtype %s: float32, float16, float64 (converted), int8, "
                        "int16, bool or packed uint8 (binary)" % kind)
    if code != abi.DT_BIN:
        if dims not in (None, a.shape[1]):
            raise ValueError("dims %d for rows of %d" % (dims, a.shape[1]))
        dims = a.shape[1]
    if dims > abi.MAX_DIMS:
        raise ValueError("%d dimensions: at most %d" % (dims, abi.MAX_DIMS))
    a = np.ascontiguousarray(a, dtype=NUMPY_DTYPES[code])
    if a.shape[1] * a.itemsize > abi.MAX_DATA:
        raise ValueError("a vector of %d bytes: at most %d" % (a.shape[1] * a.itemsize, abi.MAX_DATA))
    return code, dims, a


def attach(path, array, model=None, compression=None, model_version=0, confidence=None,
           codebook=0, dims=None):
    """Attach the vector (1-D array) or every row (2-D) to the file.

    Returns the new vector id (1-D) or a uint64 array of ids (2-D). All or
    nothing: if a row fails, the rows attached before it are detached again
    and the error is raised. model: a name of at most 16 bytes that SEARCH
    can filter on; confidence: 0..1; compression: None, "f16", "sq8", "sq4",
    "pq" (codebook: its id, 0 = the newest of these dims), "sparse".
    """
    single = np.ndim(array) == 1
    code, dims, rows = rows_for_attach(array, dims)
    comp = _compression(compression)
    meta = abi.vexfs_vec_user_meta()
    mb = _model_bytes(model)
    ctypes.memmove(meta.model, mb, len(mb))
    meta.model_version = int(model_version)
    if confidence is not None:
        if not 0.0 <= confidence <= 1.0:
            raise ValueError("confidence %r is not in 0..1" % (confidence,))
        meta.confidence = int(round(confidence * 1000000))
    ids = np.zeros(len(rows), dtype=np.uint64)
    with _Open(path, os.O_WRONLY) as f:
        arg = abi.vexfs_ioc_attach.new(dtype=code, compression=comp, dims=dims,
                                       data_len=rows.shape[1] * rows.itemsize,
                                       codebook=codebook, meta=meta)
        base, stride = rows.ctypes.data, rows.strides[0]
        for i in range(len(rows)):
            arg.data = base + i * stride
            arg.vector_id = 0
            try:
                f.ioctl("attach", abi.IOC_VEC_ATTACH, arg, codebook)
            except OSError:
                for vid in ids[:i]:
                    try:
                        f.ioctl("detach", abi.IOC_VEC_DETACH,
                                abi.vexfs_ioc_detach.new(vector_id=int(vid)))
                    except OSError:
                        pass
                raise
            ids[i] = arg.vector_id
    return int(ids[0]) if single else ids


def _info(i):
    m = i.meta
    return VectorInfo(i.vector_id, i.file_inode, DTYPE_NAMES.get(i.dtype, i.dtype),
                      COMPRESSION_NAMES.get(i.compression, i.compression), i.dims,
                      i.original_size, i.stored_size, i.created_ns, i.modified_ns,
                      i.checksum, _model_str(m.model), m.model_version,
                      m.confidence / 1000000.0)


def _get(f, vector_id, raw):
    """One GET into a buffer that holds any vector (MAX_DATA bytes)."""
    flags = abi.VEC_GET_RAW if raw else 0
    buf = np.empty(abi.MAX_DATA, dtype=np.uint8)
    arg = abi.vexfs_ioc_get.new(flags=flags, vector_id=vector_id,
                                data=buf.ctypes.data, data_len=len(buf))
    f.ioctl("get", abi.IOC_VEC_GET, arg, vector_id)
    info = arg.info
    data = buf[:arg.data_len].copy()
    if raw:
        return data, info
    dtype = abi.DT_F32 if info.compression != abi.COMP_NONE else info.dtype
    return data.view(NUMPY_DTYPES[dtype]), info


def get(path, vector_id, raw=False):
    """The vector as an ndarray (raw=True: the stored bytes, uint8)."""
    with _Open(path, os.O_RDONLY) as f:
        return _get(f, int(vector_id), raw)[0]


def info(path, vector_id):
    """The vector's header (VectorInfo)."""
    with _Open(path, os.O_RDONLY) as f:
        return _info(_get(f, int(vector_id), True)[1])


def _ids(f):
    out = []
    start = 0
    cap = 4096
    buf = np.empty(cap, dtype=np.uint64)
    while True:
        arg = abi.vexfs_ioc_list.new(start_id=start, ids=buf.ctypes.data, capacity=cap)
        f.ioctl("list", abi.IOC_VEC_LIST, arg)
        out.append(buf[:arg.count].copy())
        if not arg.next_id:
            break
        start = arg.next_id
    return np.concatenate(out)


def ids(path):
    """The file's vector ids, ascending (uint64 array)."""
    with _Open(path, os.O_RDONLY) as f:
        return _ids(f)


def vectors(path):
    """(ids, X): the file's vector ids and its vectors as the rows of X.

    The vectors of one file usually share dims and type; if they do not,
    X is a list of 1-D arrays instead of a 2-D array."""
    with _Open(path, os.O_RDONLY) as f:
        idl = _ids(f)
        rows = [_get(f, int(v), False)[0] for v in idl]
    if not rows:
        return idl, np.zeros((0, 0), dtype=np.float32)
    if len({(r.dtype, r.shape) for r in rows}) == 1:
        return idl, np.stack(rows)
    return idl, rows


def detach(path, vector_id):
    """Remove vector(s) from the file (an id or a sequence of ids). With
    several ids the file is opened for reading and writing and every id is
    checked to exist first (ENOENT before anything is removed)."""
    many = np.ndim(vector_id) > 0
    vids = [int(v) for v in np.atleast_1d(vector_id)]
    with _Open(path, os.O_RDWR if many else os.O_WRONLY) as f:
        if many:
            have = set(int(v) for v in _ids(f))
            for v in vids:
                if v not in have:
                    raise_for(errno.ENOENT, "detach", f.path, f.fd, v)
        for v in vids:
            f.ioctl("detach", abi.IOC_VEC_DETACH, abi.vexfs_ioc_detach.new(vector_id=v), v)


def stats(path):
    """The filesystem's vector store (any file or directory on it)."""
    with _Open(path, os.O_RDONLY) as f:
        a = abi.vexfs_ioc_stats.new()
        f.ioctl("stats", abi.IOC_VEC_STATS, a)
    return Stats(a.vectors, a.files, a.live_bytes, a.alloc_bytes, a.chunks, a.next_id,
                 a.max_dims, a.max_data, a.block_size)


def codebooks(path):
    """The filesystem's PQ codebooks: a list of Codebook(id, dims, m, crc, blob)."""
    out = []
    with _Open(path, os.O_RDONLY) as f:
        a = abi.vexfs_ioc_codebook_get.new(id=0)
        f.ioctl("codebook_get", abi.IOC_CODEBOOK_GET, a)
        for cid in range(1, a.count + 1):
            g = abi.vexfs_ioc_codebook_get.new(id=cid)
            f.ioctl("codebook_get", abi.IOC_CODEBOOK_GET, g, cid)
            blob = ctypes.create_string_buffer(g.blob_len)
            g = abi.vexfs_ioc_codebook_get.new(id=cid, blob=ctypes.addressof(blob),
                                               blob_len=len(blob))
            f.ioctl("codebook_get", abi.IOC_CODEBOOK_GET, g, cid)
            out.append(Codebook(cid, g.dims, g.m, g.blob_crc, blob.raw[:g.blob_len]))
    return out


def add_codebook(path, blob):
    """Install a PQ codebook blob (vexctl train writes them; needs
    CAP_SYS_ADMIN). Returns its id."""
    data = ctypes.create_string_buffer(bytes(blob), len(blob))
    with _Open(path, os.O_RDONLY) as f:
        a = abi.vexfs_ioc_codebook_add.new(blob=ctypes.addressof(data), blob_len=len(blob))
        f.ioctl("codebook_add", abi.IOC_CODEBOOK_ADD, a)
    return a.id
