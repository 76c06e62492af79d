#!/bin/bash
# fetch-kernel.sh SERIES   (SERIES = 6.1 or 6.12)
# Downloads Debian bookworm's newest amd64 kernel image + headers of SERIES with
# apt-get download and unpacks them (without installing) into
#   $VEXFS_CACHE/kernels/<version>/root
# then runs depmod on the private root. Prints one line "KVER ROOT":
#   KVER  the kernel release (uname -r in the guest)
#   ROOT  the private root; $ROOT/boot/vmlinuz-$KVER, $ROOT/lib/modules/$KVER,
#         and the build tree at $ROOT/lib/modules/$KVER/build
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${1:?usage: fetch-kernel.sh 6.1|6.12}
need_pkgs "${VEXFS_BUILD_PKGS[@]}"

# Newest ABI of the series that has both an image and a headers package.
case "$series" in
6.1)  pat='^linux-headers-6\.1\.0-[0-9]+-amd64$' ;;
6.12) pat='^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' ;;
*) die "unknown kernel series $series" ;;
esac

pick() {
	apt-cache pkgnames linux-headers-"$series" 2>/dev/null | grep -E "$pat" |
		sed -e 's/^linux-headers-//' -e 's/-amd64$//' | sort -V -r
}
# The answer is remembered until apt's lists change (apt-get update): every
# VM boot asks, and apt-cache costs two seconds a call.
memo=$VEXFS_CACHE/kernels/pick-$series
if [ -s "$memo" ] && [ "$memo" -nt /var/lib/apt/lists ]; then
	read -r kver root < "$memo"
	if [ -f "$VEXFS_CACHE/kernels/$kver/.done" ]; then
		echo "$kver $root"
		exit 0
	fi
fi
abis=$(pick)
if [ -z "$abis" ]; then
	apt-get update -q >/dev/null
	abis=$(pick)
fi
abi=""
for a in $abis; do
	if apt-cache show "linux-image-$a-amd64-unsigned" >/dev/null 2>&1 ||
		apt-cache show "linux-image-$a-amd64" >/dev/null 2>&1; then
		abi=$a; break
	fi
done
[ -n "$abi" ] || die "no linux-headers/linux-image pair for $series in apt"
kver=$abi-amd64
dir=$VEXFS_CACHE/kernels/$kver
root=$dir/root

if [ ! -f "$dir/.done" ]; then
	log "fetching Debian kernel $kver"
	rm -rf "$dir"; mkdir -p "$dir/debs" "$root"
	cd "$dir/debs"
	img=linux-image-$kver-unsigned
	apt-cache show "$img" >/dev/null 2>&1 || img=linux-image-$kver
	common=$(apt-cache depends "linux-headers-$kver" | awk '/Depends: linux-headers-.*-common/ {print $2; exit}')
	kbuild=$(apt-cache depends "linux-headers-$kver" "$common" |
		awk '/Depends: linux-kbuild-/ {print $2; exit}')
	[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve header dependencies of $kver"
	apt-get download -q "$img" "linux-headers-$kver" "$common" "$kbuild" >/dev/null ||
		die "apt-get download failed for $kver"
	for d in ./*.deb; do dpkg-deb -x "$d" "$root"; done
	cd "$dir"; rm -rf debs
	# The headers' Makefile includes the -common tree by absolute path:
	# point it into the private root instead.
	hdr=$root/usr/src/linux-headers-$kver
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$hdr/Makefile"
	grep -q "include $root/usr/src/" "$hdr/Makefile" || die "could not relocate $hdr/Makefile"
	ln -sfn "$hdr" "$root/lib/modules/$kver/build"
	depmod -b "$root" "$kver"
	touch "$dir/.done"
fi
echo "$kver $root" > "$memo.tmp" && mv "$memo.tmp" "$memo"
echo "$kver $root"
