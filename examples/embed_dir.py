#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Embed every text file of a directory on VexFS and search it.

    python3 examples/embed_dir.py /mnt/notes --query "journal replay"
    python3 examples/embed_dir.py /mnt/notes --query-file q.txt -k 5

The embedding is a toy, deterministic and offline: character trigrams
hashed into 256 dimensions (feature hashing), L2-normalised, so texts that
share many trigrams are near. A real application puts a sentence
embedding model here; the VexFS side does not change. Each file gets one
vector of model "toy-trigram" (re-running replaces it); the search is the
kernel's exact search over the directory's subtree, restricted to that
model, and prints the nearest files.
"""
import argparse
import os
import sys
import zlib

import numpy as np

import vexfs

DIMS = 256
MODEL = "toy-trigram"


def embed(text):
    v = np.zeros(DIMS, dtype=np.float32)
    t = " %s " % " ".join(text.lower().split())
    for i in range(len(t) - 2):
        h = zlib.crc32(t[i:i + 3].encode())
        v[h % DIMS] += 1.0 if (h >> 16) & 1 else -1.0
    n = np.linalg.norm(v)
    return v / n if n else v


def embed_tree(top):
    """(path, vector) of every regular file under top, each attached."""
    done = 0
    for d, dirs, files in os.walk(top):
        dirs.sort()
        for name in sorted(files):
            p = os.path.join(d, name)
            with open(p, "rb") as f:
                text = f.read(1 << 20).decode(errors="replace")
            old = [i for i in vexfs.ids(p) if vexfs.info(p, i).model == MODEL]
            vexfs.attach(p, embed(text), model=MODEL)
            if old:
                vexfs.detach(p, old)
            done += 1
    return done


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    q = ap.add_mutually_exclusive_group(required=True)
    q.add_argument("--query", help="the query text")
    q.add_argument("--query-file", help="a file holding the query text")
    ap.add_argument("-k", type=int, default=5, help="results (default 5)")
    a = ap.parse_args()
    n = embed_tree(a.dir)
    text = a.query if a.query is not None else open(a.query_file).read()
    print("embedded %d files; %s" % (n, vexfs.stats(a.dir)))
    hits = vexfs.search(a.dir, embed(text), k=a.k, metric="l2", model=MODEL)
    print("nearest to %r:" % text.strip()[:60])
    for rank, h in enumerate(hits, 1):
        print("%2d %.6f %s" % (rank, h.distance, h.path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
