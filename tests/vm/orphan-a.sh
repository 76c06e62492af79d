#!/bin/bash
# Orphan test, guest half 1: an unlinked file and an O_TMPFILE are held open
# when the VM dies (and an O_TMPFILE linked by linkat before is not an orphan).
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
load_vexfs
"$MKFS" -q "$DEV" || exit 1
mkdir -p $M && mount -t vexfs "$DEV" $M || exit 1
# The vector table keeps its blocks once written (ids are never reused):
# write its first block before the baseline.
python3 -c "import json; print(json.dumps([[i + j / 512 for j in range(512)] for i in range(50)]))" > /tmp/v50.json
touch $M/warm && "$VEXCTL" attach $M/warm --vector /tmp/v50.json > /dev/null && rm $M/warm || exit 1
# an O_TMPFILE given a name by linkat: no longer an orphan once linked
python3 -c "
import ctypes, os
fd = os.open('$M', os.O_TMPFILE | os.O_RDWR, 0o644)
os.write(fd, b'named by linkat\\n')
# AT_SYMLINK_FOLLOW (os.link would call link(), which does not follow it)
assert ctypes.CDLL(None).linkat(-100, b'/proc/self/fd/%d' % fd, -100, b'$M/named', 0x400) == 0
" || exit 1
sync
stat -f -c '%f %d' $M > "$VEXFS_OUT/baseline"
# an O_TMPFILE with data and 10 vectors, open and never linked, at the crash
python3 -c "import json; print(json.dumps([[i + j / 64 for j in range(64)] for i in range(10)]))" > /tmp/v10.json
python3 -c "
import os, time
fd = os.open('$M', os.O_TMPFILE | os.O_RDWR, 0o600)
os.write(fd, b't' * (8 << 20))
os.fsync(fd)
print(os.getpid(), fd, flush=True)
time.sleep(900)
" > /tmp/tmpfile.fd &
for _ in $(seq 100); do [ -s /tmp/tmpfile.fd ] && break; sleep 0.2; done
read -r tpid tfd < /tmp/tmpfile.fd || exit 1
"$VEXCTL" attach /proc/$tpid/fd/$tfd --vector /tmp/v10.json > /dev/null || exit 1
exec 7>$M/held
dd if=/dev/zero bs=1M count=64 >&7 2>/dev/null
# and 50 vectors of 512 float32 on it: they must go with the orphan
"$VEXCTL" attach $M/held --vector /tmp/v50.json > /dev/null || exit 1
"$B/vm/vectors" stats $M > "$VEXFS_OUT/vstats"
sync
rm $M/held
sync			# the unlink (and the orphan list entry) are committed
stat -f -c '%f %d' $M > "$VEXFS_OUT/during"
echo VEXFS-CRASH-ARMED
sleep 600
