#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""The table of bench/ann-native.sh from the lines of ann_native and ann_ref.py.

    ann_report.py FILE...

Lines "<lib> ef=E recall=R qps=Q" and "# <lib> build seconds=S [bytes_per_vector=B]"
(ann_native prints "vexfs-build seconds=..."). For each library and recall
target, the highest QPS among its settings that reach the target (the
Pareto frontier, as ann-benchmarks plots it); '-' when none does.
"""
import re
import sys

TARGETS = (0.95, 0.99, 0.999)


def main():
    runs, build = {}, {}
    for path in sys.argv[1:]:
        for line in open(path):
            m = re.match(r"^(\S+) ef=(\d+) recall=([\d.]+) qps=([\d.]+)", line)
            if m:
                runs.setdefault(m.group(1), []).append((int(m.group(2)), float(m.group(3)),
                                                        float(m.group(4))))
                continue
            m = re.match(r"^#? ?(\S+?)(?:-build)? build seconds=([\d.]+)(?: bytes_per_vector=(\d+))?",
                         line) or re.match(r"^(\S+)-build seconds=([\d.]+) bytes_per_vector=(\d+)", line)
            if m:
                build[m.group(1)] = (float(m.group(2)), m.group(3))
    best = {}
    print("| index | build s | bytes/vector | " +
          " | ".join("QPS at recall %g (ef)" % t for t in TARGETS) + " |")
    print("|---|---|---|" + "---|" * len(TARGETS))
    for lib, pts in runs.items():
        cells = []
        for t in TARGETS:
            ok = [p for p in pts if p[1] >= t]
            if ok:
                b = max(ok, key=lambda p: p[2])
                best[(lib, t)] = b[2]
                cells.append("%.0f (%d)" % (b[2], b[0]))
            else:
                cells.append("-")
        bs, bpv = build.get(lib.replace("-1call", ""), (None, None))
        print("| %s | %s | %s | %s |" % (lib, "%.1f" % bs if bs is not None else "-",
                                         bpv or "-", " | ".join(cells)))
    for ref in ("hnswlib", "hnswlib-1call", "faiss-hnsw", "faiss-ivf"):
        r = ["%g: %.2fx" % (t, best[("vexfs", t)] / best[(ref, t)]) for t in TARGETS
             if ("vexfs", t) in best and (ref, t) in best]
        if r:
            print("vexfs / %s QPS: %s" % (ref, ", ".join(r)))


if __name__ == "__main__":
    main()
