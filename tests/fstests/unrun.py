#!/usr/bin/env python3
"""unrun.py FSTESTS_TREE: the generic tests of fstests' quick group that VexFS
has not run yet and whose source asks for no feature VexFS deliberately lacks
(reflink, dedupe, quota, encryption, verity, swapfile, idmapped mounts,
io_uring, DAX, case folding, external logs, dm-thin, scsi_debug, user
namespaces, cgroup2), one per line, in order, for tests/fstests/host.sh.

"Run" means named in tests/fstests/README.md (a three-digit number or a
range like 479-483), in tests/fstests/expected, in a CI list or in a
build/*.list (a number the README gives for another reason, e.g. a count,
also counts as run: the list may miss a test, never repeat one). Run from
the repository's top directory:

  python3 tests/fstests/unrun.py /var/cache/vexfs/fstests/*/fstests | head -25 > build/next.list
"""
import os, re, sys, glob
T = sys.argv[1]
ran = set()
for f in glob.glob("build/*.list") + glob.glob("tests/fstests/*.list"):
    for l in open(f):
        l = l.split("#")[0].strip()
        if l.startswith("generic/"):
            ran.add(int(l.split("/")[1]))
# numbers in the README's generic tables / lists
txt = open("tests/fstests/README.md").read()
for m in re.finditer(r"\b(\d{3})(?:-(\d{3}))?\b", txt):
    a = int(m.group(1)); b = int(m.group(2) or a)
    if b - a < 20:
        ran.update(range(a, b + 1))
for l in open("tests/fstests/expected"):
    m = re.match(r"\s*generic/(\d+)", l)
    if m: ran.add(int(m.group(1)))
bad = re.compile(r"_require_(scratch_reflink|cp_reflink|test_reflink|scratch_dedupe|quota|encrypt|"
                 r"scratch_encryption|fscrypt|verity|scratch_verity|scratch_swapfile|scratch_swap|"
                 r"idmapped|io_uring|dax|scratch_casefold|scratch_richacl|logdev|"
                 r"dm_target thin-pool|scsi_debug|user_namespace|cgroup2)")
out = []
for p in sorted(glob.glob(T + "/tests/generic/[0-9][0-9][0-9]")):
    n = int(os.path.basename(p))
    s = open(p, errors="replace").read()
    m = re.search(r"_begin_fstest(.*)", s)
    if not m or " quick" not in m.group(1) + " ":
        continue
    if n in ran:
        continue
    if bad.search(s) or "_require_xfs_io_command \"reflink\"" in s or "dedupe" in m.group(1):
        continue
    out.append("generic/%03d" % n)
print("\n".join(out))
print(len(out), file=sys.stderr)
