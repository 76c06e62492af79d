#!/bin/bash
# import-bench.sh [KERNEL] [ROWS] [DIMS]: how long "vexctl import" of ROWS x
# DIMS float32 rows (default 100,000 x 768, one file per row) takes against
# writing the same rows as one .npy file on ext4, in the same QEMU VM on disks
# of the same kind; and "vexctl export" against reading that .npy back.
# Medians of 3 rounds; absolute times under TCG are meaningless, the ratios
# and rows/s relative to them are the result.
set -euo pipefail
cd "$(dirname "$0")/.."
k=${1:-6.12}
rows=${2:-100000}
dims=${3:-768}
make -s user
make -s KVER="$k" module
out=build/bench-import
echo "# host CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
scripts/vm-run.sh -k "$k" -m 4096 -d 4G -d 2G -o "$out" -t 5400 -- \
	bash bench/import-guest.sh "$rows" "$dims" >/dev/null
grep '^# ' "$out/console.log" | grep -v vm-test
python3 - "$out/console.log" "$rows" <<'PY'
import re, statistics, sys
res, rows = {}, int(sys.argv[2])
for line in open(sys.argv[1]):
    m = re.match(r"RESULT (\S+) (\S+) ([0-9.]+)", line)
    if m:
        res.setdefault(m.group(2), []).append(float(m.group(3)))
med = {k: statistics.median(v) for k, v in res.items()}
print("%-18s %9s %11s %s" % ("test", "seconds", "rows/s", "vs ext4"))
for k, ref in (("write-npy", None), ("import-create", "write-npy"), ("import-attach", "write-npy"),
               ("read-npy", None), ("export", "read-npy")):
    if k in med:
        print("%-18s %9.2f %11.0f %s" % (k, med[k], rows / med[k],
              "%.1fx the time" % (med[k] / med[ref]) if ref in med else ""))
PY
