#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Summarise bench/run.sh results: medians over rounds, ratios to the
memory bandwidth measured in the same process and to FAISS."""
import statistics
import sys
from collections import defaultdict

NVEC = 100000
L3 = 32 << 20


def main():
    ms = defaultdict(list)
    gbs = defaultdict(list)
    heads = []
    for line in open(sys.argv[1]):
        if line.startswith("# cpu:") or line.startswith("# vq implementation:"):
            if line.strip() not in heads:
                heads.append(line.strip())
        f = line.split()
        if len(f) != 6 or f[0] not in ("vexfs", "vexfs-avx2", "faiss"):
            continue
        key = (f[0], f[1], int(f[2]), f[3])
        ms[key].append(float(f[4]))
        gbs[key].append(float(f[5]))
    med = lambda d, k: statistics.median(d[k]) if k in d else None
    for h in heads:
        print(h.lstrip("# "))
    plain = med(gbs, ("vexfs", "bw", 0, "mem"))
    rounds = len(gbs.get(("vexfs", "bw", 0, "mem"), []))
    probes = {k[3]: med(gbs, k) for k in gbs if k[:3] == ("vexfs", "bw", 0) and k[3] != "mem"}
    print("Memory bandwidth (1 GiB sum, one thread, median of %d runs): compiler's loop"
          " %.1f GB/s; %s" % (rounds, plain, ", ".join(
              "explicit %s sum %.1f GB/s" % (n, g) for n, g in sorted(probes.items()))))
    bw = max([plain] + list(probes.values()))
    print("\"%% of BW\" is against the faster probe, %.1f GB/s." % bw)
    avx2 = any(k[0] == "vexfs-avx2" for k in ms)
    print()
    print("Scan, one query vs N=%d codes, single thread (medians):" % NVEC)
    print("| d | codes | size MB | VexFS ms | VexFS GB/s | %% of BW |%s FAISS ms | FAISS GB/s | VexFS speedup |"
          % (" AVX2 ms | AVX2 %% of BW |" if avx2 else ""))
    print("|---|---|---|---|---|---|%s---|---|---|" % ("---|---|" if avx2 else ""))
    per_dim_bytes = {"f32": 4, "f16": 2, "sq8": 1, "sq4": 0.5,
                     "sq8-ip": 1, "sq4-ip": 0.5}
    for d in (128, 768):
        for kind in ("f32", "f16", "sq8", "sq4", "sq8-ip", "sq4-ip", "pq",
                     "bin"):
            v = ("vexfs", "scan", d, kind)
            fa = ("faiss", "scan", d, kind)
            if v not in ms:
                continue
            if kind in per_dim_bytes:
                size = NVEC * d * per_dim_bytes[kind]
            elif kind == "pq":
                size = NVEC * d // 8
            else:
                size = NVEC * d // 8
            vm, vg = med(ms, v), med(gbs, v)
            fm = med(ms, fa)
            fg = med(gbs, fa)
            a2 = ("vexfs-avx2", "scan", d, kind)
            a2col = ""
            if avx2:
                a2col = " %s | %s |" % (("%.3f" % med(ms, a2), "%.0f%%" % (100 * med(gbs, a2) / bw))
                                        if a2 in ms else ("-", "-"))
            print("| %d | %s | %.1f%s | %.3f | %.2f | %.0f%% |%s %s | %s | %s |" % (
                d, kind, size / 1e6, "" if size > L3 else " (in L3)", vm, vg,
                100 * vg / bw, a2col, "%.3f" % fm if fm else "-",
                "%.2f" % fg if fg else "-", "%.1fx" % (fm / vm) if fm else "-"))
    print()
    print("Encode throughput, GB/s of f32 input (medians):")
    print("| d | codes | VexFS GB/s | FAISS GB/s | VexFS speedup |")
    print("|---|---|---|---|---|")
    for d in (128, 768):
        for kind in ("f16", "sq8", "sq4", "pq", "bin"):
            v = ("vexfs", "encode", d, kind)
            fa = ("faiss", "encode", d, kind)
            if v not in gbs:
                continue
            vg, fg = med(gbs, v), med(gbs, fa)
            print("| %d | %s | %.3f | %s | %s |" % (
                d, kind, vg, "%.3f" % fg if fg else "-",
                "%.1fx" % (vg / fg) if fg else "-"))


if __name__ == "__main__":
    main()
