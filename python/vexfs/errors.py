# SPDX-License-Identifier: GPL-2.0 OR MIT
"""OSError for failed VexFS calls, with what the errno means for that call.

The package raises OSError (so FileNotFoundError, PermissionError, ... for
the errnos Python maps) with the kernel's errno, a message saying what was
wrong in terms of the call, and the path. These are the meanings
Documentation/vexfs-ioctl.rst gives each errno; vexctl prints the same.
"""
import errno
import os
import stat

from . import abi

_E = errno


def _notty(op, fd):
    if fs_magic(fd) != abi.VEXFS_SUPER_MAGIC:
        if op in ("stats", "codebook_add", "codebook_get"):
            return "not a VexFS filesystem"
        return "not a VexFS file (it is not on a VexFS filesystem)"
    if op in ("attach", "get", "list", "detach") and stat.S_ISDIR(os.fstat(fd).st_mode):
        return "a directory has no vectors (vector calls take a regular file)"
    return "this vexfs module does not know the call (module older than the package?)"


def fs_magic(fd):
    """statfs(2) f_type of fd (os.statvfs does not report it)."""
    import ctypes
    import ctypes.util
    buf = (ctypes.c_long * 32)()
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.fstatfs(fd, buf) != 0:
        return 0
    return buf[0] & 0xffffffff


def message(err, op, fd=None, ident=0):
    """What errno err means for call op ("attach", "get", "list", "detach",
    "stats", "codebook_add", "codebook_get", "search", "paths", "index";
    for "index", ident is the operation: 1 create, 2 drop, 3 stats)."""
    write = op in ("attach", "detach")
    cb = op.startswith("codebook")
    if op == "index":
        m = _index_message(err, ident)
        if m:
            return m
    if err == _E.ENOTTY:
        return _notty(op, fd) if fd is not None else "not a VexFS file"
    if err == _E.EINVAL:
        if op == "attach":
            return ("the kernel rejected the vector (data type, dimensions, size or "
                    "metadata; sq8, sq4, f16, sparse and pq take float32 vectors only, "
                    "without NaN or infinity for sq and pq; a PQ codebook must have the "
                    "vector's dimensions)")
        if op == "codebook_add":
            return ("the kernel rejected the codebook (not a valid PQ codebook blob, or "
                    "more than 8192 dimensions)")
        if op == "search":
            return ("the kernel rejected the search (dims, dtype and metric must agree: "
                    "binary queries use hamming only; k 1..%d)" % abi.SEARCH_K_MAX)
        return "invalid request"
    if err == _E.EOPNOTSUPP:
        if op == "search":
            return ("this directory cannot be a search scope: the filesystem has no parent "
                    "pointers (fsck.vexfs -y -O parent adds them), or no vector store")
        if op == "paths":
            return "the filesystem has no parent pointers (fsck.vexfs -y -O parent)"
        return ("operation not supported: the filesystem has no vector store, or this "
                "kernel does not store that data type or compression")
    if err == _E.EBADF:
        return "file not open for writing" if write else "file not open for reading"
    if err == _E.EROFS:
        return "read-only filesystem"
    if err == _E.ENOSPC:
        if op == "codebook_add":
            return ("no room for the codebook: the filesystem has the maximum number of "
                    "codebooks, or no run of contiguous free blocks that holds it")
        return ("no space for the vector: the filesystem is full or the file has the "
                "maximum %d vectors" % abi.MAX_VECTORS_PER_FILE)
    if err == _E.EFBIG and op == "codebook_add":
        return ("codebook too large for one journal transaction: train one for fewer "
                "dimensions, or make the filesystem with a larger journal (mkfs.vexfs -J)")
    if err == _E.ENOENT:
        if op == "attach":
            return ("no PQ codebook with id %d" % ident if ident else
                    "no PQ codebook for vectors of these dimensions (vexctl train installs one)")
        if op == "codebook_get":
            return "no codebook with id %d" % ident
        if op == "search":
            return "no vector with id %d to search like" % ident
        return "no vector with id %d on this file" % ident
    if err == _E.E2BIG:
        return ("the kernel does not understand the request (ioctl structure size mismatch "
                "between this package and vexfs.ko)")
    if err == _E.EUCLEAN:
        return ("corrupt codebook (run fsck.vexfs)" if cb else
                "corrupt vector record (run fsck.vexfs)")
    if err == _E.EPERM:
        if op == "codebook_add":
            return "operation not permitted (installing a codebook needs CAP_SYS_ADMIN)"
        return "operation not permitted (immutable or append-only file)"
    if err == _E.EACCES:
        if op == "search":
            return "permission denied (the scope directory must be searchable, the LIKE file readable)"
        return "permission denied"
    if err == _E.ESTALE:
        return "the inode is gone or was reused (stale)"
    if err == _E.EINTR:
        return "interrupted by a signal"
    if err == _E.EIO:
        return "I/O error (the filesystem may have been shut down)"
    if err == _E.EFAULT:
        return "bad address"
    return os.strerror(err)


def _index_message(err, op):
    if err == _E.EEXIST:
        return "the filesystem has an index already: drop it first"
    if err == _E.ENOENT:
        return "the filesystem has no index"
    if err == _E.ENODATA:
        return ("no vector of the collection to take the code range from: give "
                "value_range=(lo, hi)")
    if err == _E.EPERM:
        return "creating or dropping the index needs CAP_SYS_ADMIN"
    if err == _E.EINVAL and op == abi.INDEX_CREATE:
        return ("invalid parameters: dims 1..4096, degree 4..64, alpha 1.0..2.0, "
                "ef_construction degree..1024, and a node (16 + 4 degree + dims bytes) "
                "must fit a block")
    if err == _E.EINTR:
        return "interrupted: the index was dropped"
    return None


def raise_for(err, op, path, fd=None, ident=0):
    raise OSError(err, "vexfs %s: %s" % (op, message(err, op, fd, ident)), path)
