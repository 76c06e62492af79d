#!/bin/bash
# Kernel image fuzzing (guest): populate the two base images on /dev/vda and
# /dev/vdb (populate.sh), then mount N mutants of each (argument 1, default
# 100; argument 2 the campaign seed) rw and ro on /dev/vdc and exercise them
# (kfuzz.py). A splat fails the run (vm-run.sh); the console line
# "VEXFS-MUTANT ..." before it names the mutant. Long campaign, by hand:
#   scripts/vm-run.sh -k 6.12 -d 32M -d 12M -d 32M -t 40000 -o build/logs/kfuzz-long \
#       -- 'bash tests/fuzz/kfuzz.sh 5000 2'       (and -k 6.1)
. "$(dirname "$0")/../vm/lib.sh"
N=${1:-100}
bash "$T/tests/fuzz/populate.sh" || exit 1
load_vexfs
dd if=/dev/vda of=/tmp/base-4k.img bs=1M status=none
dd if=/dev/vdb of=/tmp/base-1k.img bs=1M status=none
python3 "$T/tests/fuzz/kfuzz.py" -n "$N" -s "${2:-1}" --dev /dev/vdc \
	--mnt /mnt/kfuzz --vexctl "$VEXCTL" /tmp/base-4k.img /tmp/base-1k.img
