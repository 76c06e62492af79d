# Guest-side helpers for VM tests (sourced by tests/vm/*.sh inside the VM).
# shellcheck shell=bash
set -u
T=${VEXFS_TOP:-$(pwd)}
B=$T/build/user
MKFS=$B/mkfs.vexfs
FSCK=$B/fsck.vexfs
VEXCTL=$B/vexctl
PASS=0
FAIL=0

# took T0: " # N.Ns" when the step since T0 (an EPOCHREALTIME) took 0.5 s
# or more, so that a console log shows where a test's time goes.
took() {
	local us=$(( ${EPOCHREALTIME/./} - ${1/./} ))
	[ "$us" -lt 500000 ] || printf ' # %d.%ds' $((us / 1000000)) $((us / 100000 % 10))
}

# load_vexfs: load the stock kernel's jbd2/crc32c and then vexfs.ko.
load_vexfs() {
	if [ -n "${VEXFS_KROOT:-}" ]; then
		modprobe -d "$VEXFS_KROOT" -S "$VEXFS_KVER" -a jbd2 crc32c_generic libcrc32c 2>/dev/null
		modprobe -d "$VEXFS_KROOT" -S "$VEXFS_KVER" crc32c_intel 2>/dev/null || true
	fi
	grep -qw vexfs /proc/filesystems || insmod "$VEXFS_MODULE"
}

unload_vexfs() {
	rmmod vexfs
}

# ok NAME CMD...: run CMD, count it as a passed or failed test case.
ok() {
	local name=$1 t0=$EPOCHREALTIME
	shift
	if "$@"; then
		PASS=$((PASS + 1))
		echo "ok - $name$(took "$t0")"
	else
		FAIL=$((FAIL + 1))
		echo "not ok - $name$(took "$t0")"
	fi
}

# expect_fail NAME CMD...: CMD must fail.
expect_fail() {
	local name=$1
	shift
	if "$@" 2>/dev/null; then
		FAIL=$((FAIL + 1))
		echo "not ok - $name (unexpectedly succeeded)"
	else
		PASS=$((PASS + 1))
		echo "ok - $name"
	fi
}

# fsck_clean DEV: the filesystem must be unmounted and check clean.
fsck_clean() {
	"$FSCK" -n "$1"
}

# vtest MODE ARGS...: run a mode of the C test program $V (set by the
# caller), print its output and add its "# vtest:" counts.
vtest() {
	local out p f t0=$EPOCHREALTIME
	out=$("$V" "$@")
	echo "# vtest $V ${1:-}$(took "$t0")"
	# its "# vtest:" line is counted here, in finish's "# vm-test:" line:
	# shown under another name so that the host does not count it twice
	echo "$out" | sed 's/^# vtest: /# vtest (in vm-test below): /'
	p=$(echo "$out" | sed -n 's/^# vtest: \([0-9]*\) passed, \([0-9]*\) failed/\1/p')
	f=$(echo "$out" | sed -n 's/^# vtest: \([0-9]*\) passed, \([0-9]*\) failed/\2/p')
	PASS=$((PASS + ${p:-0}))
	FAIL=$((FAIL + ${f:-1}))
}

# Closing line for the host to sum.
finish() {
	echo "# vm-test: $PASS passed, $FAIL failed"
	[ "$FAIL" = 0 ]
}
