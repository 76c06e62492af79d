# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The VexFS ioctl ABI (include/vexfs/vexfs_ioctl.h) as ctypes structures.

This module is the package's only description of the ABI: every struct,
constant and ioctl number the other modules use comes from here, and
tests/user/test_python.sh pins each struct's size and every field's name,
order, offset and size against the C header (compiled by the C compiler and
parsed as text), so the two cannot drift apart silently.

Documentation/vexfs-ioctl.rst describes the calls.
"""
import ctypes

u8, u16, u32, u64 = ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint64

VEXFS_SUPER_MAGIC = 0x56455846   # statfs f_type ("VEXF")
IOC_MAGIC = 0xBA

# data types and compressions (the on-disk values)
DT_F32, DT_F16, DT_I8, DT_I16, DT_BIN = 1, 2, 3, 4, 5
COMP_NONE, COMP_SQ8, COMP_SQ4, COMP_PQ, COMP_F16, COMP_SPARSE = 0, 1, 2, 3, 4, 5
VEC_LIST_MAX = 65536
VEC_GET_RAW = 0x1

GOING_DOWN_FULLSYNC, GOING_DOWN_METASYNC, GOING_DOWN_NOLOGFLUSH = 0, 1, 2

SEARCH_METRIC_L2, SEARCH_METRIC_IP, SEARCH_METRIC_COS, SEARCH_METRIC_HAMMING = 0, 1, 2, 3
SEARCH_FS = 0x1
SEARCH_LIKE = 0x2
SEARCH_APPROX = 0x4
SEARCH_EF_DEFAULT = 64
SEARCH_EF_MAX = 1024
SEARCH_SIZE_V0 = 96
INDEX_CREATE, INDEX_DROP, INDEX_STATS = 1, 2, 3
INDEX_RANGE = 0x1
INDEX_NONE, INDEX_BUILDING, INDEX_READY = 0, 1, 2
SEARCH_NQ_MAX = 256
SEARCH_K_MAX = 4096

PATHS_ALL = 0x1

# limits of Documentation/vexfs-ioctl.rst ("Data types")
MAX_DIMS = 65536
MAX_DATA = 32768
MAX_VECTORS_PER_FILE = 65536
MODEL_LEN = 16


class _S(ctypes.Structure):
    """A size-prefixed ioctl struct: new() zeroes it and sets .size."""

    @classmethod
    def new(cls, **fields):
        s = cls()
        s.size = ctypes.sizeof(cls)
        for name, value in fields.items():
            setattr(s, name, value)
        return s


class vexfs_vec_user_meta(ctypes.Structure):
    _fields_ = [("model", u8 * 16), ("model_version", u32), ("confidence", u32),
                ("reserved", u64)]


class vexfs_ioc_attach(_S):
    _fields_ = [("size", u32), ("flags", u32), ("dtype", u16), ("compression", u16),
                ("dims", u32), ("data", u64), ("data_len", u32), ("codebook", u32),
                ("meta", vexfs_vec_user_meta), ("vector_id", u64)]


class vexfs_vec_info(ctypes.Structure):
    _fields_ = [("vector_id", u64), ("file_inode", u64), ("dtype", u16),
                ("compression", u16), ("dims", u32), ("original_size", u32),
                ("stored_size", u32), ("created_ns", u64), ("modified_ns", u64),
                ("checksum", u32), ("flags", u32), ("meta", vexfs_vec_user_meta)]


class vexfs_ioc_get(_S):
    _fields_ = [("size", u32), ("flags", u32), ("vector_id", u64), ("data", u64),
                ("data_len", u32), ("pad", u32), ("info", vexfs_vec_info)]


class vexfs_ioc_list(_S):
    _fields_ = [("size", u32), ("flags", u32), ("start_id", u64), ("ids", u64),
                ("capacity", u32), ("count", u32), ("next_id", u64), ("total", u64)]


class vexfs_ioc_detach(_S):
    _fields_ = [("size", u32), ("flags", u32), ("vector_id", u64)]


class vexfs_ioc_stats(_S):
    _fields_ = [("size", u32), ("flags", u32), ("vectors", u64), ("files", u64),
                ("live_bytes", u64), ("alloc_bytes", u64), ("chunks", u64),
                ("next_id", u64), ("max_dims", u32), ("max_data", u32),
                ("block_size", u32), ("pad", u32)]


class vexfs_ioc_codebook_add(_S):
    _fields_ = [("size", u32), ("flags", u32), ("blob", u64), ("blob_len", u32),
                ("id", u32)]


class vexfs_ioc_codebook_get(_S):
    _fields_ = [("size", u32), ("flags", u32), ("id", u32), ("count", u32),
                ("blob", u64), ("blob_len", u32), ("dims", u32), ("m", u32),
                ("blob_crc", u32)]


class vexfs_search_result(ctypes.Structure):
    _fields_ = [("vector_id", u64), ("inode", u64), ("generation", u32),
                ("distance", u32)]


class vexfs_ioc_search(_S):
    _fields_ = [("size", u32), ("flags", u32), ("dtype", u16), ("metric", u16),
                ("dims", u32), ("nq", u32), ("k", u32), ("queries", u64),
                ("queries_len", u32), ("comp_mask", u32), ("like_id", u64),
                ("model", u8 * 16), ("results", u64), ("results_len", u32),
                ("pad", u32), ("compared", u64), ("corrupt", u64), ("ef", u32),
                ("approx", u32)]


class vexfs_ioc_paths(_S):
    _fields_ = [("size", u32), ("flags", u32), ("inode", u64), ("generation", u32),
                ("count", u32), ("buf", u64), ("buf_len", u32), ("needed", u32)]


class vexfs_ioc_index(_S):
    _fields_ = [("size", u32), ("op", u32), ("flags", u32), ("dims", u32), ("metric", u16),
                ("r", u16), ("alpha", u16), ("ef_construction", u16), ("lo", u32),
                ("hi", u32), ("model", u8 * 16), ("state", u32), ("node_size", u32),
                ("nodes", u64), ("live", u64), ("bytes", u64), ("indexed", u64)]


class vexfs_vec_xattr(ctypes.LittleEndianStructure):
    _fields_ = [("vx_magic", u32), ("vx_dtype", u16), ("vx_compression", u16),
                ("vx_dims", u32), ("vx_data_len", u32), ("vx_created_ns", u64),
                ("vx_modified_ns", u64), ("vx_meta", vexfs_vec_user_meta)]


VEC_XATTR_PREFIX = "vexfs.vec."
VEC_XATTR_MAGIC = 0x31415856

# The structs, by their C names (for the ABI test).
STRUCTS = {c.__name__: c for c in (
    vexfs_vec_user_meta, vexfs_ioc_attach, vexfs_vec_info, vexfs_ioc_get,
    vexfs_ioc_list, vexfs_ioc_detach, vexfs_ioc_stats, vexfs_ioc_codebook_add,
    vexfs_ioc_codebook_get, vexfs_search_result, vexfs_ioc_search, vexfs_ioc_paths,
    vexfs_ioc_index, vexfs_vec_xattr)}

# asm-generic/ioctl.h encoding (x86, arm64, riscv: 2 direction bits, 14 size bits)
_IOC_WRITE, _IOC_READ = 1, 2


def _ioc(direction, magic, nr, size):
    return (direction << 30) | (size << 16) | (magic << 8) | nr


def _iowr(nr, st):
    return _ioc(_IOC_READ | _IOC_WRITE, IOC_MAGIC, nr, ctypes.sizeof(st))


def _iow(nr, st):
    return _ioc(_IOC_WRITE, IOC_MAGIC, nr, ctypes.sizeof(st))


IOC_SHUTDOWN = _ioc(_IOC_READ, ord("X"), 125, 4)
IOC_VEC_ATTACH = _iowr(1, vexfs_ioc_attach)
IOC_VEC_GET = _iowr(2, vexfs_ioc_get)
IOC_VEC_LIST = _iowr(3, vexfs_ioc_list)
IOC_VEC_DETACH = _iow(4, vexfs_ioc_detach)
IOC_VEC_STATS = _iowr(5, vexfs_ioc_stats)
IOC_CODEBOOK_ADD = _iowr(6, vexfs_ioc_codebook_add)
IOC_CODEBOOK_GET = _iowr(7, vexfs_ioc_codebook_get)
IOC_SEARCH = _iowr(8, vexfs_ioc_search)
IOC_INO_PATHS = _iowr(9, vexfs_ioc_paths)
IOC_INDEX = _iowr(10, vexfs_ioc_index)

IOCTLS = {
    "VEXFS_IOC_SHUTDOWN": IOC_SHUTDOWN, "VEXFS_IOC_VEC_ATTACH": IOC_VEC_ATTACH,
    "VEXFS_IOC_VEC_GET": IOC_VEC_GET, "VEXFS_IOC_VEC_LIST": IOC_VEC_LIST,
    "VEXFS_IOC_VEC_DETACH": IOC_VEC_DETACH, "VEXFS_IOC_VEC_STATS": IOC_VEC_STATS,
    "VEXFS_IOC_CODEBOOK_ADD": IOC_CODEBOOK_ADD, "VEXFS_IOC_CODEBOOK_GET": IOC_CODEBOOK_GET,
    "VEXFS_IOC_SEARCH": IOC_SEARCH, "VEXFS_IOC_INO_PATHS": IOC_INO_PATHS,
    "VEXFS_IOC_INDEX": IOC_INDEX,
}

# header constant name -> value here (the ABI test compares them)
CONSTANTS = {
    "VEXFS_IOC_MAGIC": IOC_MAGIC,
    "VEXFS_GOING_DOWN_FULLSYNC": GOING_DOWN_FULLSYNC,
    "VEXFS_GOING_DOWN_METASYNC": GOING_DOWN_METASYNC,
    "VEXFS_GOING_DOWN_NOLOGFLUSH": GOING_DOWN_NOLOGFLUSH,
    "VEXFS_VEC_DT_F32": DT_F32, "VEXFS_VEC_DT_F16": DT_F16, "VEXFS_VEC_DT_I8": DT_I8,
    "VEXFS_VEC_DT_I16": DT_I16, "VEXFS_VEC_DT_BIN": DT_BIN,
    "VEXFS_VEC_COMP_NONE": COMP_NONE, "VEXFS_VEC_COMP_SQ8": COMP_SQ8,
    "VEXFS_VEC_COMP_SQ4": COMP_SQ4, "VEXFS_VEC_COMP_PQ": COMP_PQ,
    "VEXFS_VEC_COMP_F16": COMP_F16, "VEXFS_VEC_COMP_SPARSE": COMP_SPARSE,
    "VEXFS_VEC_LIST_MAX": VEC_LIST_MAX, "VEXFS_VEC_GET_RAW": VEC_GET_RAW,
    "VEXFS_SEARCH_METRIC_L2": SEARCH_METRIC_L2, "VEXFS_SEARCH_METRIC_IP": SEARCH_METRIC_IP,
    "VEXFS_SEARCH_METRIC_COS": SEARCH_METRIC_COS,
    "VEXFS_SEARCH_METRIC_HAMMING": SEARCH_METRIC_HAMMING,
    "VEXFS_SEARCH_FS": SEARCH_FS, "VEXFS_SEARCH_LIKE": SEARCH_LIKE,
    "VEXFS_SEARCH_APPROX": SEARCH_APPROX,
    "VEXFS_SEARCH_FLAGS": SEARCH_FS | SEARCH_LIKE | SEARCH_APPROX,
    "VEXFS_SEARCH_EF_DEFAULT": SEARCH_EF_DEFAULT, "VEXFS_SEARCH_SIZE_V0": SEARCH_SIZE_V0,
    "VEXFS_SEARCH_EF_MAX": SEARCH_EF_MAX,
    "VEXFS_INDEX_CREATE": INDEX_CREATE, "VEXFS_INDEX_DROP": INDEX_DROP,
    "VEXFS_INDEX_STATS": INDEX_STATS, "VEXFS_INDEX_RANGE": INDEX_RANGE,
    "VEXFS_INDEX_FLAGS": INDEX_RANGE, "VEXFS_INDEX_NONE": INDEX_NONE,
    "VEXFS_INDEX_BUILDING": INDEX_BUILDING, "VEXFS_INDEX_READY": INDEX_READY,
    "VEXFS_SEARCH_NQ_MAX": SEARCH_NQ_MAX, "VEXFS_SEARCH_K_MAX": SEARCH_K_MAX,
    "VEXFS_PATHS_ALL": PATHS_ALL, "VEXFS_PATHS_FLAGS": PATHS_ALL,
    "VEXFS_VEC_XATTR_MAGIC": VEC_XATTR_MAGIC,
}
