#!/bin/bash
# ann-native.sh: the graph ANN index core (src/core/vgraph.c, through
# bench/ann_native.c) beside Debian's hnswlib and FAISS (IndexHNSWFlat,
# IndexIVFFlat) on Fashion-MNIST (60,000 x 784, the 10,000 test images as
# queries, k = 10), natively, one thread, in one run; prints the QPS at
# recall 0.95 / 0.99 / 0.999 of each and VexFS's ratios (bench/README.md).
#   ANN_NQ=N        queries (default 10000, all)
#   ANN_M=M         hnswlib / FAISS M (default 16); VexFS's out-degree R = 2M,
#                   the degree of HNSW's layer 0
#   ANN_EFC=E       ef_construction of all three (default 200)
#   ANN_ALPHA=A     VexFS's pruning alpha in hundredths (default 110)
#   ANN_DIR=DIR     where the prepared data is kept (default /var/tmp/vexfs-ann)
#   ANN_ROTATE=SEED the data rotated by a random orthogonal matrix (float data,
#                   same neighbours; bench/ann_prep.py), kept in DIR-rotSEED
#   ANN_RERANK=N    VexFS re-ranks its N nearest by code with the float32
#                   vectors (default 0; what rotated data needs)
#   ANN_METRIC=ip|cos  the index of that metric (every candidate re-ranked,
#                   as the kernel does) beside hnswlib's ip / cosine space
#                   (bench/ann_metric_ref.py), ground truth by brute force;
#                   ANN_NQ defaults to 1000 then
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_pkgs python3-numpy python3-hnswlib python3-faiss dataset-fashion-mnist
metric=${ANN_METRIC:-}
nq=${ANN_NQ:-$([ -n "$metric" ] && echo 1000 || echo 10000)} m=${ANN_M:-16} efc=${ANN_EFC:-200} alpha=${ANN_ALPHA:-110}
dir=${ANN_DIR:-/var/tmp/vexfs-ann}
rot=${ANN_ROTATE:-}
[ -n "$rot" ] && dir=$dir-rot$rot
make -s user
py() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 "$@"; }
[ -s "$dir/gt.f32" ] && [ "$(stat -c %s "$dir/gt.f32")" -ge $((nq * 40)) ] ||
	py bench/ann_prep.py "$dir" 10000 $rot
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) CPUs;" \
	"hnswlib $(dpkg-query -W -f='${Version}' python3-hnswlib), FAISS $(dpkg-query -W -f='${Version}' python3-faiss)"
if [ -n "$metric" ]; then
	build/user/bench/ann_native "$dir" -r $((2 * m)) -a "$alpha" -c "$efc" -q "$nq" -m "$metric"
	py bench/ann_metric_ref.py "$dir" "$m" "$efc" "$nq" "$metric"
	exit 0
fi
build/user/bench/ann_native "$dir" -r $((2 * m)) -a "$alpha" -c "$efc" -q "$nq" \
	-R "${ANN_RERANK:-0}" | tee "$tmp/vexfs"
py bench/ann_ref.py "$dir" "$m" "$efc" "$nq" | tee "$tmp/ref"
echo
py bench/ann_report.py "$tmp/vexfs" "$tmp/ref"
