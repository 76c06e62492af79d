#!/bin/bash
# Build (or reuse) the KUnit kernel: Debian's linux-source-6.12, tinyconfig plus
# scripts/kunit.config. The result is cached under
#   $VEXFS_CACHE/kunit/<sha256(fragment, source version, gcc version)>/
# and holds the configured, built tree (bzImage + everything an M= module build
# needs). Prints that directory on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_pkgs "${VEXFS_BUILD_PKGS[@]}" linux-source-6.12

frag=$VEXFS_TOP/scripts/kunit.config
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( { cat "$frag"; echo "$srcver"; gcc --version | head -1; } | sha256sum | cut -c1-16)
dir=$VEXFS_CACHE/kunit/$key
tree=$dir/linux

if [ -f "$dir/.done" ]; then
	echo "$tree"
	exit 0
fi

log "building KUnit kernel $key (linux-source $srcver); takes ~10-15 min on 2 cores"
rm -rf "$dir"
mkdir -p "$dir"
tar -C "$dir" -xf /usr/src/linux-source-6.12.tar.xz
mv "$dir"/linux-source-6.12 "$tree"
cd "$tree"
make -s tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m .config "$frag" >/dev/null
make -s olddefconfig >/dev/null

# Every requested symbol must have survived olddefconfig.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		sym=${line%%=*} val=${line#*=}
		got=$(grep -E "^$sym=" .config | cut -d= -f2- || true)
		if [ "$got" != "$val" ]; then
			log "config: $sym wanted $val, got '${got:-unset}'"; bad=1
		fi ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		if grep -qE "^$sym=" .config; then log "config: $sym should be unset"; bad=1; fi ;;
	esac
done < "$frag"
[ $bad = 0 ] || die "KUnit kernel config lost symbols (see above)"

start=$(date +%s)
make -s -j"$(nproc)" bzImage modules_prepare >"$dir/build.log" 2>&1 ||
	{ tail -40 "$dir/build.log" >&2; die "KUnit kernel build failed"; }
# Module.symvers of the built-in symbols for M= builds.
make -s -j"$(nproc)" modules >>"$dir/build.log" 2>&1 ||
	{ tail -40 "$dir/build.log" >&2; die "KUnit kernel modules build failed"; }
log "KUnit kernel built in $(( $(date +%s) - start )) s"
touch "$dir/.done"
echo "$tree"
