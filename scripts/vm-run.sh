#!/bin/bash
# vm-run.sh - boot a kernel in QEMU (TCG) and run a command in the guest.
#
#   scripts/vm-run.sh [options] -- COMMAND [ARGS...]
#     -k KERNEL   6.1 | 6.12 (Debian's stock kernels, default 6.12) | kunit
#     -d SIZE     attach a fresh sparse virtio disk of SIZE (e.g. 2G); repeatable:
#                 the guest sees /dev/vda, /dev/vdb, ...
#     -t SECONDS  wall-clock limit for the whole VM (default 600)
#     -m MIB      guest memory (default 2048)
#     -o DIR      keep the console log and the guest's output share in DIR
#     -K          keep the disks: exit after the command without powering off
#                 cleanly is not needed; see -x
#     -x SECONDS  crash mode: kill the VM SECONDS after the command starts
#                 (the guest is not shut down; disks are kept in -o DIR)
#     -D FILE     use FILE as a disk instead of a fresh one (repeatable, in order)
#     -f FILE     copy FILE into the initramfs /bin (KUnit kernel: static test programs)
#
# Stock kernels: the initramfs is busybox plus the stock kernel's own virtio and
# 9p modules. /init mounts the host's / read-only over virtio-9p at /host,
# mounts devtmpfs, proc, sysfs, debugfs and tmpfs (/tmp /run /mnt /root
# /var/tmp) over it, mounts DIR read-write at its own path (so the guest can
# leave files for the host) and chroots into it: every host tool (bash, python,
# fio, stress-ng, rsync, the built vexfs tools) is available in the guest.
# In the guest COMMAND runs from the repository directory with:
#   VEXFS_KVER     kernel release
#   VEXFS_KROOT    unpacked kernel root (modprobe -d "$VEXFS_KROOT" -S "$VEXFS_KVER" jbd2)
#   VEXFS_MODULE   path of the vexfs.ko built for this kernel (VEXFS_VM_MODULE
#                  in the host environment: another one, e.g. built by DKMS)
#   VEXFS_OUT      the read-write output directory
# KUnit kernel: busybox only; COMMAND is a busybox sh command line and the
# module is at /vexfs.ko.
#
# Exit status: COMMAND's exit status, or 124 on timeout, or 125 when the
# console shows a kernel splat (BUG, WARNING, Oops, KASAN, lockdep, hung task,
# kmemleak, UBSAN) whatever COMMAND returned. The console log is kept.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=6.12 timeout=600 mem=2048 outdir="" crash=""
disks=() usedisks=() files=()
while getopts "k:d:t:m:o:x:D:f:" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	d) disks+=("$OPTARG") ;;
	D) usedisks+=("$OPTARG") ;;
	f) files+=("$OPTARG") ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	o) outdir=$OPTARG ;;
	x) crash=$OPTARG ;;
	*) die "bad option (see the header of $0)" ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || die "no command given"

need_pkgs "${VEXFS_VM_PKGS[@]}"

if [ -z "$outdir" ]; then
	outdir=$(mktemp -d /var/tmp/vexfs-vm.XXXXXX)
	cleanup_out=1
else
	mkdir -p "$outdir"; outdir=$(cd "$outdir" && pwd)
	cleanup_out=0
fi
work=$(mktemp -d /var/tmp/vexfs-vmwork.XXXXXX)
trap 'rm -rf "$work"; [ $cleanup_out = 1 ] && [ "${keep:-0}" = 0 ] && rm -rf "$outdir"; true' EXIT
console=$outdir/console.log
: > "$console"

# --- kernel and modules --------------------------------------------------
mods=()
if [ "$kernel" = kunit ]; then
	ktree=$("$VEXFS_TOP"/scripts/kunit-kernel.sh)
	vmlinuz=$ktree/arch/x86/boot/bzImage
	kver=$(cat "$ktree/include/config/kernel.release")
	module=$VEXFS_TOP/build/kunit/vexfs.ko
else
	read -r kver kroot < <("$VEXFS_TOP"/scripts/fetch-kernel.sh "$kernel")
	vmlinuz=$kroot/boot/vmlinuz-$kver
	module=${VEXFS_VM_MODULE:-$VEXFS_TOP/build/$kernel/vexfs.ko}
	# The modules the initramfs must load to reach the host root, in order.
	while read -r kind path _; do
		[ "$kind" = insmod ] || continue
		case " ${mods[*]:-} " in *" $path "*) continue ;; esac
		mods+=("$path")
	done < <(modprobe -d "$kroot" -S "$kver" --show-depends -a virtio_pci virtio_blk 9pnet_virtio 9p 2>/dev/null)
	[ ${#mods[@]} -gt 0 ] || die "could not resolve virtio/9p modules of $kver"
fi
[ -f "$vmlinuz" ] || die "no kernel image $vmlinuz"

# --- initramfs -------------------------------------------------------------
ird=$work/initrd
mkdir -p "$ird"/{bin,dev,proc,sys,host,lib/mod,tmp}
cp /bin/busybox "$ird/bin/busybox"
for t in sh mount umount insmod mkdir cat echo sleep poweroff reboot dmesg chroot grep sync ls mknod; do
	ln -s busybox "$ird/bin/$t"
done
i=0
for m in "${mods[@]}"; do
	name=$(printf '%02d-%s' $i "$(basename "$m")"); name=${name%.xz}; name=${name%.zst}
	case "$m" in
	*.xz) xz -dc "$m" > "$ird/lib/mod/$name" ;;
	*.zst) zstd -qdc "$m" > "$ird/lib/mod/$name" ;;
	*) cp "$m" "$ird/lib/mod/$name" ;;
	esac
	i=$((i + 1))
done
if [ "$kernel" = kunit ]; then
	[ -f "$module" ] && cp "$module" "$ird/vexfs.ko"
	for t in rmmod mkdir stat sync tail wc cut rm; do ln -sf busybox "$ird/bin/$t"; done
fi
for f in "${files[@]}"; do
	cp "$f" "$ird/bin/"
done
printf '%s\n' "$*" > "$ird/command"

cat > "$ird/init" <<INIT
#!/bin/sh
export PATH=/bin
mount -t devtmpfs dev /dev 2>/dev/null
mount -t proc proc /proc
mount -t sysfs sys /sys
echo VEXFS-VM-INIT
dmesg -n 8
for m in /lib/mod/*.ko; do [ -e "\$m" ] && insmod "\$m"; done
rc=99
if [ "$kernel" = kunit ]; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	cd /
	echo VEXFS-VM-CMD
	sh -c "\$(cat /command)"; rc=\$?
else
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /host || echo "VEXFS-VM: cannot mount host root"
	mount -t devtmpfs dev /host/dev
	mount -t proc proc /host/proc
	mount -t sysfs sys /host/sys
	mount -t debugfs debugfs /host/sys/kernel/debug 2>/dev/null
	for d in /tmp /run /mnt /root /var/tmp; do mount -t tmpfs -o mode=1777 tmp /host\$d; done
	# The repository and the kernel tree may live under one of those tmpfs
	# paths (a CI clone in /tmp): share them again at their own paths.
	mkdir -p /host$VEXFS_TOP /host${kroot:-/nonexistent} /host$outdir 2>/dev/null
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 top /host$VEXFS_TOP || echo "VEXFS-VM: cannot mount repo share"
	[ -n "${kroot:-}" ] && mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 kroot /host${kroot:-}
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /host$outdir || echo "VEXFS-VM: cannot mount out share"
	echo VEXFS-VM-CMD
	chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root TERM=dumb LANG=C.UTF-8 VEXFS_KVER=$kver VEXFS_KROOT=${kroot:-} \
		VEXFS_MODULE=$module VEXFS_OUT=$outdir VEXFS_IN_VM=1 \
		/bin/bash -c "cd $VEXFS_TOP && \$(cat /command)"
	rc=\$?
	sync
fi
echo "VEXFS-VM-RC=\$rc"
poweroff -f
INIT
chmod +x "$ird/init"
(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"

# --- disks -------------------------------------------------------------------
drives=()
n=0
for f in "${usedisks[@]}"; do
	drives+=(-drive "file=$f,if=virtio,format=raw,cache=unsafe,discard=unmap")
	n=$((n + 1))
done
first_fresh=$n
for s in "${disks[@]}"; do
	f=$outdir/disk$n.img
	rm -f "$f"; truncate -s "$s" "$f"
	drives+=(-drive "file=$f,if=virtio,format=raw,cache=unsafe,discard=unmap")
	n=$((n + 1))
done
# fresh_disks: make the -d disks empty again (a second boot of the command)
fresh_disks() {
	local i=$first_fresh s
	for s in "${disks[@]}"; do
		rm -f "$outdir/disk$i.img"; truncate -s "$s" "$outdir/disk$i.img"
		i=$((i + 1))
	done
}

# --- boot ----------------------------------------------------------------------
# norandmaps: no address space randomization for the guest's processes. TCG
# finds a translated block by its virtual address, so with randomization
# every process translates its shared libraries' code again: an exec of
# /bin/true took 55 ms under TCG with it and 21 ms without, and VM tests are
# mostly shell scripts and fstests (VEXFS_VM_ASLR=1 keeps randomization).
append="console=ttyS0 panic=-1 oops=panic quiet loglevel=4 rdinit=/init"
[ "${VEXFS_VM_ASLR:-0}" = 1 ] || append="$append norandmaps"
[ "$kernel" = kunit ] && append="$append pci=noacpi"
# la57=off: with 5-level paging, an interrupt taken while identify_cpu() has
# cleared the CPU's feature bits (LA57 among them) makes KASAN see the direct
# map as wild memory (seen in CI: "KASAN: wild-memory-access in
# do_raw_spin_lock" from handle_edge_irq at boot, before /init).
qemu=(qemu-system-x86_64 -accel tcg -cpu "${VEXFS_VM_CPU:-max,la57=off}" -smp "${VEXFS_VM_SMP:-2}" -m "$mem" -no-reboot
	-display none -monitor none -serial "file:$console"
	-kernel "$vmlinuz" -initrd "$work/initrd.gz" -append "$append"
	"${drives[@]}")
if [ "$kernel" != kunit ]; then
	qemu+=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$VEXFS_TOP,mount_tag=top,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$kroot,mount_tag=kroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$outdir,mount_tag=out,security_model=none,multidevs=remap")
fi

start=$(date +%s)
set +e
if [ -n "$crash" ]; then
	# Crash mode: wait until the command has run for $crash seconds, then kill -9.
	for boot in 1 2; do
		"${qemu[@]}" &
		qpid=$!
		waited=0
		until grep -q 'VEXFS-CRASH-ARMED' "$console" 2>/dev/null || [ $waited -ge "$timeout" ]; do
			sleep 1; waited=$((waited + 1))
			kill -0 $qpid 2>/dev/null || break
		done
		sleep "$crash"
		kill -9 $qpid 2>/dev/null
		wait $qpid 2>/dev/null
		# the stock kernel died booting under TCG (see below): boot once more
		if [ $boot = 1 ] && ! grep -q VEXFS-VM-CMD "$console" &&
		   grep -Eq '(Oops|Kernel panic|BUG:)' "$console"; then
			cp "$console" "$console.boot-crash"
			log "the kernel crashed while booting, before the workload started (console: $console.boot-crash); booting again"
			continue
		fi
		break
	done
	rc=0
	grep -q 'VEXFS-CRASH-ARMED' "$console" || { log "crash mode: workload never armed"; rc=1; }
else
	timeout -s KILL "$timeout" "${qemu[@]}"
	qrc=$?
	# The stock kernel itself can die while booting under TCG (seen: an int3
	# Oops in sched_clock_cpu while patching code, before /init ran; a
	# double fault in kthreadd while /init loaded the 9p modules). Before
	# VEXFS-VM-CMD the command has not started: no VexFS module is loaded
	# and no disk was touched, so boot once more; the first log is kept.
	if ! grep -q VEXFS-VM-CMD "$console" && grep -Eq '(Oops|Kernel panic|BUG:)' "$console"; then
		cp "$console" "$console.boot-crash"
		log "the kernel crashed while booting, before the command started (console: $console.boot-crash); booting again"
		timeout -s KILL "$timeout" "${qemu[@]}"
		qrc=$?
	fi
	# A double fault that is not a stack overflow (the kernel then reports
	# "stack guard page was hit") cannot come from a module's code: on x86-64
	# it needs a fault while the CPU delivers an exception, i.e. a broken
	# IDT, TSS or IST stack. Under TCG it has been seen with an impossible
	# saved frame (EFLAGS with the VM bit set in 64-bit mode, in
	# kmem_cache_alloc during a mount, and in kthreadd at boot). The command
	# runs once more on fresh disks (when it has no -D disk, whose state
	# cannot be restored); the first console is kept and named in the log,
	# and a second crash of any kind fails the run as usual.
	if [ ${#usedisks[@]} = 0 ] && grep -q 'Oops: double fault' "$console" &&
	   ! grep -q 'stack guard page' "$console"; then
		cp "$console" "$console.double-fault"
		log "the CPU emulation raised a double fault that is not a stack overflow (console: $console.double-fault); running the command again on fresh disks"
		fresh_disks
		timeout -s KILL "$timeout" "${qemu[@]}"
		qrc=$?
	fi
	if [ $qrc = 137 ]; then
		log "VM timed out after ${timeout}s"; rc=124
	else
		rc=$(sed -n 's/.*VEXFS-VM-RC=\([0-9]*\).*/\1/p' "$console" | tail -1)
		[ -n "$rc" ] || { log "guest did not report a result (qemu rc $qrc)"; rc=126; }
	fi
fi
set -e
log "VM ($kernel, $kver) finished in $(( $(date +%s) - start ))s, rc=$rc"

# A kernel splat fails the run whatever the command said.
splat='(BUG:|WARNING:|Oops|KASAN|possible circular locking|possible recursive locking|INFO: task .* blocked|unreferenced object|UBSAN|Kernel panic|general protection fault|kernel BUG|RCU stall|inconsistent lock state|suspicious RCU usage)'
if grep -Eq "$splat" "$console"; then
	log "kernel splat in the console log:"
	grep -En -A20 "$splat" "$console" | head -60 >&2
	rc=125
fi
if [ "$rc" != 0 ] && [ $cleanup_out = 1 ]; then
	keep=1
	log "console log kept: $console"
fi
exit "$rc"
