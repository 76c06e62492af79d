#!/bin/bash
# Guest half 2 of the vector crash test: replay, fsck clean, every
# acknowledged vector intact, every vector present whole (none half-done).
. "$(dirname "$0")/lib.sh"
DEV=/dev/vda
M=/mnt/vexfs
LIST=$1
load_vexfs
mkdir -p $M
ok "mount after crash (journal replay)" mount -t vexfs "$DEV" $M
ok "umount after replay" umount $M
ok "fsck -n clean after replay" fsck_clean "$DEV"
ok "mount again" mount -t vexfs "$DEV" $M
ok "acknowledged list is non-empty" test -s "$LIST"
out=$("$B/vm/vectors" crashverify $M "$LIST")
echo "$out"
ok "acknowledged vectors intact, no partial ones" test "$(echo "$out" | tail -1)" = "# crashverify: ok"
python3 -c "import json; json.dump([[0.5] * 16], open('/tmp/q16.json', 'w'))"
ok "the ANN index survived the crash, ready, and answers" sh -c \
	"'$VEXCTL' index stats $M --json | grep -q '\"state\": \"ready\"' &&
	 '$VEXCTL' search $M --vector /tmp/q16.json --approx -k 5 --no-paths > /dev/null"
ok "delete everything" rm -rf $M/c*
ok "no vectors left" test "$("$B/vm/vectors" stats $M | sed -n 's/^vectors=\([0-9]*\).*/\1/p')" = 0
ok "umount" umount $M
ok "fsck -n clean after cleanup" fsck_clean "$DEV"
finish
