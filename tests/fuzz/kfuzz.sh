#!/bin/bash
# Kernel image fuzzing (guest): populate the two base images on /dev/vda and
# /dev/vdb (populate.sh), then mount N mutants of each (argument 1, default
# 100; argument 2 the campaign seed) rw and ro from a loop device and exercise
# them (kfuzz.py), ~0.35 s a mutant under TCG. A splat fails the run
# (vm-run.sh); the console line "VEXFS-MUTANT ..." before it names the mutant.
# Long campaign (10,000 mutants, about an hour), by hand:
#   scripts/vm-run.sh -k 6.12 -d 32M -d 12M -t 7200 -o build/logs/kfuzz-long \
#       -- bash tests/fuzz/kfuzz.sh 5000 3       (and -k 6.1)
. "$(dirname "$0")/../vm/lib.sh"
N=${1:-100}
bash "$T/tests/fuzz/populate.sh" || exit 1
load_vexfs
dd if=/dev/vda of=/tmp/base-4k.img bs=1M status=none
dd if=/dev/vdb of=/tmp/base-1k.img bs=1M status=none
# The mutants are mounted from a loop device over a file in the guest's tmpfs:
# writing a mutant is a memory copy, where a write of the image to a virtio
# disk and its flush cost ~0.2 s a mutant under TCG.
modprobe -d "$VEXFS_KROOT" -S "$VEXFS_KVER" loop 2>/dev/null || true
truncate -s 32M /tmp/kfuzz.img
dev=$(losetup -f --show /tmp/kfuzz.img) || exit 1
# the vector calls go through the Python package (numpy: Debian's python3)
PYTHONPATH=$T/python /usr/bin/python3 "$T/tests/fuzz/kfuzz.py" -n "$N" -s "${2:-1}" \
	--dev "$dev" --backing /tmp/kfuzz.img --mnt /mnt/kfuzz /tmp/base-4k.img /tmp/base-1k.img
rc=$?
losetup -d "$dev"
exit $rc
