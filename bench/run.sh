#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Runs the native vq benchmark and the FAISS reference alternately on the
# same data and prints the comparison table (medians over the rounds).
#   bench/run.sh            (ROUNDS=3 by default; data in build/bench-data)
set -e
cd "$(dirname "$0")/.."
DATA=${VQ_BENCH_DATA:-build/bench-data}
ROUNDS=${ROUNDS:-3}
BIN=build/user/bench/bench_vq
PY=/usr/bin/python3		# Debian's python3-faiss lives there

[ -x "$BIN" ] || make -s user
mkdir -p "$DATA"
[ -f "$DATA/pqcodes768" ] || "$BIN" gen "$DATA"
OUT="$DATA/results.txt"
: > "$OUT"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	echo "# round $r/$ROUNDS" >&2
	"$BIN" run "$DATA" >> "$OUT"
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" bench/faiss_ref.py "$DATA" >> "$OUT"
	r=$((r + 1))
done
"$PY" bench/report.py "$OUT"
