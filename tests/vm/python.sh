#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The Python package (python/vexfs) on a real VexFS:
#  - tests/vm/python_api.py api: every call against the kernel, search against
#    numpy and vexctl; as nobody: permissions;
#  - export_vectors -> import_vectors into a fresh VexFS -> export again:
#    identical rows and paths; fsck clean;
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
ok "python3 imports the package with numpy" \
	$VPY -c 'import numpy, vexfs, sys; sys.exit(not vexfs.__file__.startswith("'"$T"'/python/"))'
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
V=$VPY
vtest "$S" roundtrip $M $W $M2 24
ok "export, import, export: identical rows" cmp $W/e1.npy $W/e2.npy
ok "export, import, export: identical paths" cmp $W/e1.paths $W/e2.paths

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
