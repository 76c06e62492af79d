#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# test_python.sh - native tests of the Python package (python/vexfs) with
# Debian's python3 and numpy: the ABI pinned against the C header
# (tests/user/abi_layout.c compiled here), argument checking, vector files
# (tests/user/test_python_abi.py). The calls against a kernel run in the VM
# (tests/vm/python.sh).
set -u
T=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/vexfs-py.XXXXXX")
trap 'rm -rf "$W"' EXIT
cc -Wall -Werror -I"$T/include" -o "$W/abi_layout" "$T/tests/user/abi_layout.c" || {
	echo "not ok 1 - abi_layout builds"; echo "# vtest: 0 passed, 1 failed"; exit 1; }
PYTHONPATH=$T/python PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 \
	"$T/tests/user/test_python_abi.py" "$W/abi_layout" "$T/include/vexfs/vexfs_ioctl.h"
rc=$?

# `pip install ./python`: offline, into a venv that sees Debian's numpy,
# from a copy (setuptools writes build/ and *.egg-info next to the sources).
n=0; bad=0
pipck() {
	n=$((n + 1))
	if "${@:2}" >"$W/pip.log" 2>&1; then echo "ok $n - $1"; else
		bad=$((bad + 1)); echo "not ok $n - $1"; tail -5 "$W/pip.log"; fi
}
cp -a "$T/python" "$W/src"
pipck "python3 -m venv --system-site-packages" /usr/bin/python3 -m venv --system-site-packages "$W/venv"
pipck "pip install ./python (no index, no build isolation)" \
	"$W/venv/bin/pip" install --no-index --no-build-isolation "$W/src"
pipck "the installed package is imported, with numpy" sh -c "cd / && '$W/venv/bin/python' -c \
	'import vexfs, numpy, sys; sys.exit(not vexfs.__file__.startswith(\"$W/venv/lib/\"))'"
pipck "pip show vexfs: version $("/usr/bin/python3" -c 'import sys; sys.path.insert(0, "'"$T"'/python"); import vexfs; print(vexfs.__version__)')" \
	sh -c "'$W/venv/bin/pip' show vexfs | grep -qx 'Version: $(PYTHONPATH=$T/python /usr/bin/python3 -c 'import vexfs; print(vexfs.__version__)')'"
echo "# vtest: $((n - bad)) passed, $bad failed"
[ $rc = 0 ] && [ $bad = 0 ]
