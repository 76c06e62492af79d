#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# test_man.sh - the man pages (man/): each formats without a warning
# (groff -ww and man --warnings), and they agree with the programs: the
# commands of "vexctl --help" are the page's COMMANDS subsections, each
# command's options in "vexctl COMMAND --help" are the ones its subsection
# lists (short and long forms), and the options of mkfs.vexfs and fsck.vexfs
# in their usage are those of their pages.
#
# Usage: bash tests/user/test_man.sh   (from the repository top, after make user)
set -u
T=$(cd "$(dirname "$0")/../.." && pwd)
B=${VEXFS_BUILD:-$T/build/user}
N=0 PASS=0 FAIL=0
W=$(mktemp -d "${TMPDIR:-/tmp}/vexfs-man.XXXXXX")
trap 'rm -rf "$W"' EXIT
result() {
	N=$((N + 1))
	if [ "$1" = 0 ]; then PASS=$((PASS + 1)); echo "ok $N - $2"
	else FAIL=$((FAIL + 1)); echo "not ok $N - $2"; fi
}
for p in "$T"/man/*.[1-8]; do
	groff -ww -t -man -z "$p" >"$W/w" 2>&1
	MANWIDTH=100 man --warnings -l "$p" 2>>"$W/w" >/dev/null
	[ ! -s "$W/w" ] || sed 's/^/#   /' "$W/w"
	[ ! -s "$W/w" ]
	result $? "$(basename "$p"): groff -ww and man --warnings are silent"
done
for p in vexctl mkfs.vexfs fsck.vexfs; do
	groff -t -man -Tascii -P-cbou -rLL=250n "$T"/man/$p.8 >"$W/$p.txt" 2>/dev/null
done
"$B/vexctl" --help >"$W/vexctl.help"
"$B/mkfs.vexfs" -h >"$W/mkfs.vexfs.help" 2>&1
"$B/fsck.vexfs" -h >"$W/fsck.vexfs.help" 2>&1
for c in $(sed -n '/^Commands:/,/^$/s/^  \([a-z]\+\) .*/\1/p' "$W/vexctl.help"); do
	"$B/vexctl" "$c" --help >"$W/help.$c" 2>&1
	echo "$c" >>"$W/cmds"
done
N=$N PASS=$PASS FAIL=$FAIL /usr/bin/python3 - "$W" <<'PY'
import os, re, sys
w = sys.argv[1]
n = int(os.environ["N"])
fails = int(os.environ["FAIL"])
def ck(cond, desc, detail=""):
    global n, fails
    n += 1
    print(("ok %d - %s" % (n, desc)) if cond else ("not ok %d - %s: %s" % (n, desc, detail)))
    fails += not cond
def opts(text):
    """Options a help text or a rendered page lists: '-x' and '--long'."""
    out = set()
    for line in text.splitlines():
        m = re.match(r"\s+((?:-[A-Za-z0-9](?:, |\s))?(?:--[a-z][a-z0-9-]*)?)", line)
        if not m or not m.group(1).strip():
            continue
        out |= set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[A-Za-z0-9])\b", m.group(1)))
    return out
page = open(os.path.join(w, "vexctl.txt")).read()
sect = page.split("\nCOMMANDS\n", 1)[1].split("\nEXIT STATUS\n", 1)[0]
subs = {}
for block in re.split(r"\n(?=   [a-z])", "\n" + sect):
    if block.strip():
        name = block.strip().split()[0]
        subs[name] = block
cmds = open(os.path.join(w, "cmds")).read().split()
ck(set(cmds) == set(subs), "vexctl: the page's commands are those of vexctl --help",
   "help %s, page %s" % (sorted(cmds), sorted(subs)))
for c in cmds:
    if c == "codebook":
        continue            # add|get|list|show: described in prose
    h = open(os.path.join(w, "help." + c)).read()
    hb = "\n".join(l for l in h.splitlines()[1:])      # not the Usage line
    want = opts(hb) - {"-h", "--help"}
    have = opts(subs.get(c, ""))
    ck(want == have, "vexctl %s: the page lists the options of --help (%d)" % (c, len(want)),
       "only in --help %s, only in the page %s" % (sorted(want - have), sorted(have - want)))
for p in ("mkfs.vexfs", "fsck.vexfs"):
    h = open(os.path.join(w, p + ".help")).read()
    want = set(re.findall(r"^  (-[A-Za-z])\b", h, re.M))
    page = open(os.path.join(w, p + ".txt")).read()
    sect = page.split("\nOPTIONS\n", 1)[1].split("\nEXIT STATUS\n", 1)[0]
    have = set(re.findall(r"^       (-[A-Za-z])\b", sect, re.M))
    ck(want and want - {"-h"} == have - {"-h"}, "%s: the page lists the options of its usage (%d)" % (p, len(want)),
       "only in the usage %s, only in the page %s" % (sorted(want - have), sorted(have - want)))
print("# vtest: %d passed, %d failed" % (n - fails, fails))
sys.exit(1 if fails else 0)
PY
