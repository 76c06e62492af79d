#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The Python package (python/vexfs) on a real VexFS:
#  - tests/vm/python_api.py api: every call against the kernel, search against
#    numpy and vexctl; as nobody: permissions;
#  - export_vectors -> import_vectors into a fresh VexFS -> export again:
#    identical rows and paths; fsck clean;
#  - vexctl export writes the same bytes as export_vectors; vexctl import,
#    export again: identical; a failing import undoes everything;
#  - examples/embed_dir.py on a directory of text files finds each file by
#    its own text.
. "$(dirname "$0")/lib.sh"
M=/mnt/vexfs
M2=/mnt/vexfs2
W=/tmp/pyvexfs
PY=/usr/bin/python3
S=$T/tests/vm/python_api.py

umask 022
load_vexfs
rm -rf $W
mkdir -p $M $M2 $W
chmod 1777 $W
# `pip install ./python` is tested natively (tests/user/test_python.sh): under
# TCG it takes two minutes; the guest uses the same sources from the tree.
export PYTHONPATH=$T/python
VPY=$PY
ok "mkfs" "$MKFS" -q /dev/vda
ok "mount" mount -t vexfs /dev/vda $M
V=$VPY
vtest "$S" api $M $W "$VEXCTL"
echo "# ${SECONDS}s: api"
chmod 600 $M/s/a/00/f000.txt
V=setpriv
vtest --reuid=65534 --regid=65534 --clear-groups $VPY "$S" user $M $W

# round trip through a fresh filesystem
rm -rf $M/store $M/bin	# other dims and types: export takes one shape
ok "mkfs the second disk" "$MKFS" -q /dev/vdb
ok "mount it" mount -t vexfs /dev/vdb $M2
ok "vexctl export" "$VEXCTL" export $M --dims 24 --out $W/c1.npy --paths $W/c1.paths
ok "vexctl export --out .fvecs" "$VEXCTL" export $M --dims 24 --out $W/c1.fvecs
V=$VPY
vtest "$S" roundtrip $M $W $M2 24	# also: c1.fvecs holds e1's rows
ok "export, import, export: identical rows" cmp $W/e1.npy $W/e2.npy
ok "export, import, export: identical paths" cmp $W/e1.paths $W/e2.paths

# vexctl export / import: the same bytes as Python's, and their own round trip
ok "vexctl export = export_vectors, byte for byte (.npy and paths)" \
	sh -c "cmp $W/c1.npy $W/e1.npy && cmp $W/c1.paths $W/e1.paths"
echo odd >$M/odd
echo "1 1 1 1 1 1 1 1" >$W/odd.txt
"$VEXCTL" attach $M/odd -v $W/odd.txt >/dev/null
"$VEXCTL" export $M --out $W/mixed.npy >$W/mixed.out 2>&1
ok "vexctl export of several shapes: refused, the groups named" \
	sh -c "grep 'several shapes' $W/mixed.out | grep '1 x 8-d f32' | grep -q '322 x 24-d f32' &&
	       ! [ -e $W/mixed.npy ]"
rm $M/odd
ok "umount the second" umount $M2
ok "mkfs it again" "$MKFS" -q -f /dev/vdb
ok "mount it" mount -t vexfs /dev/vdb $M2
ok "vexctl import" sh -c "'$VEXCTL' import $M2 --vectors $W/c1.npy --paths $W/c1.paths --json \
	>$W/imp.json 2>$W/imp.err"
ok "vexctl import: no progress bar when stderr is not a terminal" test ! -s $W/imp.err
mkdir -p $M2/tty
# a terminal for the progress bar: script(1) needs devpts, which the test VM lacks
mountpoint -q /dev/pts || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; }
script -qec "'$VEXCTL' import $M2/tty --vectors $W/c1.npy --paths $W/c1.paths" /dev/null >$W/tty.out 2>&1
ok "vexctl import: a progress bar on a terminal, then rows/s" \
	sh -c "tr '\\r' '\\n' <$W/tty.out | grep -q '^import: 322/322 rows (100%)' &&
	       grep -q 'imported 322 rows into 321 files (321 created) in .* rows/s' $W/tty.out"
rm -rf $M2/tty
ok "vexctl import reports rows, files created and rows/s" \
	grep -Eq '^\{"rows": 322, "files": 321, "created": 321, "seconds": [0-9.]+, "rows_per_s": [1-9]' $W/imp.json
ok "vexctl export of the import" "$VEXCTL" export $M2 --out $W/c2.npy --paths $W/c2.paths
ok "vexctl export, import, export: identical" sh -c "cmp $W/c1.npy $W/c2.npy && cmp $W/c1.paths $W/c2.paths"
# all or nothing: row 5 names a directory; rows 0-4 went to new files first
vstats() {	# what an undone import must leave as it was (ids are never reused)
	"$VEXCTL" stats $M2 | awk '/^(vectors|files|live bytes):/ {print $NF}'
	find $M2 | sort | md5sum
}
mkdir -p $M2/x/dir
before=$(vstats)
yes "$(printf '1 %.0s' $(seq 24))" | head -8 >$W/bad.txt
printf 'x/n0\nx/n1\nx/new/n2\nx/new/n2\ns/a/00/f000.txt\nx/dir\nx/n6\nx/n7\n' >$W/bad.paths
"$VEXCTL" import $M2 --vectors $W/bad.txt --paths $W/bad.paths >$W/bad.out 2>&1
rc=$?
sed 's/^/# /' $W/bad.out
ok "vexctl import failing at row 5: exit 1, the row named" \
	sh -c "[ $rc = 1 ] && grep -q 'row 5: cannot open $M2/x/dir: Is a directory' $W/bad.out"
ok "... the vectors attached and files and directories created are removed" \
	test "$(vstats)" = "$before"
printf 's/a/00/f000.txt\ns/b/01/f001.txt\nx/gone\nx/n3\nx/n4\nx/n5\nx/n6\nx/n7\n' >$W/bad2.paths
"$VEXCTL" import $M2 -v $W/bad.txt -p $W/bad2.paths --no-create >$W/bad2.out 2>&1
rc=$?
sed 's/^/# /' $W/bad2.out
ok "vexctl import --no-create, row 2 missing: refused, rows 0-1 detached again" \
	sh -c "[ $rc = 1 ] && grep -q 'row 2: cannot open $M2/x/gone (--no-create)' $W/bad2.out &&
	       [ '$(vstats)' = '$before' ]"
rm -rf $M2/x

echo "# ${SECONDS}s: round trip"
# the example
mkdir -p $M2/notes
fruit=(apples pears kernels journals vectors)
tag=(red blue ext4 xfs numpy)
for i in $(seq 1 40); do
	echo "note $i about ${fruit[RANDOM % 5]} and ${tag[RANDOM % 5]}" >$M2/notes/n$i.txt
done
cp $M2/notes/n17.txt $W/query.txt
$VPY "$T/examples/embed_dir.py" $M2/notes --query-file $W/query.txt -k 3 >$W/ex.out 2>&1
sed 's/^/# /' $W/ex.out
ok "example: the file with the query's text is nearest, at distance 0" \
	sh -c "grep -A1 '^nearest' $W/ex.out | tail -1 | grep -Eq '^ *1 +0\.000000 .*/n17\.txt$'"
ok "example again: re-embedding replaces, one vector per file" \
	sh -c "$VPY '$T/examples/embed_dir.py' $M2/notes --query 'note 3' >/dev/null &&
	       [ \"\$('$VEXCTL' list $M2/notes/n3.txt | wc -l)\" = 1 ]"
echo "# ${SECONDS}s: example"
ok "umount" umount $M
ok "umount the second" umount $M2
ok "fsck clean" fsck_clean /dev/vda
ok "fsck clean (second)" fsck_clean /dev/vdb
unload_vexfs
finish
