#!/bin/bash
# fs-bench.sh [KERNEL]: VexFS vs ext4 in the same QEMU VM on disks of the same
# size: fio sequential write and read (1 GiB, 1 MiB blocks, buffered, fsync at
# the end) and small files (create, stat, unlink of 20,000 files).
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
print("%-16s %10s %10s %-8s %s" % ("test", "vexfs", "ext4", "unit", "vexfs/ext4"))
for (test, unit), v in res.items():
    a, b = statistics.median(v.get("vexfs", [0])), statistics.median(v.get("ext4", [0]))
    print("%-16s %10d %10d %-8s %.2f" % (test, a, b, unit, a / b if b else float("nan")))
PY
