#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""VM test driver of VEXFS_IOC_SEARCH (run by tests/vm/search.sh in the guest).

  search.py setup M VEXCTL WORK    seeded random vectors of every stored form
                                   attached to files in nested directories,
                                   a PQ codebook trained first; WORK/meta.json
  search.py check M VEXCTL WORK    kernel == vexctl --reference (ids, inodes,
                                   distance bits) for every form and metric;
                                   float32 ids == numpy's brute force; batch
                                   == single queries; model filter; --like;
                                   file scope; k > n (zero entries)
  search.py bad M VEXCTL WORK      the bad-input table: each errno exactly,
                                   nothing changed (STATS before and after)
  search.py user M VEXCTL WORK     (as another user) the 0600 file of root
                                   never appears; LIKE of it is EACCES
  search.py root M VEXCTL WORK     (as root) the same file does appear
  search.py gone M VEXCTL WORK     detach and unlink remove vectors from results
  search.py save|same M VEXCTL WORK  results before / after a remount

Prints "ok N - ..." / "not ok N - ...: detail" and "# vtest: P passed, F failed".
"""
import ctypes
import errno
import fcntl
import json
import os
import shutil
import struct
import subprocess
import sys

import numpy as np

from vt import ck, finish



D = 16          # dims of the float and integer forms
DB = 64         # dims of the binary form
NFILES = 20     # files per form
PER = 5         # vectors per file
# name, dtype of the .npy, compression
FORMS = [
    ("f32none", "f32", None), ("f32f16", "f32", "f16"), ("f32sq8", "f32", "sq8"),
    ("f32sq4", "f32", "sq4"), ("f32sparse", "f32", "sparse"), ("f32pq", "f32", "pq"),
    ("f16", "f16", None), ("i8", "i8", None), ("i16", "i16", None), ("bin", "bin", None),
]
F32_FORMS = [f[0] for f in FORMS if f[1] in ("f32", "f16")]
METRICS = {"f32": ["l2", "ip", "cos"], "f16": ["l2", "ip", "cos"], "i8": ["l2", "ip", "cos"],
           "i16": ["l2", "ip", "cos"], "bin": ["hamming"]}

M = VEXCTL = WORK = None


def run(args, user=None, check=True):
    if user is not None:
        args = ["setpriv", "--reuid=%d" % user, "--regid=%d" % user, "--clear-groups"] + args
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and p.returncode:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.strip()))
    return p


def vexctl(*args, **kw):
    return run([VEXCTL] + [str(a) for a in args], **kw)


def search_json(path, *args, **kw):
    p = vexctl("search", path, "--json", *args, **kw)
    return json.loads(p.stdout)


def triples(js):
    return [[(r["id"], r["inode"], r["bits"]) for r in q] for q in js["queries"]]


def load_meta():
    with open(os.path.join(WORK, "meta.json")) as f:
        return json.load(f)


def save_npy(path, arr):
    np.save(path, arr, allow_pickle=False)
    os.chmod(path, 0o644)


# ---- setup -------------------------------------------------------------------

def gen(rng, dtype, n, sparse=False):
    if dtype == "f32" or dtype == "f16":
        x = rng.standard_normal((n, D)).astype(np.float32)
        if sparse:
            x[rng.random((n, D)) < 0.75] = 0.0
            x[:, 0] = np.where(x[:, 0] == 0, 1.0, x[:, 0])   # never all zero
        return x.astype(np.float16) if dtype == "f16" else x
    if dtype == "i8":
        return rng.integers(-128, 128, (n, D)).astype(np.int8)
    if dtype == "i16":
        return rng.integers(-3000, 3000, (n, D)).astype(np.int16)
    return rng.integers(0, 2, (n, DB)).astype(bool)


def do_setup():
    rng = np.random.default_rng(20261201)
    os.makedirs(WORK, exist_ok=True)
    os.chmod(WORK, 0o755)
    train = rng.standard_normal((512, D)).astype(np.float32)
    save_npy(os.path.join(WORK, "train.npy"), train)
    p = vexctl("train", M, "--vectors", os.path.join(WORK, "train.npy"), "-m", 4, "--iters", 5,
               check=False)
    ck(p.returncode == 0 and p.stdout.strip() == "1", "train: PQ codebook 1 of %d dims" % D,
       p.stderr)
    meta = {"vectors": {}, "files": {}}
    tmp = os.path.join(WORK, "attach.npy")
    fi = 0
    ok = True
    for name, dtype, comp in FORMS:
        for j in range(NFILES):
            d = os.path.join(M, "t%d" % (fi % 3), "u%d" % (fi % 4), "w%d" % (fi % 5))
            os.makedirs(d, exist_ok=True)
            path = os.path.join(d, "%s-%03d" % (name, j))
            open(path, "w").close()
            fi += 1
            x = gen(rng, dtype, PER, sparse=(comp == "sparse"))
            save_npy(tmp, x)
            args = ["attach", path, "--vector", tmp, "--model", name, "--json"]
            if comp:
                args += ["--compress", comp]
            p = vexctl(*args, check=False)
            if p.returncode:
                ok = ck(False, "attach %s" % path, p.stderr)
                continue
            ids = json.loads(p.stdout)["ids"]
            ino = os.stat(path).st_ino
            meta["files"][path] = {"ino": ino, "ids": ids, "form": name}
            for i, vid in enumerate(ids):
                meta["vectors"][str(vid)] = {"form": name, "path": path, "ino": ino,
                                             "v": x[i].astype(np.float64 if dtype != "bin"
                                                              else np.int64).tolist()}
    ck(ok and len(meta["vectors"]) == len(FORMS) * NFILES * PER,
       "attached %d vectors of %d forms to %d files in nested directories"
       % (len(meta["vectors"]), len(FORMS), len(meta["files"])))
    # a hard link: results name one of its paths
    first = sorted(p for p, f in meta["files"].items() if f["form"] == "f32none")[-1]
    os.link(first, os.path.join(M, "hardlink"))
    meta["hardlink"] = first
    # queries
    for dtype in ("f32", "i8", "i16", "bin"):
        q = gen(rng, dtype, 5)
        save_npy(os.path.join(WORK, "q-%s.npy" % dtype), q)
        for i in range(len(q)):
            save_npy(os.path.join(WORK, "q-%s-%d.npy" % (dtype, i)), q[i])
    qb = gen(rng, "f32", 300)
    save_npy(os.path.join(WORK, "q-batch.npy"), qb)
    for i in (0, 1, 255, 256, 299):
        save_npy(os.path.join(WORK, "q-batch-%d.npy" % i), qb[i])
    with open(os.path.join(WORK, "meta.json"), "w") as f:
        json.dump(meta, f)
    os.chmod(os.path.join(WORK, "meta.json"), 0o644)


# ---- check: kernel vs reference vs numpy ---------------------------------------

def same_as_reference(desc, path, args, user=None, compare_counts=True):
    """vexctl search (kernel) and --reference agree exactly; returns the kernel's JSON."""
    try:
        k = search_json(path, *args, user=user)
        r = search_json(path, "--reference", *args, user=user)
    except RuntimeError as e:
        ck(False, desc, str(e))
        return None
    tk, tr = triples(k), triples(r)
    detail = ""
    if tk != tr:
        for qi, (a, b) in enumerate(zip(tk, tr)):
            if a != b:
                detail = "query %d: kernel %s reference %s" % (qi, a[:5], b[:5])
                break
        else:
            detail = "%d vs %d queries" % (len(tk), len(tr))
    elif compare_counts and (k["compared"], k["corrupt"]) != (r["compared"], r["corrupt"]):
        detail = "compared/corrupt: kernel %d/%d reference %d/%d" % (
            k["compared"], k["corrupt"], r["compared"], r["corrupt"])
    ck(not detail, desc, detail)
    return k


def bits_f32(b):
    return struct.unpack("<f", struct.pack("<I", int(b, 16)))[0]


def exact(metric, q, x):
    q = np.asarray(q, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if metric == "l2":
        return float(((q - x) ** 2).sum())
    if metric == "ip":
        return float((q * x).sum())
    return float((q * x).sum() / np.sqrt((q * q).sum() * (x * x).sum()))


def numpy_check(meta, js, queries, metric, form, k):
    """The kernel's ids are numpy's exact top-k (float64) over the vectors of form."""
    cands = [(int(vid), v["v"]) for vid, v in meta["vectors"].items() if v["form"] == form]
    sim = metric in ("ip", "cos")
    bad = ""
    nearties = 0
    for qi, q in enumerate(queries):
        ds = sorted(((-exact(metric, q, x) if sim else exact(metric, q, x)), vid)
                    for vid, x in cands)
        want = [vid for _, vid in ds[:k]]
        got = [r["id"] for r in js["queries"][qi]]
        dist = {vid: d for d, vid in ds}
        tol = lambda d: 1e-4 * (1 + abs(d))
        for r in js["queries"][qi]:
            d = -dist[r["id"]] if sim else dist[r["id"]]
            if abs(bits_f32(r["bits"]) - d) > tol(d):
                bad = "query %d id %d: distance %s, numpy %.9g" % (qi, r["id"], r["bits"], d)
        if got == want:
            continue
        # allowed only where numpy's own neighbours are within rounding of each other
        if len(got) != len(want):
            bad = "query %d: %d results, numpy %d" % (qi, len(got), len(want))
            continue
        for i, (a, b) in enumerate(zip(got, want)):
            if a != b and abs(dist[a] - dist[b]) > tol(dist[b]):
                bad = "query %d rank %d: id %d (%.9g) where numpy has %d (%.9g)" % (
                    qi, i + 1, a, dist[a], b, dist[b])
        nearties += 1
    return bad, nearties


def do_check():
    meta = load_meta()
    qf = {dt: os.path.join(WORK, "q-%s.npy" % dt) for dt in ("f32", "i8", "i16", "bin")}
    qarr = {dt: np.load(qf[dt]) for dt in qf}
    form_dtype = {name: ("f32" if dt in ("f32", "f16") else dt) for name, dt, _ in FORMS}

    # every form and metric, each form alone (model filter), whole filesystem from the root
    for name, _, _ in FORMS:
        qd = form_dtype[name]
        for metric in METRICS[qd]:
            js = same_as_reference("%s %s k=7: kernel == reference" % (name, metric), M,
                                   ["--vector", qf[qd], "-k", 7, "--metric", metric,
                                    "--model", name])
            if js is None:
                continue
            forms = {meta["vectors"][str(r["id"])]["form"] for q in js["queries"] for r in q}
            ck(forms == {name} and all(len(q) == 7 for q in js["queries"]),
               "%s %s: --model %s returns 7 vectors of that form only" % (name, metric, name),
               str(forms))
            if name == "f32none":
                bad, nt = numpy_check(meta, js, qarr["f32"], metric, name, 7)
                ck(not bad, "f32none %s: ids equal numpy's brute force%s"
                   % (metric, " (%d queries with near-ties)" % nt if nt else ""), bad)
    # all float32-comparable forms at once, larger k; integer and binary forms whole
    for metric in ("l2", "ip", "cos"):
        js = same_as_reference("every f32-comparable form, %s, k=60: kernel == reference" % metric,
                               M, ["--vector", qf["f32"], "-k", 60, "--metric", metric])
        if js:
            forms = {meta["vectors"][str(r["id"])]["form"] for q in js["queries"] for r in q}
            ck(forms <= set(F32_FORMS) and len(forms) > 3,
               "f32 queries (%s) meet f32 vectors of every compression and f16 vectors only"
               % metric, str(forms))
    for name, comp in (("f32sq8", "sq8"), ("f32pq", "pq"), ("f32sparse", "sparse,f16")):
        js = same_as_reference("--compress %s: kernel == reference" % comp, M,
                               ["--vector", qf["f32"], "-k", 20, "--compress", comp])
        if js:
            forms = {meta["vectors"][str(r["id"])]["form"] for q in js["queries"] for r in q}
            want = {"sq8": {"f32sq8"}, "pq": {"f32pq"}, "sparse,f16": {"f32sparse", "f32f16"}}[comp]
            ck(forms <= want and forms, "--compress %s: only those compressions" % comp, str(forms))
    js = same_as_reference("int8 queries meet int8 vectors only", M,
                           ["--vector", qf["i8"], "-k", 200])
    if js:
        forms = {meta["vectors"][str(r["id"])]["form"] for q in js["queries"] for r in q}
        ck(forms == {"i8"} and all(len(q) == NFILES * PER for q in js["queries"]),
           "int8: all %d int8 vectors, nothing else" % (NFILES * PER), str(forms))
    same_as_reference("binary queries: hamming is the default metric", M,
                      ["--vector", qf["bin"], "-k", 5])

    # query inputs: packed bits (|u1 with --dtype bin), float64 with --dtype f32,
    # float16 (searched as the float32 values it holds), JSON: the same searches
    def same_search(desc, a, b):
        try:
            ja, jb = search_json(M, *a), search_json(M, *b)
        except RuntimeError as e:
            return ck(False, desc, str(e))
        ck(triples(ja) == triples(jb) and ja["dtype"] == jb["dtype"], desc,
           "%s vs %s" % (triples(ja)[0][:3], triples(jb)[0][:3]))
    packed = os.path.join(WORK, "q-bin-packed.npy")
    save_npy(packed, np.packbits(qarr["bin"], axis=1, bitorder="little"))
    same_search("packed-bit queries (|u1, --dtype bin) == boolean queries",
                ["--vector", qf["bin"], "-k", 6], ["--vector", packed, "--dtype", "bin", "-k", 6])
    f64 = os.path.join(WORK, "q-f64.npy")
    save_npy(f64, qarr["f32"].astype(np.float64))
    same_search("float64 queries with --dtype f32 == float32 queries",
                ["--vector", qf["f32"], "-k", 6], ["--vector", f64, "--dtype", "f32", "-k", 6])
    h = qarr["f32"].astype(np.float16)
    save_npy(os.path.join(WORK, "q-f16.npy"), h)
    save_npy(os.path.join(WORK, "q-f16as32.npy"), h.astype(np.float32))
    same_search("float16 queries == their float32 values",
                ["--vector", os.path.join(WORK, "q-f16.npy"), "-k", 6, "--metric", "cos"],
                ["--vector", os.path.join(WORK, "q-f16as32.npy"), "-k", 6, "--metric", "cos"])
    with open(os.path.join(WORK, "q-f32.json"), "w") as f:
        json.dump([[float(v) for v in row] for row in qarr["f32"]], f)
    same_search("JSON queries == the same .npy queries",
                ["--vector", qf["f32"], "-k", 6, "--metric", "ip"],
                ["--vector", os.path.join(WORK, "q-f32.json"), "-k", 6, "--metric", "ip"])

    # a batch of 300 (two calls) equals single queries
    try:
        b = search_json(M, "--vector", os.path.join(WORK, "q-batch.npy"), "-k", 9)
        ok = len(b["queries"]) == 300
        detail = "%d queries" % len(b["queries"])
        for i in (0, 1, 255, 256, 299):
            s = search_json(M, "--vector", os.path.join(WORK, "q-batch-%d.npy" % i), "-k", 9)
            if triples(s)[0] != triples(b)[i]:
                ok = False
                detail = "query %d differs" % i
        ck(ok, "a batch of 300 queries (256 + 44 per call) equals single queries", detail)
    except RuntimeError as e:
        ck(False, "batch", str(e))
    same_as_reference("batch of 300: kernel == reference", M,
                      ["--vector", os.path.join(WORK, "q-batch.npy"), "-k", 9])

    # --like: a stored vector as the query; it is its own nearest neighbour
    for form in ("f32none", "f32sq4", "f32pq", "f16", "i16", "bin"):
        path = sorted(p for p, f in meta["files"].items() if f["form"] == form)[1]
        f = meta["files"][path]
        vid = f["ids"][2]
        metric = "hamming" if f["form"] == "bin" else "l2"
        js = same_as_reference("--like %s --id %d: kernel == reference" % (f["form"], vid), M,
                               ["--like", path, "--id", vid, "-k", 5, "--metric", metric])
        if js and f["form"] in ("f32none", "f16", "i16", "bin"):
            top = js["queries"][0][0]
            ck(top["id"] == vid and bits_f32(top["bits"]) == 0.0,
               "--like %s: the vector itself first, at distance 0" % f["form"], str(top))
    path = sorted(p for p, f in meta["files"].items() if f["form"] == "f32none")[0]
    js = same_as_reference("--like FILE (its first vector)", M, ["--like", path, "-k", 3])
    if js:
        ck(js["like"] == meta["files"][path]["ids"][0], "--like FILE takes its first vector",
           str(js["like"]))

    # file scope
    path = sorted(p for p, f in meta["files"].items() if f["form"] == "f32sq8")[3]
    js = same_as_reference("file scope: kernel == reference", path,
                           ["--vector", qf["f32"], "-k", 3])
    if js:
        ids = {r["id"] for q in js["queries"] for r in q}
        ck(ids <= set(meta["files"][path]["ids"]) and js["scope"] == "file"
           and all(r["path"] == path for q in js["queries"] for r in q),
           "file scope: only that file's vectors", str(ids))
    js = same_as_reference("file scope with --fs is the whole filesystem", path,
                           ["--vector", qf["f32"], "-k", 3, "--fs"])
    if js:
        ids = {r["id"] for q in js["queries"] for r in q}
        ck(not ids <= set(meta["files"][path]["ids"]), "--fs on a file: other files' vectors too")
    js = same_as_reference("--fs on a subdirectory", os.path.join(M, "t1"),
                           ["--vector", qf["f32"], "-k", 4, "--fs"])
    # a subdirectory without --fs: its subtree (the reference walks it with nftw)
    sub = os.path.join(M, "t1")
    js = same_as_reference("subtree of t1: kernel == reference", sub,
                           ["--vector", qf["f32"], "-k", 6], compare_counts=False)
    if js:
        paths = [r["path"] for q in js["queries"] for r in q]
        ck(js["scope"] == "subtree" and paths and
           all(p and p.startswith(sub + "/") for p in paths),
           "subtree of t1: every result's path is under t1 (from INO_PATHS)", str(paths[:4]))

    # k larger than the scope: every vector, then zero entries (raw ioctl)
    fd = os.open(path, os.O_RDONLY)
    q = np.load(qf["f32"])[:2]
    e, a, res = search_raw(fd, dims=D, nq=2, k=12, q=q.tobytes())
    os.close(fd)
    ents = [struct.unpack_from("<QQII", res, 24 * i) for i in range(24)]
    ok = e == 0 and all(
        all(ents[qi * 12 + j][0] for j in range(PER)) and
        all(ents[qi * 12 + j] == (0, 0, 0, 0) for j in range(PER, 12)) for qi in range(2))
    ck(ok, "k=12 on a file of %d vectors: %d results per query, then zero entries" % (PER, PER),
       "errno %d, %s" % (e, ents[:13]))
    ck(e == 0 and a[15] == PER and a[16] == 0,
       "compared = %d, corrupt = 0" % PER, str(a[15:]))
    # results best first, ties by the smaller id: hamming gives many ties
    js = search_json(M, "--vector", qf["bin"], "-k", 100)
    ok = True
    for qr in js["queries"]:
        keys = [(bits_f32(r["bits"]), r["id"]) for r in qr]
        ok = ok and keys == sorted(keys)
    ck(ok, "hamming: ascending, ties by the smaller vector id")
    js = search_json(M, "--vector", qf["f32"], "-k", 50, "--metric", "ip")
    ok = True
    for qr in js["queries"]:
        keys = [(-bits_f32(r["bits"]), r["id"]) for r in qr]
        ok = ok and keys == sorted(keys)
    ck(ok, "ip: descending scores")
    # paths: the hard link's inode is reported under one of its names
    hl = meta["hardlink"]
    ino = meta["files"][hl]["ino"]
    js = search_json(M, "--like", hl, "-k", 1)
    p = js["queries"][0][0]["path"]
    ck(js["queries"][0][0]["inode"] == ino and p in (hl, os.path.join(M, "hardlink")),
       "a hard-linked file's results carry one of its paths", str(p))
    # the text output
    r = vexctl("search", M, "--vector", os.path.join(WORK, "q-f32-0.npy"), "-k", 3, check=False)
    lines = r.stdout.strip().split("\n")
    ck(r.returncode == 0 and len(lines) == 4 and lines[0].split()[:3] == ["rank", "distance", "id"]
       and all(l.split()[0] == str(i + 1) and l.split()[4].startswith(M) for i, l in enumerate(lines[1:])),
       "text output: rank, distance, id, inode, path", r.stdout)


# ---- raw ioctl ---------------------------------------------------------------------

SFMT = "<IIHHIIIQIIQ16sQIIQQ"
SSIZE = struct.calcsize(SFMT)
RSIZE = 24


def ioc(size, nr=8):
    return (3 << 30) | (size << 16) | (0xBA << 8) | nr


def search_raw(fd, size=SSIZE, flags=0, dtype=1, metric=0, dims=D, nq=1, k=5, q=b"",
               queries=None, queries_len=None, comp_mask=0, like_id=0, model=b"",
               results=None, results_len=None, pad=0, tail=b"", cmdsize=None, rbytes=None):
    """VEXFS_IOC_SEARCH with every field under control. Returns (errno, fields, results)."""
    qbuf = ctypes.create_string_buffer(bytes(q), max(len(q), 1))
    nres = rbytes if rbytes is not None else max(nq, 1) * k * RSIZE + 64
    rbuf = ctypes.create_string_buffer(nres)
    raddr = ctypes.addressof(rbuf)
    raddr += (-raddr) % 8
    if queries is None:
        queries = ctypes.addressof(qbuf) if q else 0
    if queries_len is None:
        queries_len = len(q)
    if results is None:
        results = raddr
    elif results == "unaligned":
        results = raddr + 4
    if results_len is None:
        results_len = max(nq, 1) * k * RSIZE
    arg = bytearray(struct.pack(SFMT, size, flags, dtype, metric, dims, nq, k, queries,
                                queries_len, comp_mask, like_id, model, results, results_len,
                                pad, 0, 0) + tail)
    try:
        fcntl.ioctl(fd, ioc(cmdsize or len(arg)), arg, True)
        e = 0
    except OSError as ex:
        e = ex.errno
    out = ctypes.string_at(raddr, min(nres - 8, max(nq, 1) * k * RSIZE)) if results == raddr else b""
    return e, struct.unpack(SFMT, bytes(arg[:SSIZE])), out


def stats(path):
    return vexctl("stats", path, "--json").stdout


def do_bad():
    meta = load_meta()
    q1 = np.load(os.path.join(WORK, "q-f32.npy"))[0].astype(np.float32)
    qb = q1.tobytes()
    before = stats(M)
    fd = os.open(M, os.O_RDONLY | os.O_DIRECTORY)
    e, _, _ = search_raw(fd, q=qb)
    ck(e == 0, "a good call on the root succeeds", os.strerror(e))

    def bad(desc, want, **kw):
        e, _, _ = search_raw(kw.pop("fd", fd), **kw)
        ck(e == want, "%s -> %s" % (desc, errno.errorcode[want]),
           "got %s" % (errno.errorcode.get(e, e) if e else "success"))

    bad("k 0", errno.EINVAL, q=qb, k=0)
    bad("k 4097", errno.EINVAL, q=qb, k=4097)
    bad("nq 0", errno.EINVAL, q=b"", nq=0, queries=0, queries_len=0)
    q257 = np.tile(q1, 257).tobytes()
    bad("nq 257", errno.EINVAL, q=q257, nq=257)
    bad("dims 0", errno.EINVAL, q=qb, dims=0, queries_len=0)
    bad("dims 65537", errno.EINVAL, q=qb, dims=65537)
    for v, nm in ((float("nan"), "NaN"), (float("inf"), "infinity"), (float("-inf"), "-infinity")):
        x = q1.copy()
        x[5] = v
        bad("%s in a float32 query" % nm, errno.EINVAL, q=x.tobytes())
    bad("hamming with a float32 query", errno.EINVAL, q=qb, metric=3)
    bad("l2 with a binary query", errno.EINVAL, q=b"\x55" * 8, dtype=5, dims=64, metric=0)
    bad("unknown metric 4", errno.EINVAL, q=qb, metric=4)
    bad("float16 query type", errno.EINVAL, q=qb[:32], dtype=2)
    bad("query type 0", errno.EINVAL, q=qb, dtype=0)
    bad("unknown flag 0x8", errno.EINVAL, q=qb, flags=8)
    # the struct grew by ef and approx (104 bytes); this test speaks the first
    # version (96), which the kernel still serves
    bad("ef without VEXFS_SEARCH_APPROX", errno.EINVAL, q=qb, size=SSIZE + 8,
        tail=struct.pack("<II", 16, 0))
    bad("ef 1025", errno.EINVAL, q=qb, flags=4, size=SSIZE + 8, tail=struct.pack("<II", 1025, 0))
    bad("ef 9 below k 10", errno.EINVAL, q=qb, flags=4, k=10, size=SSIZE + 8,
        tail=struct.pack("<II", 9, 0))
    bad("approx (an out field) non-zero in", errno.EINVAL, q=qb, flags=4, size=SSIZE + 8,
        tail=struct.pack("<II", 0, 1))
    e, _, _ = search_raw(fd, q=qb, flags=4, size=SSIZE + 8, tail=struct.pack("<II", 32, 0))
    ck(e == 0, "APPROX with ef 32 and no index: answered (exactly)", os.strerror(e))
    bad("comp_mask with an unknown compression (bit 6)", errno.EINVAL, q=qb, comp_mask=1 << 6)
    bad("comp_mask bit 31", errno.EINVAL, q=qb, comp_mask=1 << 31)
    e, _, _ = search_raw(fd, q=qb, comp_mask=0x3f)
    ck(e == 0, "comp_mask of every known compression succeeds", os.strerror(e))
    bad("non-zero pad", errno.EINVAL, q=qb, pad=1)
    bad("results 0", errno.EINVAL, q=qb, results=0)
    bad("unaligned results pointer", errno.EINVAL, q=qb, results="unaligned")
    bad("results_len one short", errno.EINVAL, q=qb, k=5, results_len=5 * RSIZE - 1)
    bad("queries_len 4 too many", errno.EINVAL, q=qb + b"\0" * 4)
    bad("queries_len 4 too few", errno.EINVAL, q=qb[:-4])
    bad("queries 0", errno.EINVAL, q=qb, queries=0)
    bad("bad results pointer", errno.EFAULT, q=qb, results=0x10000)
    bad("kernel results pointer", errno.EFAULT, q=qb, results=0xffff888000000000)
    bad("bad queries pointer", errno.EFAULT, q=qb, queries=0x10000)
    bad("a LIKE id that does not exist", errno.ENOENT, flags=2, like_id=10 ** 9, dims=0,
        dtype=0)
    vid = meta["files"][sorted(meta["files"])[0]]["ids"][0]
    bad("LIKE id 0", errno.EINVAL, flags=2, like_id=0, dims=0, dtype=0)
    bad("LIKE with 2 queries", errno.EINVAL, flags=2, like_id=vid, nq=2, dims=0, dtype=0)
    bad("LIKE with queries", errno.EINVAL, flags=2, like_id=vid, q=qb, dims=0)
    bad("LIKE with other dims", errno.EINVAL, flags=2, like_id=vid, dims=D + 1)
    bad("LIKE with a dtype", errno.EINVAL, flags=2, like_id=vid, dims=0, dtype=1)
    bad("LIKE with results_len short", errno.EINVAL, flags=2, like_id=vid, dims=0, dtype=0,
        results_len=5 * RSIZE - 8)
    bad("struct size 8 smaller", errno.EINVAL, q=qb, size=SSIZE - 8)
    bad("struct size 8 larger than the kernel's, non-zero tail", errno.E2BIG, q=qb,
        size=SSIZE + 16, tail=b"\0" * 8 + b"\1" + b"\0" * 7)
    e, a, _ = search_raw(fd, q=qb, size=SSIZE + 16, tail=b"\0" * 16)
    ck(e == 0 and a[15] > 0, "struct size 8 larger than the kernel's, zero tail: accepted",
       os.strerror(e))
    d = os.open(os.path.join(M, "t1"), os.O_RDONLY | os.O_DIRECTORY)
    e, _, _ = search_raw(d, q=qb)
    ck(e == 0, "a directory that is not the root, without FS: its subtree", os.strerror(e))
    e, _, _ = search_raw(d, q=qb, flags=1)
    ck(e == 0, "the same directory with VEXFS_SEARCH_FS succeeds", os.strerror(e))
    os.close(d)
    f = sorted(meta["files"])[0]
    w = os.open(f, os.O_WRONLY)
    bad("a file open for writing only", errno.EBADF, fd=w, q=qb)
    e, _, _ = search_raw(w, q=qb, flags=1)
    ck(e == 0, "... with VEXFS_SEARCH_FS it is the whole filesystem: allowed",
       os.strerror(e))
    os.close(w)
    os.close(fd)
    ck(stats(M) == before, "nothing changed (STATS before and after)")


# ---- other users -------------------------------------------------------------------------

SECRET = "secret"


def do_user(as_root):
    meta = load_meta()
    secret = os.path.join(M, "t0", SECRET)
    sid = set(json.load(open(os.path.join(WORK, "secret.json")))["ids"])
    who = "root" if as_root else "uid %d" % os.getuid()
    q = os.path.join(WORK, "q-f32.npy")
    js = same_as_reference("%s: kernel == reference" % who, M, ["--vector", q, "-k", 10],
                           compare_counts=as_root)
    if js:
        got = {r["id"] for qr in js["queries"] for r in qr}
        if as_root:
            ck(sid <= got and all(qr[0]["id"] in sid for qr in js["queries"]),
               "root: the 0600 file's vectors (the queries themselves) come first")
        else:
            ck(not (sid & got) and all(len(qr) == 10 for qr in js["queries"]),
               "%s: the 0600 file of root never appears (10 others instead)" % who,
               str(sid & got))
    fd = os.open(M, os.O_RDONLY | os.O_DIRECTORY)
    e, _, _ = search_raw(fd, flags=2, like_id=min(sid), dims=0, dtype=0)
    os.close(fd)
    want = 0 if as_root else errno.EACCES
    ck(e == want, "%s: LIKE of a vector of the 0600 file -> %s" % (who, errno.errorcode.get(want, "success")),
       "got %s" % (errno.errorcode.get(e, e) if e else "success"))
    if not as_root:
        r = vexctl("search", secret, "--vector", q, check=False)
        ck(r.returncode == 1 and "Permission denied" in r.stderr,
           "%s: file scope on the 0600 file: cannot open it" % who, r.stderr.strip())


def do_secret():
    """Root's 0600 file whose vectors are the f32 queries (distance 0 from them)."""
    secret = os.path.join(M, "t0", SECRET)
    open(secret, "w").close()
    p = vexctl("attach", secret, "--vector", os.path.join(WORK, "q-f32.npy"), "--json")
    os.chmod(secret, 0o600)
    with open(os.path.join(WORK, "secret.json"), "w") as f:
        f.write(p.stdout)
    os.chmod(os.path.join(WORK, "secret.json"), 0o644)
    ck(os.stat(secret).st_mode & 0o777 == 0o600, "a 0600 file of root with 5 vectors")


# ---- detach / unlink ----------------------------------------------------------------------

def do_gone():
    meta = load_meta()
    q = os.path.join(WORK, "q-f32-1.npy")
    args = ["--vector", q, "-k", 8, "--model", "f32none"]
    js = search_json(M, *args)
    old = [r["id"] for r in js["queries"][0]]
    top = [r for r in js["queries"][0]
           if meta["vectors"][str(r["id"])]["path"] != meta["hardlink"]][0]
    path = meta["vectors"][str(top["id"])]["path"]
    vexctl("detach", path, top["id"])
    js2 = same_as_reference("after detach: kernel == reference", M, args)
    if js2:
        ids = [r["id"] for r in js2["queries"][0]]
        ck(top["id"] not in ids and ids[:7] == [x for x in old if x != top["id"]],
           "a detached vector is gone from the results, the others move up", str(ids))
    ino = meta["files"][path]["ino"]
    os.unlink(path)
    js3 = same_as_reference("after unlink: kernel == reference", M,
                            ["--vector", q, "-k", 50, "--model", "f32none"])
    if js3:
        inos = {r["inode"] for r in js3["queries"][0]}
        ck(ino not in inos and len(js3["queries"][0]) == 50,
           "an unlinked file's vectors are gone from the results")
    # unlinked while open: not returned either (only linked files), though LIKE reads it
    keep = sorted(p for p, f in meta["files"].items()
                  if f["form"] == "f32none" and p not in (path, meta["hardlink"]))[0]
    kino = meta["files"][keep]["ino"]
    kid = meta["files"][keep]["ids"][0]
    kfd = os.open(keep, os.O_RDONLY)
    os.unlink(keep)
    x = np.asarray(meta["vectors"][str(kid)]["v"], dtype=np.float32)
    e, _, res = search_raw(kfd, q=x.tobytes(), k=PER)
    ids = [struct.unpack_from("<Q", res, 24 * i)[0] for i in range(PER)]
    ck(e == 0 and kid in ids, "a file unlinked while open: its own fd still searches it",
       "errno %d ids %s" % (e, ids))
    rfd = os.open(M, os.O_RDONLY | os.O_DIRECTORY)
    e, _, res = search_raw(rfd, q=x.tobytes(), k=200)
    os.close(rfd)
    inos = {struct.unpack_from("<QQ", res, 24 * i)[1] for i in range(200)}
    ck(e == 0 and kino not in inos,
       "... but whole-filesystem searches do not return it", "errno %d" % e)
    os.close(kfd)


def do_save(same):
    out = os.path.join(WORK, "saved.json")
    args = ["--vector", os.path.join(WORK, "q-f32.npy"), "-k", 40]
    js = search_json(M, *args)
    if not same:
        with open(out, "w") as f:
            json.dump(triples(js), f)
        ck(all(len(q) == 40 for q in js["queries"]), "results saved for after the remount")
        return
    with open(out) as f:
        before = json.load(f)
    ck([[list(t) for t in q] for q in triples(js)] == before,
       "after a remount: the same results, bit for bit")
    same_as_reference("after a remount: kernel == reference", M, args)


def do_wide():
    """Wide vectors: a batch whose queries (40 x 768 float32, 120 KiB) are
    more than one block of the kernel's distance pass (vsearch_qblock: 24
    KiB, 8 queries), so float32 and float16 records meet the batch block by
    block and SQ8 records (vsearch_blocked: not blocked) all of it at once,
    in one pass over the group: the kernel equals the reference and single
    queries."""
    rng = np.random.default_rng(20261207)
    wd = os.path.join(M, "wide")
    os.makedirs(wd)
    tmp = os.path.join(WORK, "wide.npy")
    ok = True
    for comp in ("none", "f16", "sq8"):
        for j in range(4):
            path = os.path.join(wd, "%s-%d" % (comp, j))
            open(path, "w").close()
            save_npy(tmp, rng.standard_normal((10, 768)).astype(np.float32))
            args = ["attach", path, "--vector", tmp, "--model", "wide"]
            if comp != "none":
                args += ["--compress", comp]
            ok = vexctl(*args, check=False).returncode == 0 and ok
    ck(ok, "attach 120 vectors of 768 dims (float32, f16, sq8) under wide/")
    q = rng.standard_normal((40, 768)).astype(np.float32)
    save_npy(os.path.join(WORK, "q-wide.npy"), q)
    for i in (0, 9, 39):
        save_npy(os.path.join(WORK, "q-wide-%d.npy" % i), q[i])
    args = ["--vector", os.path.join(WORK, "q-wide.npy"), "-k", 12]
    for metric in ("l2", "ip"):
        b = same_as_reference("a batch of 40 x 768 (blocks of queries), %s: kernel == reference"
                              % metric, wd, args + ["--metric", metric])
        if b is None:
            continue
        detail = "" if len(b["queries"]) == 40 else "%d queries" % len(b["queries"])
        for i in (0, 9, 39):
            s1 = search_json(wd, "--vector", os.path.join(WORK, "q-wide-%d.npy" % i), "-k", 12,
                             "--metric", metric)
            if triples(s1)[0] != triples(b)[i]:
                detail = "query %d differs from its single search" % i
        ck(not detail and b["compared"] == 120,
           "%s: the batch equals single queries, 120 vectors compared per query" % metric,
           detail or "compared %d" % b["compared"])
    shutil.rmtree(wd)


def main():
    global M, VEXCTL, WORK
    modes, M, VEXCTL, WORK = sys.argv[1:5]
    # "setup+check+...": several modes in one process (one numpy import:
    # about 2 s under TCG)
    run = {"setup": do_setup, "check": do_check, "bad": do_bad, "secret": do_secret,
           "user": lambda: do_user(False), "root": lambda: do_user(True), "gone": do_gone,
           "save": lambda: do_save(False), "same": lambda: do_save(True), "wide": do_wide}
    for mode in modes.split("+"):
        if mode not in run:
            sys.exit("unknown mode " + mode)
        run[mode]()
    finish()


if __name__ == "__main__":
    main()
