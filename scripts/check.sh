#!/bin/bash
# check.sh - run VexFS's tests and print one closing line "N passed, N failed".
#
#   scripts/check.sh [all|quick|user|kunit|vm|lint]...     (default: all)
#
#   user   native unit tests of the shared core and the userspace tools
#   kunit  KUnit suites inside the KUnit kernel (built from linux-source-6.12)
#   vm     integration tests in QEMU on Debian's stock 6.1 and 6.12 kernels
#   lint   checkpatch, sparse, W=1 build (each counts as one test)
#   quick  user and lint, the lint builds beside the user tests (as in "all")
#
# Installs what it needs with apt (run as root on a fresh Debian 12).
# Environment: VEXFS_KERNELS="6.1 6.12" restricts the stock kernels,
# VEXFS_VM_TESTS="smoke ..." restricts the VM tests.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VEXFS_TOP"

PASSED=0
FAILED=0
LOGDIR=$VEXFS_TOP/build/logs
mkdir -p "$LOGDIR"

T0=$(date +%s)
count() {	# count LABEL PASSED FAILED: also the seconds since the previous count
	local now
	now=$(date +%s)
	PASSED=$((PASSED + $2))
	FAILED=$((FAILED + $3))
	printf '[check] %-40s %d passed, %d failed  (%ds)\n' "$1" "$2" "$3" $((now - T0))
	T0=$now
}

# Sum every "# vtest: N passed, M failed" / "# vm-test: ..." line of a log.
sum_lines() {
	sed -n 's/.*# v[a-z-]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$1" |
		awk '{p += $1; f += $2} END {print p + 0, f + 0}'
}

run_user() {
	local t log p f rc
	if ! make -s user >"$LOGDIR/user-build.log" 2>&1; then
		cat "$LOGDIR/user-build.log"
		count "user: build" 0 1
		return
	fi
	for t in build/user/tests/test_* tests/user/test_*.sh; do
		[ -e "$t" ] || continue
		case "$t" in *.dSYM) continue ;; esac
		log=$LOGDIR/user-$(basename "$t").log
		if [ "${t%.sh}" != "$t" ]; then
			bash "$t" >"$log" 2>&1; rc=$?
		else
			"$t" >"$log" 2>&1; rc=$?
		fi
		read -r p f < <(sum_lines "$log")
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			f=1		# crashed or failed without saying so
		fi
		[ "$rc" != 0 ] && tail -20 "$log"
		count "user: $(basename "$t")" "$p" "$f"
	done
}

run_kunit() {
	local log=$LOGDIR/kunit-console.log ktree p f rc
	if ! ktree=$(scripts/kunit-kernel.sh) || ! make -s -j"$(nproc)" KVER=kunit module >"$LOGDIR/kunit-build.log" 2>&1; then
		tail -30 "$LOGDIR/kunit-build.log" 2>/dev/null
		count "kunit: build" 0 1
		return
	fi
	scripts/vm-run.sh -k kunit -o "$LOGDIR/kunit" -t 600 -- \
		'echo VEXFS-KUNIT-START; insmod /vexfs.ko && rmmod vexfs; echo scan > /sys/kernel/debug/kmemleak; sleep 6; echo scan > /sys/kernel/debug/kmemleak; cat /sys/kernel/debug/kmemleak; echo VEXFS-KUNIT-END'
	rc=$?
	cp "$LOGDIR/kunit/console.log" "$log"
	sed -n '/VEXFS-KUNIT-START/,/VEXFS-KUNIT-END/p' "$log" |
		python3 "$ktree/tools/testing/kunit/kunit.py" parse >"$LOGDIR/kunit-parse.log" 2>&1
	# kunit.py's summary: "Ran N tests: passed: P, failed: F[, skipped: S][, crashed: C]"
	read -r p f < <(python3 - "$LOGDIR/kunit-parse.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.findall(r"Ran (\d+) tests?: (.*)", text)
if not m:
    print(0, 1)
else:
    fields = dict((k, int(v)) for k, v in re.findall(r"(\w+): (\d+)", m[-1][1]))
    print(fields.get("passed", 0), fields.get("failed", 0) + fields.get("crashed", 0))
PY
)
	grep -E "Testing complete|FAILED|CRASHED" "$LOGDIR/kunit-parse.log" | tail -5
	if [ "$p" = 0 ] && [ "$f" = 0 ]; then
		echo "[check] no KUnit case ran (see $log)"; f=1
	fi
	if [ "$rc" != 0 ]; then
		echo "[check] KUnit VM failed (rc $rc): splat, timeout or module load failure"; f=$((f + 1))
	fi
	count "kunit: vexfs_* suites" "$p" "$f"

	# The same debug kernel runs real filesystem workloads (static programs).
	if ! make -s static >"$LOGDIR/static-build.log" 2>&1; then
		tail -20 "$LOGDIR/static-build.log"
		count "kunit kernel: fs workloads build" 0 1
		return
	fi
	# stress-ng is dynamic: its shared libraries go into the initramfs with it
	need_pkgs "${VEXFS_VM_PKGS[@]}"
	local sargs=(-f /usr/bin/stress-ng) l
	for l in $(ldd /usr/bin/stress-ng | grep -o '/lib[^ ]*'); do sargs+=(-f "$l"); done
	scripts/vm-run.sh -k kunit -d 2G -o "$LOGDIR/kdebug" -t 1500 \
		-f build/static/mkfs.vexfs -f build/static/fsck.vexfs -f build/static/posix \
		-f build/static/fsx -f build/static/vectors -f build/static/sysfuzz \
		-f build/static/annrace "${sargs[@]}" \
		-- "$(cat tests/kunit/fs-debug.sh)" >"$LOGDIR/kdebug.host.log" 2>&1
	rc=$?
	read -r p f < <(sum_lines "$LOGDIR/kdebug/console.log")
	if [ "$rc" != 0 ]; then
		f=$((f + 1))
		echo "[check] debug-kernel fs run: rc $rc (splat, timeout or failure; see $LOGDIR/kdebug)"
		grep -E "not ok|BUG|WARNING|KASAN|unreferenced" "$LOGDIR/kdebug/console.log" | head -20
	fi
	[ "$p" = 0 ] && [ "$f" = 0 ] && f=1
	count "kunit kernel: fs workloads (KASAN, lockdep)" "$p" "$f"
}

run_vm() {
	local k name disks tmo cmd dargs d out rc p f
	for k in ${VEXFS_KERNELS:-6.1 6.12}; do
		if ! make -s -j"$(nproc)" KVER="$k" module >"$LOGDIR/module-$k.log" 2>&1; then
			tail -30 "$LOGDIR/module-$k.log"
			count "vm $k: module build" 0 1
			continue
		fi
		while read -r name disks tmo cmd; do
			case "$name" in ''|'#'*) continue ;; esac
			# "name@KVER": only on that kernel (a bounded form runs on the other)
			if [ "${name#*@}" != "$name" ]; then
				[ "${name#*@}" = "$k" ] || continue
				name=${name%@*}
			fi
			if [ -n "${VEXFS_VM_TESTS:-}" ] && [[ " $VEXFS_VM_TESTS " != *" $name "* ]]; then
				continue
			fi
			out=$LOGDIR/vm-$k-$name
			rm -rf "$out"
			if [ "${cmd#host:}" != "$cmd" ]; then
				# a host-side driver that boots VMs itself (crash tests)
				mkdir -p "$out"
				timeout "$tmo" bash ${cmd#host:} "$k" >"$out/console.log" 2>&1
				rc=$?
				cp "$out/console.log" "$out.host.log"
			else
				dargs=()
				for d in ${disks//,/ }; do [ "$d" != - ] && dargs+=(-d "$d"); done
				scripts/vm-run.sh -k "$k" "${dargs[@]}" -o "$out" -t "$tmo" -- "$cmd" \
					>"$out.host.log" 2>&1
				rc=$?
				rm -f "$out"/disk*.img
			fi
			read -r p f < <(sum_lines "$out/console.log")
			if [ "$p" = 0 ] && [ "$f" = 0 ]; then
				echo "[check] vm $k $name: no test result reported"; f=1
			fi
			if [ "$rc" != 0 ]; then
				f=$((f + 1))
				echo "[check] vm $k $name: rc $rc (logs in $out)"
				grep -E "not ok|error|splat|BUG|WARNING" "$out/console.log" "$out.host.log" | head -20
				# the splat itself (vm-run.sh quotes it into the host log) and the console's end
				sed -n '/kernel splat/,+40p' "$out.host.log" | head -42
				echo "[check] last console lines of vm $k $name:"
				tail -25 "$out/console.log"
			fi
			count "vm $k: $name" "$p" "$f"
		done < tests/vm/TESTS
	done
}

# The lint checks run in the background (lint_start) so that "all" and
# "quick" can run them beside the userspace tests (both native; together
# they fill the two cores that each leaves half idle); lint_finish waits and
# counts them.
LINT_CHECKS="checkpatch sparse w1"
LINT_PID=
lint_start() {
	(
		local t t0
		for t in $LINT_CHECKS; do
			t0=$(date +%s)
			scripts/lint.sh "$t" >"$LOGDIR/lint-$t.log" 2>&1
			echo "$t $? $(( $(date +%s) - t0 ))"
		done
	) >"$LOGDIR/lint.status" 2>&1 &
	LINT_PID=$!
}

lint_finish() {
	local t rc secs
	wait "$LINT_PID"
	while read -r t rc secs; do
		if [ "$rc" = 0 ]; then
			count "lint: $t (${secs}s)" 1 0
		else
			tail -30 "$LOGDIR/lint-$t.log"
			count "lint: $t (${secs}s)" 0 1
		fi
	done <"$LOGDIR/lint.status"
	for t in $LINT_CHECKS; do
		grep -q "^$t " "$LOGDIR/lint.status" || count "lint: $t (did not run)" 0 1
	done
}

need_pkgs "${VEXFS_BUILD_PKGS[@]}"
what=("$@")
[ ${#what[@]} -eq 0 ] && what=(all)
start=$(date +%s)
for w in "${what[@]}"; do
	case "$w" in
	all) lint_start; run_user; lint_finish; run_kunit; run_vm ;;
	quick) lint_start; run_user; lint_finish ;;
	user) run_user ;;
	kunit) run_kunit ;;
	vm) run_vm ;;
	lint) lint_start; lint_finish ;;
	*) die "unknown test group $w" ;;
	esac
done
echo "[check] wall time $(( $(date +%s) - start ))s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
