#!/bin/bash
# lint.sh [checkpatch|sparse|w1]... - static checks of the kernel module.
#   checkpatch  scripts/checkpatch.pl --no-tree -f on src/, include/ and tests/kunit/
#   sparse      make C=2 CF=-Wsparse-error against Debian's 6.12 headers
#   w1          make W=1 against 6.1 and 6.12: no warning allowed
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VEXFS_TOP"

# Types checkpatch flags that are deliberate here:
#   NEW_TYPEDEFS   GCC vector types of the SIMD core (typedef float v8sf ...)
#   SPDX_LICENSE_TAG  .h files use /* */ SPDX comments as kernel headers do
#   CONSTANT_COMPARISON  "LINUX_VERSION_CODE >= KERNEL_VERSION(...)" in kcompat.h
#   LINUX_VERSION_CODE   out-of-tree module for two kernels: version checks are the point
CP_IGNORE=NEW_TYPEDEFS,SPDX_LICENSE_TAG,FILE_PATH_CHANGES,LINUX_VERSION_CODE,CONSTANT_COMPARISON

checkpatch() {
	local ktree files rc=0
	ktree=$(scripts/kunit-kernel.sh)
	mapfile -t files < <(git ls-files 'src/*.[ch]' 'src/core/*.[ch]' 'include/vexfs/*.h' 'tests/kunit/*.c')
	perl "$ktree/scripts/checkpatch.pl" --no-tree -f --terse --show-types --max-line-length=100 \
		--ignore "$CP_IGNORE" "${files[@]}" > build/checkpatch.log 2>&1 || rc=1
	grep -E "ERROR|WARNING" build/checkpatch.log || true
	return $rc
}

kbuild_in() {	# kbuild_in DIR KVER ARGS...: build the module in build/DIR
	local dir=$1 kver=$2; shift 2
	local kdir
	read -r kv kroot < <(scripts/fetch-kernel.sh "$kver")
	kdir=$kroot/lib/modules/$kv/build
	rm -rf "build/$dir"; mkdir -p "build/$dir"
	cp -a Kbuild src include "build/$dir/"
	make -j"$(nproc)" -C "$kdir" M="$VEXFS_TOP/build/$dir" "$@" modules
}

sparse_check() {
	kbuild_in lint-sparse 6.12 C=2 CF="-Wsparse-error -D__CHECK_ENDIAN__" > build/sparse.log 2>&1 || {
		cat build/sparse.log; return 1; }
	if grep -E "warning:|error:" build/sparse.log; then return 1; fi
}

w1_check() {
	local k rc=0
	for k in 6.1 6.12; do
		kbuild_in "lint-w1-$k" "$k" W=1 > "build/w1-$k.log" 2>&1 || { cat "build/w1-$k.log"; rc=1; }
		if grep -E "warning:|error:" "build/w1-$k.log"; then rc=1; fi
	done
	return $rc
}

mkdir -p build
[ $# -gt 0 ] || set -- checkpatch sparse w1
rc=0
for t in "$@"; do
	case $t in
	checkpatch) checkpatch || { echo "checkpatch: FAILED"; rc=1; } ;;
	sparse) sparse_check || { echo "sparse: FAILED"; rc=1; } ;;
	w1) w1_check || { echo "W=1: FAILED"; rc=1; } ;;
	*) die "unknown check $t" ;;
	esac
done
exit $rc
