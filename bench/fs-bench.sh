#!/bin/bash
# fs-bench.sh [KERNEL]: VexFS vs ext4 in the same QEMU VM on disks of the same
# size: fio sequential write and read (1 GiB, 1 MiB blocks, buffered, fsync at
# the end), small files (create, stat, unlink of 20,000 files), 4 KiB random
# O_DIRECT reads and overwrites and fsync-after-every-write (15 s each), and
# the fragmentation of four concurrent writers (FIEMAP extents per GiB: lower
# is better, the ratio is ext4 / VexFS).
# Prints medians of 3 alternating rounds and the ratio VexFS / ext4.
# Absolute numbers under TCG are meaningless; the ratio is the result.
set -euo pipefail
cd "$(dirname "$0")/.."
k=${1:-6.12}
make -s user
make -s KVER="$k" module
out=build/bench-fs
scripts/vm-run.sh -k "$k" -d 3G -d 3G -o "$out" -t 3000 -- bash bench/fs-bench-guest.sh >/dev/null
python3 - "$out/console.log" <<'PY'
import re, statistics, sys
res = {}
for line in open(sys.argv[1]):
    m = re.search(r"RESULT (\S+) (\S+) (\d+) (\S+)", line)
    if m:
        res.setdefault((m.group(2), m.group(4)), {}).setdefault(m.group(1), []).append(int(m.group(3)))
print(open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": \t"))
print("%-16s %10s %10s %-11s %s" % ("test", "vexfs", "ext4", "unit", "vexfs/ext4"))
for (test, unit), v in res.items():
    a, b = statistics.median(v.get("vexfs", [0])), statistics.median(v.get("ext4", [0]))
    r = (b / a if a else float("nan")) if unit == "extents/GiB" else (a / b if b else float("nan"))
    print("%-16s %10d %10d %-11s %.2f" % (test, a, b, unit, r))
PY
