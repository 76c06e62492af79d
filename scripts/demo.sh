#!/bin/bash
# demo.sh - build VexFS and run the demo (tests/vm/demo.sh).
# When this machine's kernel can load modules and has its build tree, the
# demo runs here on a loop device; otherwise it boots Debian's 6.12 kernel
# in QEMU with the freshly built vexfs.ko and runs there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$VEXFS_TOP"
need_pkgs "${VEXFS_BUILD_PKGS[@]}" attr python3-numpy python3-pil dataset-fashion-mnist
make -s user

host_can_load() {
	[ -r /proc/modules ] && [ -d "/lib/modules/$(uname -r)/build" ] &&
		[ "$(id -u)" = 0 ] && ! grep -q 'modules_disabled.*1' /proc/sys/kernel/modules_disabled 2>/dev/null &&
		[ "$(cat /proc/sys/kernel/modules_disabled 2>/dev/null || echo 1)" = 0 ]
}

if [ "${VEXFS_DEMO_VM:-0}" != 1 ] && host_can_load; then
	log "host kernel $(uname -r) can load modules: running the demo here"
	make -s module
	img=$(mktemp /var/tmp/vexfs-demo.XXXXXX.img)
	truncate -s 2G "$img"
	loop=$(losetup --find --show "$img")
	trap 'umount /mnt/vexfs 2>/dev/null; losetup -d "$loop"; rm -f "$img"' EXIT
	mkdir -p build/demo
	VEXFS_OUT=$VEXFS_TOP/build/demo VEXFS_MODULE=$VEXFS_TOP/build/host/vexfs.ko bash tests/vm/demo.sh "$loop"
else
	log "this kernel cannot load modules: running the demo in QEMU (Debian 6.12 kernel)"
	make -s KVER=6.12 module
	mkdir -p build/demo
	scripts/vm-run.sh -k 6.12 -d 2G -o build/demo -t 1800 -- bash tests/vm/demo.sh
	grep -v '^\[ *[0-9.]*\]' build/demo/console.log | sed -n '/vector kernels\|mkfs.vexfs\|\$ /,$p' |
		grep -v '^VEXFS-VM-RC' || true
	[ -f build/demo/fmnist-search.png ] && log "contact sheet: build/demo/fmnist-search.png"
fi
