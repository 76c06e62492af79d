# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The Python package (python/vexfs) against the kernel, driven by
tests/vm/python.sh on a freshly made VexFS.

Modes:
  api M W VEXCTL      attach/get/info/ids/vectors/detach/stats/codebooks for
                      every data type and compression, all-or-nothing 2-D
                      attach, errors (errno and message), search against
                      numpy and against vexctl, scopes, like, model and
                      compression filters, paths, batches above 256, D/I;
                      the ANN index: create, stats, approx search, drop
  user M W            as an unprivileged user: a file it cannot read never
                      appears in search(), attach needs write permission
  roundtrip M W M2 D  export_vectors(M) of D dims -> W/e1.npy + W/e1.paths,
                      import_vectors into M2 (empty), export again -> W/e2.*
"""
import errno
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vt import ck, finish  # noqa: E402

import vexfs  # noqa: E402
from vexfs.bulk import read_paths, write_paths  # noqa: E402


def raises(exc, fn, *a, **kw):
    try:
        fn(*a, **kw)
    except exc as e:
        return e
    return None


def touch(p, data=b""):
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
    return p


def dist(metric, q, x):
    q = q.astype(np.float64)
    x = x.astype(np.float64)
    if metric == "l2":
        return ((x - q) ** 2).sum(axis=1)
    if metric == "ip":
        return -(x @ q)
    return -(x @ q) / np.sqrt((x * x).sum(axis=1) * (q @ q))


def numpy_agrees(metric, Q, X, xids, D, I, k):
    """The kernel's (D, I) equal numpy's exact top-k up to float rounding."""
    sign = -1 if metric in ("ip", "cos") else 1
    for qi, q in enumerate(Q):
        ds = dist(metric, q, X)
        order = np.lexsort((xids, ds))[:k]
        want = xids[order]
        got = I[qi][I[qi] >= 0]
        if len(got) != len(want):
            return "query %d: %d results, numpy %d" % (qi, len(got), len(want))
        by_id = dict(zip(xids.tolist(), ds.tolist()))
        for a, b, d in zip(got.tolist(), want.tolist(), D[qi].tolist()):
            tol = 1e-4 * (1 + abs(by_id[b]))
            if abs(sign * d - by_id[a]) > tol:
                return "query %d id %d: distance %.9g, numpy %.9g" % (qi, a, d, sign * by_id[a])
            if a != b and abs(by_id[a] - by_id[b]) > tol:
                return "query %d: id %d where numpy has %d" % (qi, a, b)
    return ""


def do_store(M, W, vexctl):
    rng = np.random.default_rng(7)
    ck(vexfs.__file__.startswith(os.path.join(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))), "python", "vexfs")),
       "the package imported is the tree's python/vexfs", vexfs.__file__)
    f = touch(M + "/store/a.txt", b"alpha\n")
    x = rng.standard_normal(16).astype(np.float32)
    vid = vexfs.attach(f, x, model="toy-16", model_version=3, confidence=0.25)
    ck(isinstance(vid, int) and vid > 0, "attach of a 1-D array returns an int id", str(vid))
    y = vexfs.get(f, vid)
    ck(y.dtype == np.float32 and np.array_equal(x, y), "get returns the float32 vector")
    inf = vexfs.info(f, vid)
    ck(inf.dims == 16 and inf.dtype == "float32" and inf.compression == "none"
       and inf.model == "toy-16" and inf.model_version == 3 and inf.confidence == 0.25
       and inf.inode == os.stat(f).st_ino and inf.stored_size == 64,
       "info: dims, dtype, compression, model, version, confidence, inode, size", str(inf))
    out = subprocess.run([vexctl, "get", f, str(vid), "--json"], capture_output=True, text=True)
    try:
        js = json.loads(out.stdout)
        same = (np.array_equal(np.array(js["values"], dtype=np.float32), x)
                and js["model"] == "toy-16" and js["id"] == vid)
    except (ValueError, KeyError) as e:
        same, js = False, "%s %s %s" % (e, out.stdout[:200], out.stderr[:200])
    ck(same, "vexctl get reads what Python attached", str(js)[:300])

    X = rng.standard_normal((100, 16)).astype(np.float32)
    ids = vexfs.attach(f, X)
    ck(ids.dtype == np.uint64 and len(ids) == 100 and np.all(np.diff(ids.astype(np.int64)) > 0),
       "attach of a 2-D array: 100 ascending ids")
    allids, V = vexfs.vectors(f)
    ck(np.array_equal(allids, np.concatenate([[vid], ids])) and np.array_equal(V[1:], X)
       and np.array_equal(V[0], x), "vectors: ids and the 2-D array, in id order")
    ck(np.array_equal(vexfs.ids(f), allids), "ids: the same ids")

    # every type
    g = touch(M + "/store/types.bin")
    cases = [("float16", rng.standard_normal(20).astype(np.float16)),
             ("int8", rng.integers(-128, 128, 40).astype(np.int8)),
             ("int16", rng.integers(-32768, 32768, 40).astype(np.int16))]
    for name, v in cases:
        i = vexfs.attach(g, v)
        w = vexfs.get(g, i)
        ck(w.dtype == v.dtype and np.array_equal(w, v), "%s: attach and get" % name)
    bits = rng.integers(0, 2, 27).astype(bool)
    i = vexfs.attach(g, bits)
    w = vexfs.get(g, i)
    ck(vexfs.info(g, i).dims == 27 and w.dtype == np.uint8
       and np.array_equal(np.unpackbits(w, bitorder="little")[:27].astype(bool), bits),
       "bool vector: binary of 27 dims, returned packed")
    packed = np.packbits(bits, bitorder="little")
    i2 = vexfs.attach(g, packed, dims=27)
    ck(np.array_equal(vexfs.get(g, i2), w), "packed uint8 with dims=27: the same record")

    # compressions
    h = touch(M + "/store/comp.bin")
    v = rng.standard_normal(64).astype(np.float32)
    i = vexfs.attach(h, v, compression="f16")
    ck(np.array_equal(vexfs.get(h, i), v.astype(np.float16).astype(np.float32))
       and vexfs.info(h, i).compression == "f16", "f16: decoded to float32, rounded to nearest")
    ck(vexfs.get(h, i, raw=True).nbytes == 128, "f16: raw form is 2 x dims bytes")
    for comp, levels in (("sq8", 255), ("sq4", 15)):
        i = vexfs.attach(h, v, compression=comp)
        step = (v.max() - v.min()) / levels
        err = np.abs(vexfs.get(h, i) - v).max()
        ck(err <= step / 2 * 1.001, "%s: error within step / 2" % comp, "%g > %g" % (err, step / 2))
    s = np.zeros(64, np.float32)
    s[[3, 40]] = [1.5, -2.0]
    i = vexfs.attach(h, s, compression="sparse")
    ck(np.array_equal(vexfs.get(h, i), s) and vexfs.get(h, i, raw=True).nbytes == 4 + 16,
       "sparse: lossless, 4 + 8 x nnz bytes raw")
    # PQ: a codebook trained by vexctl, listed by codebooks()
    T = rng.standard_normal((512, 64)).astype(np.float32)
    np.save(W + "/train.npy", T)
    out = subprocess.run([vexctl, "train", M, "--vectors", W + "/train.npy", "-m", "8", "--json"],
                         capture_output=True, text=True)
    ck(out.returncode == 0, "vexctl train installs a codebook", out.stderr[:200])
    cbs = vexfs.codebooks(M)
    ok = (len(cbs) == 1 and cbs[0].id == 1 and cbs[0].dims == 64 and cbs[0].m == 8
          and cbs[0].blob[:4] == b"VXVQ")
    ck(ok, "codebooks: id 1, 64 dims, m 8, the blob", str([(c.id, c.dims, c.m) for c in cbs]))
    i = vexfs.attach(h, v, compression="pq")
    ck(vexfs.get(h, i, raw=True).nbytes == 8 + 8 and vexfs.get(h, i).shape == (64,)
       and vexfs.info(h, i).compression == "pq", "pq: 8 + m bytes raw, 64 floats decoded")
    e = raises(OSError, vexfs.attach, h, v, compression="pq", codebook=9)
    ck(e and e.errno == errno.ENOENT and "no PQ codebook with id 9" in str(e), "pq with codebook 9: ENOENT", str(e))
    if os.geteuid() == 0:
        cid = vexfs.add_codebook(M, cbs[0].blob)
        ck(cid == 2 and len(vexfs.codebooks(M)) == 2, "add_codebook installs a copy: id 2")

    # all or nothing
    before = vexfs.ids(h)
    bad = rng.standard_normal((5, 64)).astype(np.float32)
    bad[3, 7] = np.nan
    e = raises(OSError, vexfs.attach, h, bad, compression="sq8")
    ck(e and e.errno == errno.EINVAL and "rejected the vector" in str(e),
       "2-D attach with a NaN row under sq8: EINVAL, what was wrong", str(e))
    ck(np.array_equal(vexfs.ids(h), before), "and the rows before it were detached again")

    # detach
    vexfs.detach(f, ids[0])
    ck(ids[0] not in vexfs.ids(f), "detach one id")
    n = len(vexfs.ids(f))
    e = raises(FileNotFoundError, vexfs.detach, f, [ids[1], 999999999])
    ck(e and e.errno == errno.ENOENT and "999999999" in str(e) and len(vexfs.ids(f)) == n,
       "detach of ids one of which is missing: ENOENT, nothing removed", str(e))
    vexfs.detach(f, ids[1:4])
    ck(len(vexfs.ids(f)) == n - 3, "detach of three ids")

    # errors
    e = raises(FileNotFoundError, vexfs.get, f, 424242)
    ck(e and "no vector with id 424242 on this file" in str(e) and f in str(e),
       "get of an unknown id: FileNotFoundError naming id and path", str(e))
    fd = os.open(f, os.O_RDONLY)
    e = raises(OSError, vexfs.attach, fd, x)
    os.close(fd)
    ck(e and e.errno == errno.EBADF and "not open for writing" in str(e),
       "attach on an fd opened read-only: EBADF", str(e))
    e = raises(OSError, vexfs.attach, M + "/store", x)
    ck(e and e.errno in (errno.EISDIR,), "attach on a directory path: EISDIR from open", str(e))
    fd = os.open(M + "/store", os.O_RDONLY)
    e = raises(OSError, vexfs.get, fd, 1)
    os.close(fd)
    ck(e and e.errno == errno.ENOTTY and "directory has no vectors" in str(e),
       "get on a directory fd: ENOTTY, 'a directory has no vectors'", str(e))
    e = raises((OSError, ValueError), vexfs.attach, g, np.zeros(70000, np.int8))
    ck(isinstance(e, ValueError), "70000 dims: ValueError before any call")
    st = vexfs.stats(M)
    ck(st.block_size == 4096 and st.files == 3 and st.vectors ==
       sum(len(vexfs.ids(p)) for p in (f, g, h)), "stats: block size, files, vectors", str(st))


def do_search(M, W, vexctl):
    rng = np.random.default_rng(11)
    d = 24
    X = rng.standard_normal((300, d)).astype(np.float32)
    paths = ["s/%s/%02d/f%03d.txt" % ("ab"[i % 2], i % 7, i) for i in range(300)]
    ids = vexfs.import_vectors(M, X, paths, model="m24")
    ck(len(ids) == 300 and all(os.path.isfile(M + "/" + p) for p in paths),
       "import_vectors creates 300 files in 14 directories and attaches a row to each")
    Y = rng.standard_normal((20, d)).astype(np.float32)
    yids = vexfs.import_vectors(M, Y, ["s/other/%d" % i for i in range(20)], model="other")
    Q = rng.standard_normal((300, d)).astype(np.float32)       # 2 calls: 256 + 44
    for metric in ("l2", "ip", "cos"):
        D, I = vexfs.search_arrays(M + "/s", Q, k=10, metric=metric, model="m24")
        ck(D.shape == (300, 10) and I.shape == (300, 10) and D.dtype == np.float32
           and I.dtype == np.int64, "%s: D, I of 300 x 10 (a batch of 256 + 44)" % metric)
        bad = numpy_agrees(metric, Q, X, ids.astype(np.int64), D, I, 10)
        ck(not bad, "%s: equal to numpy's exact top 10" % metric, bad)
    # Python and vexctl get the same answer from the kernel
    np.save(W + "/q5.npy", Q[:5])
    out = subprocess.run([vexctl, "search", M + "/s", "--vector", W + "/q5.npy", "-k", "7",
                          "--model", "m24", "--json"], capture_output=True, text=True)
    hits = vexfs.search(M + "/s", Q[:5], k=7, model="m24")
    try:
        js = json.loads(out.stdout)
        vc = [[(r["path"], r["id"]) for r in q] for q in js["queries"]]
    except (ValueError, KeyError) as e:
        vc = str(e) + out.stderr[:200]
    py = [[(h.path, h.vector_id) for h in q] for q in hits]
    ck(vc == py, "search: the same paths and ids as vexctl search", "%s / %s" % (str(vc)[:200], str(py)[:200]))
    ok = all(int(vexfs.ids(h.path)[0]) == h.vector_id for q in hits for h in q)
    ck(ok, "each hit's path is the file holding its vector id")
    # subtree scope
    hits = vexfs.search(M + "/s/a", Q[0], k=50, model="m24")
    ck(len(hits) == 50 and all(h.path.startswith(M + "/s/a/") for h in hits),
       "a subdirectory's search returns only files under it (1-D query: one list)")
    D, I = vexfs.search_arrays(M + "/s/a/03", Q[0], k=100)
    n = sum(1 for i in range(300) if i % 2 == 0 and i % 7 == 3)
    ck((I >= 0).sum() == n and np.all(I[n:] == -1) and np.all(np.isinf(D[n:])),
       "k above the scope: %d results, then -1 and inf" % n, str(I[:n + 2]))
    r = vexfs.search_raw(M, Q[:3], k=5, fs=True)
    ck(r.compared == 320 and r.corrupt == 0, "fs scope compares all 320 vectors of 24 dims",
       str(r.compared))
    r = vexfs.search_raw(M + "/s", Q[:3], k=5, model="other")
    ck(r.compared == 20 and set(r.ids.ravel().tolist()) <= set(yids.tolist()),
       "model filter: only the 20 vectors of model 'other' compared and returned", str(r.compared))
    # like
    hits = vexfs.search(M + "/s", None, k=3, like=int(ids[17]))
    ck(hits[0].vector_id == int(ids[17]) and hits[0].distance == 0.0
       and hits[0].path == M + "/" + paths[17], "like=: the vector itself first, at distance 0")
    # a file scope
    r = vexfs.search_raw(M + "/" + paths[5], Q[0], k=3)
    ck(r.ids[0] == ids[5] and np.all(r.ids[1:] == -1), "a file's scope: its own vector only")
    # compression filter
    vexfs.attach(M + "/" + paths[0], X[1], compression="sq8", model="m24")
    r = vexfs.search_raw(M + "/s", Q[0], k=3, compression="sq8", model="m24")
    ck(r.compared == 1, "compression filter sq8: the one sq8 vector compared", str(r.compared))
    # binary and hamming
    B = rng.integers(0, 2, (40, 33)).astype(bool)
    vexfs.import_vectors(M, B, ["bin/%d" % i for i in range(40)])
    D, I = vexfs.search_arrays(M + "/bin", B[:2], k=1)
    ck(np.all(D[:, 0] == 0), "binary queries: hamming, each finds itself at 0")
    # paths of an inode
    os.link(M + "/" + paths[3], M + "/s/hard3")
    ino = os.stat(M + "/s/hard3").st_ino
    gen = vexfs.search_raw(M + "/s", None, k=1, like=int(ids[3])).generations
    ps = sorted(vexfs.paths(M + "/s", ino, int(gen[0]), all_links=True))
    ck(ps == sorted([M + "/s/hard3", M + "/" + paths[3]]), "paths: both links", str(ps))
    e = raises((OSError, ValueError), vexfs.search, M + "/s", Q[0], k=3, like=1)
    ck(isinstance(e, ValueError), "queries and like= together: ValueError")
    with open(W + "/ids.json", "w") as fh:
        json.dump({"f000": int(ids[0]), "f001": int(ids[1])}, fh)


def do_index(M):
    """The ANN index: create, stats, approximate search, errors, drop."""
    rng = np.random.default_rng(31)
    st = vexfs.index_stats(M)
    ck(st.state == "none" and st.nodes == 0, "index_stats without an index: state none", str(st))
    e = raises(OSError, vexfs.index_drop, M)
    ck(e and e.errno == errno.ENOENT and "has no index" in str(e), "index_drop without one: ENOENT",
       str(e))
    e = raises(OSError, vexfs.index_create, M, dims=24, degree=3)
    ck(e and e.errno == errno.EINVAL and "invalid parameters" in str(e),
       "index_create degree 3: EINVAL, the parameters named", str(e))
    e = raises(ValueError, vexfs.index_create, M, dims=24, value_range=(1.0, 1.0))
    ck(isinstance(e, ValueError), "index_create value_range lo == hi: ValueError")
    st = vexfs.index_create(M, dims=24, model="m24", degree=16, ef_construction=64)
    ck(st.state == "ready" and st.dims == 24 and st.model == "m24" and st.degree == 16
       and st.ef_construction == 64 and abs(st.alpha - 1.1) < 1e-9 and st.live >= 300
       and st.indexed == st.live == st.nodes and st.lo < st.hi and st.bytes > 0
       and st.metric == "l2",
       "index_create: built over the m24 vectors", str(st))
    ck(vexfs.index_stats(M) == st._replace(indexed=0), "index_stats: the same index", str(st))
    e = raises(OSError, vexfs.index_create, M, dims=24)
    ck(e and e.errno == errno.EEXIST and "has an index already" in str(e),
       "a second index_create: EEXIST", str(e))
    Q = rng.standard_normal((30, 24)).astype(np.float32)
    ra = vexfs.search_raw(M, Q, k=10, model="m24", fs=True, approx=True, ef=64)
    rx = vexfs.search_raw(M, Q, k=10, model="m24", fs=True)
    ck(ra.approx and not rx.approx, "search_raw(approx=True): answered by the index")
    hit = sum(len(set(a) & set(x)) for a, x in zip(ra.ids.tolist(), rx.ids.tolist()))
    ck(hit >= 0.95 * 300, "approximate against exact: recall@10 >= 0.95", "%d of 300" % hit)
    r1 = vexfs.search_raw(M, Q[0], k=10, model="m24", fs=True, approx=True, ef=32)
    ck(r1.approx and r1.compared <= 32 < rx.compared,
       "one query with ef 32: at most 32 vectors compared, exact compares every one",
       "%d vs %d" % (r1.compared, rx.compared))
    hits = vexfs.search(M + "/s", Q[0], k=5, model="m24", approx=True)
    ck(len(hits) == 5 and all(h.path.startswith(M + "/s/") for h in hits),
       "search(approx=True) under a directory: five paths in it", str(hits[:2]))
    ri = vexfs.search_raw(M, Q[:2], k=10, model="m24", fs=True, metric="ip", approx=True)
    ck(not ri.approx, "inner product with approx=True: exact (the index is L2)")
    vexfs.index_drop(M)
    ck(vexfs.index_stats(M).state == "none", "index_drop: no index")
    # a cosine index answers cosine searches, with the exact search's scores
    st = vexfs.index_create(M, dims=24, model="m24", metric="cosine")
    ck(st.metric == "cos" and st.live >= 300 and -1.0 <= st.lo < st.hi <= 1.0,
       "index_create(metric='cosine'): a cos index over unit vectors", str(st))
    ra = vexfs.search_raw(M, Q, k=10, model="m24", fs=True, metric="cos", approx=True)
    rx = vexfs.search_raw(M, Q, k=10, model="m24", fs=True, metric="cos")
    hit = sum(len(set(a) & set(x)) for a, x in zip(ra.ids.tolist(), rx.ids.tolist()))
    ck(ra.approx and hit >= 0.95 * 300 and
       not vexfs.search_raw(M, Q[:2], k=10, model="m24", fs=True, approx=True).approx,
       "cosine index: approx=True by cos answered (recall@10 >= 0.95), by l2 exact",
       "%s %d of 300" % (ra.approx, hit))
    vexfs.index_drop(M)
    ck(not vexfs.search_raw(M, Q[:2], k=10, fs=True, approx=True).approx,
       "approx=True without an index: exact")


def do_user(M, W):
    """f000 was made mode 600 (root's) by python.sh."""
    f = M + "/s/a/00/f000.txt"
    with open(W + "/ids.json") as fh:
        ids = json.load(fh)
    D, I = vexfs.search_arrays(M + "/s", vexfs.get(M + "/s/b/01/f001.txt", ids["f001"]), k=300,
                               model="m24")
    ck(ids["f000"] not in I.tolist() and (I >= 0).sum() == 299,
       "unprivileged: a file it may not read never appears (299 of 300 files)",
       str((I >= 0).sum()))
    e = raises(PermissionError, vexfs.attach, M + "/s/b/01/f001.txt", np.zeros(24, np.float32))
    ck(e is not None, "unprivileged: attach to a file it may not write: PermissionError")
    e = raises(OSError, vexfs.search, M + "/s", None, k=1, like=ids["f000"])
    ck(e is not None and e.errno == errno.EACCES and "permission denied" in str(e),
       "unprivileged: like= a vector of an unreadable file: EACCES", str(e))
    e = raises(OSError, vexfs.index_create, M, dims=24)
    ck(e is not None and e.errno == errno.EPERM and "CAP_SYS_ADMIN" in str(e),
       "unprivileged: index_create is EPERM", str(e))
    ck(vexfs.index_stats(M).state == "none", "unprivileged: index_stats")


def main():
    mode, M, W = sys.argv[1:4]
    if mode == "api":
        do_store(M, W, sys.argv[4])
        do_search(M, W, sys.argv[4])
        do_index(M)
    elif mode == "user":
        do_user(M, W)
    elif mode == "roundtrip":       # M W M2 DIMS: M -> W/e1.*, into M2, M2 -> W/e2.*
        M2, dims = sys.argv[4], int(sys.argv[5])
        p, x, ids = vexfs.export_vectors(M, dims=dims)
        ck(len(p) == len(x) == len(ids) > 300 and x.dtype == np.float32,
           "export_vectors: %d rows of %d dims" % (len(x), dims))
        vexfs.write_vectors(W + "/e1.npy", x)
        write_paths(W + "/e1.paths", p)
        x1, p1 = vexfs.read_vectors(W + "/e1.npy"), read_paths(W + "/e1.paths")
        ids = vexfs.import_vectors(M2, x1, p1)
        ck(len(ids) == len(p1), "import_vectors into a fresh VexFS: %d rows" % len(ids))
        p2, x2, ids2 = vexfs.export_vectors(M2, dims=dims)
        vexfs.write_vectors(W + "/e2.npy", x2)
        write_paths(W + "/e2.paths", p2)
        ck(np.array_equal(ids2, ids), "the second export lists the imported ids in row order")
        ck(np.array_equal(vexfs.read_vectors(W + "/c1.fvecs"), x),
           "vexctl export's .fvecs holds the same rows (read_vectors)")
    finish()


main()
