# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Native tests of the Python package (python/vexfs), no kernel needed.

 - the ABI: every struct of include/vexfs/vexfs_ioctl.h, its size, and each
   field's name, order, offset and size, as the C compiler lays them out
   (abi_layout, built by test_python.sh) and as the header's text names
   them, equal vexfs.abi's ctypes structures; every numeric constant of the
   header is in vexfs.abi.CONSTANTS with its value; the ioctl numbers equal;
 - argument checking before any call: dtype mapping (float64 converted,
   bool packed little-endian, packed uint8 with dims), shapes, limits,
   model names, compressions, metrics, k;
 - vector files: .npy / .fvecs / .ivecs / .bvecs round trips and rejections;
   paths files;
 - calls on a file that is not on VexFS fail with ENOTTY and "not a VexFS
   file" (the kernel's answer of every other filesystem).

Usage: python3 test_python_abi.py ABI_LAYOUT_BINARY HEADER
"""
import ctypes
import errno
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

import vexfs
from vexfs import abi
from vexfs.bulk import read_paths, write_paths
from vexfs.search import _queries
from vexfs.store import rows_for_attach

P = F = 0


def ck(cond, desc, detail=""):
    global P, F
    if cond:
        P += 1
        print("ok %d - %s" % (P + F, desc))
    else:
        F += 1
        print("not ok %d - %s: %s" % (P + F, desc, detail))
    return cond


def raises(exc, fn, *a, **kw):
    try:
        fn(*a, **kw)
    except exc as e:
        return e
    return None


def c_layout(binary):
    structs, fields, ioctls = {}, {}, {}
    for line in subprocess.run([binary], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        t = line.split()
        if t[0] == "S":
            structs[t[1]] = int(t[2])
        elif t[0] == "F":
            fields.setdefault(t[1], []).append((t[2], int(t[3]), int(t[4])))
        elif t[0] == "I":
            ioctls[t[1]] = int(t[2])
    return structs, fields, ioctls


def header_text(path):
    src = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    bodies = {}
    for name, body in re.findall(r"struct (\w+) \{(.*?)\};", src, flags=re.S):
        bodies[name] = re.findall(r"(?:struct \w+|__(?:u|le)\d+)\s+(\w+)\s*(?:\[\w+\])?;", body)
    consts = {}
    for name, val in re.findall(r"^#define\s+(VEXFS_\w+)\s+(\S.*?)\s*$", src, flags=re.M):
        if name.startswith("VEXFS_IOC_") and name != "VEXFS_IOC_MAGIC":
            continue
        if val.startswith('"'):
            continue
        consts[name] = val
    return bodies, consts


def check_abi(binary, header):
    structs, fields, ioctls = c_layout(binary)
    bodies, consts = header_text(header)
    ck(set(structs) == set(abi.STRUCTS) == set(bodies),
       "the same structs in the header, the C layout and vexfs.abi",
       "%s / %s / %s" % (sorted(structs), sorted(abi.STRUCTS), sorted(bodies)))
    for name, cls in abi.STRUCTS.items():
        ck(ctypes.sizeof(cls) == structs.get(name),
           "sizeof(struct %s) = %s" % (name, structs.get(name)), str(ctypes.sizeof(cls)))
        py = [(f[0], getattr(cls, f[0]).offset, getattr(cls, f[0]).size) for f in cls._fields_]
        ck(py == fields.get(name), "struct %s: fields, offsets, sizes as C" % name,
           "python %s, C %s" % (py, fields.get(name)))
        ck([f[0] for f in py] == bodies.get(name), "struct %s: fields as the header names them" % name,
           "%s" % bodies.get(name))
    for name, num in ioctls.items():
        ck(abi.IOCTLS.get(name) == num, "%s = %#x" % (name, num), "%#x" % (abi.IOCTLS.get(name) or 0))
    ck(set(ioctls) == set(abi.IOCTLS), "every ioctl number is in vexfs.abi")
    for name, val in consts.items():
        have = abi.CONSTANTS.get(name)
        if not val[0].isdigit():      # an expression of other constants
            want = eval(re.sub(r"(VEXFS_\w+)", lambda m: str(abi.CONSTANTS[m.group(1)]), val))
        else:
            want = int(val, 0)
        ck(have == want, "%s = %s" % (name, val), "vexfs.abi has %r" % (have,))


def check_args():
    code, d, rows = rows_for_attach(np.arange(5, dtype=np.float64))
    ck(code == abi.DT_F32 and d == 5 and rows.dtype == np.float32 and rows.shape == (1, 5),
       "float64 rows become float32")
    bits = np.array([[1, 0, 0, 0, 0, 0, 0, 0, 1, 1]], dtype=bool)
    code, d, rows = rows_for_attach(bits)
    ck(code == abi.DT_BIN and d == 10 and rows.tolist() == [[1, 3]],
       "bool rows are packed, element i = bit i % 8 of byte i / 8", str(rows.tolist()))
    code, d, rows = rows_for_attach(np.zeros((3, 4), dtype=np.uint8))
    ck(code == abi.DT_BIN and d == 32, "packed uint8 rows are binary of 8 x bytes dims")
    code, d, rows = rows_for_attach(np.zeros((3, 4), dtype=np.uint8), dims=27)
    ck(d == 27, "packed uint8 rows with dims=27")
    ck(raises(ValueError, rows_for_attach, np.zeros((3, 4), dtype=np.uint8), dims=20),
       "dims=20 does not fit 4 packed bytes: ValueError")
    for dt, want in ((np.float16, abi.DT_F16), (np.int8, abi.DT_I8), (np.int16, abi.DT_I16)):
        ck(rows_for_attach(np.zeros(3, dtype=dt))[0] == want, "%s rows are dtype %d" % (dt.__name__, want))
    rows = rows_for_attach(np.zeros((4, 6), dtype=np.float32)[:, ::2])[2]
    ck(rows.flags.c_contiguous and rows.shape == (4, 3), "strided rows are made contiguous")
    ck(raises(ValueError, rows_for_attach, np.zeros((2, 2, 2), dtype=np.float32)), "3-D: ValueError")
    ck(raises(ValueError, rows_for_attach, np.zeros((2, 0), dtype=np.float32)), "0 dims: ValueError")
    ck(raises(ValueError, rows_for_attach, np.zeros(8193, dtype=np.float32)),
       "8193 float32 (32772 bytes): ValueError")
    ck(rows_for_attach(np.zeros(8192, dtype=np.float32))[1] == 8192, "8192 float32: accepted")
    ck(raises(ValueError, rows_for_attach, np.full(3, 1e300)), "float64 beyond float32: ValueError")
    ck(raises(TypeError, rows_for_attach, np.zeros(3, dtype=np.complex64)), "complex: TypeError")
    ck(raises(TypeError, rows_for_attach, np.zeros(3, dtype=np.int32)), "int32: TypeError")
    with tempfile.NamedTemporaryFile() as t:
        e = raises(ValueError, vexfs.attach, t.name, np.zeros(3, np.float32), model="x" * 17)
        ck(e and "16 bytes" in str(e), "a 17-byte model name: ValueError", str(e))
        e = raises(ValueError, vexfs.attach, t.name, np.zeros(3, np.float32), compression="zip")
        ck(e and "unknown compression" in str(e), "unknown compression: ValueError", str(e))
        e = raises(ValueError, vexfs.attach, t.name, np.zeros(3, np.float32), confidence=1.5)
        ck(e is not None, "confidence 1.5: ValueError")
        e = raises(ValueError, vexfs.search_raw, t.name, np.zeros(3, np.float32), k=0)
        ck(e and "k 0" in str(e), "k 0: ValueError", str(e))
        e = raises(ValueError, vexfs.search_raw, t.name, np.zeros(3, np.float32), k=4097)
        ck(e is not None, "k 4097: ValueError")
        e = raises(ValueError, vexfs.search_raw, t.name, np.zeros(3, np.float32), metric="manhattan")
        ck(e and "unknown metric" in str(e), "unknown metric: ValueError", str(e))
        e = raises(ValueError, vexfs.search_raw, t.name, np.zeros(3, bool), metric="l2")
        ck(e and "hamming" in str(e), "binary queries with l2: ValueError", str(e))
        e = raises(OSError, vexfs.attach, t.name, np.zeros(3, np.float32))
        ck(e and e.errno == errno.ENOTTY and "not a VexFS file" in str(e) and t.name in str(e),
           "attach on a file of another filesystem: ENOTTY, 'not a VexFS file', the path", str(e))
        e = raises(OSError, vexfs.get, t.name, 1)
        ck(e and e.errno == errno.ENOTTY, "get on another filesystem: ENOTTY", str(e))
        e = raises(OSError, vexfs.stats, os.path.dirname(t.name))
        ck(e and e.errno == errno.ENOTTY and "not a VexFS filesystem" in str(e),
           "stats on another filesystem: ENOTTY, 'not a VexFS filesystem'", str(e))
        e = raises(OSError, vexfs.search, os.path.dirname(t.name), np.zeros(3, np.float32))
        ck(e and e.errno == errno.ENOTTY, "search on another filesystem: ENOTTY", str(e))
        e = raises(ValueError, vexfs.search_raw, t.name, np.zeros(3, np.float32), approx=True,
                   ef=-1)
        ck(e and "ef -1" in str(e), "ef -1: ValueError", str(e))
        e = raises(ValueError, vexfs.search_raw, t.name, np.zeros(3, np.float32), k=10,
                   approx=True, ef=9)
        ck(e and "ef 9" in str(e), "ef 9 below k 10: ValueError", str(e))
        e = raises(ValueError, vexfs.search_raw, t.name, np.zeros(3, np.float32), ef=32)
        ck(e is not None, "ef without approx: ValueError")
        e = raises(OSError, vexfs.index_stats, t.name)
        ck(e and e.errno == errno.ENOTTY, "index_stats on another filesystem: ENOTTY", str(e))
        e = raises(ValueError, vexfs.index_create, t.name, 8, value_range=(0.0, float("nan")))
        ck(e is not None, "index_create value_range with NaN: ValueError before any call")
        e = raises(ValueError, vexfs.index_create, t.name, 8, metric="hamming")
        ck(e is not None, "index_create metric hamming: ValueError before any call")
    ck(vexfs.errors.message(errno.EEXIST, "index", ident=abi.INDEX_CREATE) ==
       "the filesystem has an index already: drop it first", "index EEXIST: its message")
    ck("CAP_SYS_ADMIN" in vexfs.errors.message(errno.EPERM, "index", ident=abi.INDEX_DROP),
       "index EPERM: its message")
    ck(vexfs.IndexStats._fields[-2:] == ("indexed", "metric") and
       "approx" in vexfs.SearchResult._fields, "IndexStats (with its metric) and SearchResult.approx exported")
    e = raises(FileNotFoundError, vexfs.attach, "/nonexistent/x", np.zeros(3, np.float32))
    ck(e is not None, "attach to a missing path: FileNotFoundError")
    single, code, d, rows, m = _queries(np.zeros(4, np.float16), None, None)
    ck(single and code == abi.DT_F32 and rows.dtype == np.float32 and m == abi.SEARCH_METRIC_L2,
       "float16 queries are sent as float32, l2 by default")
    single, code, d, rows, m = _queries(np.zeros((2, 9), bool), None, None)
    ck(not single and code == abi.DT_BIN and m == abi.SEARCH_METRIC_HAMMING and d == 9,
       "bool queries: binary, hamming by default")


def check_files():
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as d:
        for ext, dt in ((".npy", np.float32), (".fvecs", np.float32), (".ivecs", np.int32),
                        (".bvecs", np.uint8), (".npy", np.int8)):
            x = (rng.standard_normal((7, 5)) * 50).astype(dt)
            p = os.path.join(d, "x" + ext)
            vexfs.write_vectors(p, x)
            y = vexfs.read_vectors(p)
            ck(y.dtype == x.dtype and np.array_equal(x, y), "%s of %s: round trip" % (ext, dt.__name__))
        x = rng.standard_normal((3, 4)).astype(np.float32)
        p = os.path.join(d, "y.fvecs")
        vexfs.write_vectors(p, x)
        raw = open(p, "rb").read()
        ck(raw[:4] == b"\x04\0\0\0" and len(raw) == 3 * 20, ".fvecs layout: le32 dims then the row")
        open(p, "wb").write(raw[:-1])
        ck(raises(ValueError, vexfs.read_vectors, p), "truncated .fvecs: ValueError")
        open(p, "wb").write(raw[:20] + b"\x05\0\0\0" + raw[24:])
        ck(raises(ValueError, vexfs.read_vectors, p), ".fvecs with a row of other dims: ValueError")
        ck(raises(ValueError, vexfs.read_vectors, os.path.join(d, "x.csv")), ".csv: ValueError")
        names = ["a/b c.txt", "d/é.txt", "x"]
        write_paths(os.path.join(d, "p.txt"), names)
        ck(read_paths(os.path.join(d, "p.txt")) == names, "paths file: round trip (spaces, UTF-8)")
        ck(raises(ValueError, write_paths, os.path.join(d, "q.txt"), ["a\nb"]),
           "a path with a newline: ValueError")


def main():
    check_abi(sys.argv[1], sys.argv[2])
    check_args()
    check_files()
    print("# vtest: %d passed, %d failed" % (P, F))
    sys.exit(1 if F else 0)


main()
