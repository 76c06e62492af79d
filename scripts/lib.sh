# Shared shell helpers for VexFS scripts. Source it; do not run it.
# shellcheck shell=bash

VEXFS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Cache for downloaded kernels and the KUnit kernel. Outside the clone so that
# a fresh clone on the same machine reuses it.
VEXFS_CACHE=${VEXFS_CACHE:-/var/cache/vexfs}

log() { printf '[vexfs] %s\n' "$*" >&2; }
die() { printf '[vexfs] error: %s\n' "$*" >&2; exit 1; }

# need_pkgs PKG...: apt-get install whatever of PKG... is missing.
need_pkgs() {
	local missing=() p have
	# one dpkg-query for all (a query per package cost a second per call,
	# and every VM boot calls this through fetch-kernel.sh)
	# (dpkg-query fails when a package is unknown to it: not an error here,
	# and callers run under set -e -o pipefail)
	have=" $({ dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null || true; } |
		awk '/ install ok installed$/ {printf "%s ", $1}')"
	for p in "$@"; do
		[[ "$have" == *" ${p%%:*} "* ]] || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]} (run as root to install)"
	log "installing ${missing[*]}"
	if [ ! -e /var/lib/apt/lists/lock ] || [ -z "$(ls /var/lib/apt/lists/*Packages* 2>/dev/null)" ] ||
		[ -n "${VEXFS_APT_UPDATE:-}" ]; then
		apt-get update -q >/dev/null
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
		{ apt-get update -q >/dev/null &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; } ||
		die "apt-get install ${missing[*]} failed"
}

# Packages every build and test needs.
VEXFS_BUILD_PKGS=(gcc make bc flex bison libelf-dev libssl-dev dwarves kmod xz-utils zstd cpio
	sparse libext2fs-dev libblkid-dev uuid-dev linux-libc-dev python3 python3-numpy python3-venv
	python3-pip python3-setuptools groff-base man-db
	dkms dh-dkms debhelper dh-python python3-all lintian fakeroot dpkg-dev)
VEXFS_VM_PKGS=(qemu-system-x86 busybox-static e2fsprogs dmsetup attr rsync tar fio stress-ng
	python3-numpy)
