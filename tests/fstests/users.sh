#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Give fstests its users (fsgqa, fsgqa2, 123456-fsgqa) and group (fsgqa) on a
# guest whose /etc is read-only (the host's / over 9p, tmpfs on /tmp).
#
# useradd cannot work there (it renames files in /etc), so copy the four
# account files to tmpfs, append the entries and bind-mount each copy over the
# original. Home directories go to tmpfs too: su prints a warning into the
# test's output when the home directory is missing. Run as root before
# ./check; undo with umount /etc/{passwd,group,shadow,gshadow}.
set -euo pipefail

d=${1:-/tmp/fstests-etc}
mkdir -p "$d" /tmp/fstests-home
for f in passwd group shadow gshadow; do
	[ -f /etc/$f ] || continue
	# a second run finds its own copies already mounted there
	findmnt -rn --mountpoint /etc/$f >/dev/null || cp -a /etc/$f "$d/$f"
done
# uid/gid 30001.. are unused on Debian (system < 1000, users from 1000)
add() { grep -q "^${2%%:*}:" "$d/$1" || printf '%s\n' "$2" >>"$d/$1"; }
add group   'fsgqa:x:30001:'
add group   'fsgqa2:x:30002:'
add passwd  'fsgqa:x:30001:30001::/tmp/fstests-home/fsgqa:/bin/bash'
add passwd  'fsgqa2:x:30002:30002::/tmp/fstests-home/fsgqa2:/bin/bash'
add passwd  '123456-fsgqa:x:30003:30001::/tmp/fstests-home/123456-fsgqa:/bin/bash'
add shadow  'fsgqa:*:19000:0:99999:7:::'
add shadow  'fsgqa2:*:19000:0:99999:7:::'
add shadow  '123456-fsgqa:*:19000:0:99999:7:::'
[ -f "$d/gshadow" ] && add gshadow 'fsgqa:!::' && add gshadow 'fsgqa2:!::'
for u in fsgqa:30001:30001 fsgqa2:30002:30002 123456-fsgqa:30003:30001; do
	IFS=: read -r name uid gid <<<"$u"
	mkdir -p /tmp/fstests-home/"$name"
	chown "$uid:$gid" /tmp/fstests-home/"$name"
done
for f in passwd group shadow gshadow; do
	[ -f "$d/$f" ] || continue
	findmnt -rn --mountpoint /etc/$f >/dev/null || mount --bind "$d/$f" /etc/$f
done
# nscd would serve stale answers; Debian's base system has none
su -s /bin/sh fsgqa -c 'id' >/dev/null
