# Filesystem tests under the KUnit (debug) kernel: KASAN, lockdep, kmemleak and
# DEBUG_ATOMIC_SLEEP watch the module while it runs real workloads. Runs in the
# busybox initramfs (static test programs in /bin) via scripts/check.sh.
echo VEXFS-FSDEBUG-START
pass=0; fail=0
t() { if "$@"; then pass=$((pass + 1)); echo "ok - $*"; else fail=$((fail + 1)); echo "not ok - $*"; fi; }
t insmod /vexfs.ko
mkdir -p /mnt/v /tmp
t mkfs.vexfs -q /dev/vda
t mount -t vexfs /dev/vda /mnt/v
# freeze: the journal barrier must not be held into userspace (lockdep)
echo x > /mnt/v/frozen; t fsfreeze --freeze /mnt/v; t fsfreeze --unfreeze /mnt/v; rm /mnt/v/frozen
# a char device node on VexFS, opened, then deleted: its inode must leave the
# device's list of inodes (cd_forget, by mode) before it is freed; opening a
# new node of the same device walks that list (KASAN: use-after-free before)
t mknod /mnt/v/cdev c 1 3
t cat /mnt/v/cdev
t rm /mnt/v/cdev
sleep 1
t mknod /tmp/cdev2 c 1 3
t cat /tmp/cdev2
rm -f /tmp/cdev2
posix /mnt/v --other /tmp; t test $? = 0
fsx -N 3000 -S 7 -p 1000 /mnt/v/fsx.dat; t test $? = 0
t umount /mnt/v
t fsck.vexfs -n /dev/vda
t mount -t vexfs /dev/vda /mnt/v
# the vector store: ioctls, xattr view, unlink, concurrency
mkdir -p /mnt/v/d
vectors fill /mnt/v/d 300 10; t test $? = 0
t umount /mnt/v
t mount -t vexfs /dev/vda /mnt/v
vectors verify /mnt/v/d 300 10; t test $? = 0
vectors unlink-half /mnt/v/d 300; t test $? = 0
vectors badinput /mnt/v /tmp; t test $? = 0
vectors semantics /mnt/v; t test $? = 0
vectors race /mnt/v 20; t test $? = 0
# stress-ng's filesystem stressors (the stock-kernel VM test's set) under KASAN and lockdep
mkdir -p /mnt/v/s
/bin/ld-linux-x86-64.so.2 --library-path /bin /bin/stress-ng --temp-path /mnt/v/s \
	--dir 2 --dentry 2 --link 2 --symlink 2 --rename 2 --hdd 2 --hdd-bytes 16M \
	--fallocate 1 --fallocate-bytes 8M --chmod 1 --utime 1 --xattr 1 --filename 1 \
	--mmap 1 --mmap-bytes 8M --mmap-file --seek 1 --seek-size 8M --lockf 1 \
	--timeout 15s --metrics-brief; t test $? = 0
t rm -rf /mnt/v/s
t umount /mnt/v
t fsck.vexfs -n /dev/vda
t mount -t vexfs /dev/vda /mnt/v
vectors verify /mnt/v/d 300 10 --half; t test $? = 0
t umount /mnt/v
# syscall and ioctl fuzzing (tests/fuzz/sysfuzz.c): refused vector ioctls
# change nothing; 4 processes x 25,000 random calls on shared files; each
# shutdown mode cutting a storm, then replay and fsck
t mkfs.vexfs -q -f /dev/vda
t mount -t vexfs /dev/vda /mnt/v
mkdir -p /mnt/v/r /mnt/v/s
sysfuzz refuse /mnt/v/r 2000 1; t test $? = 0
sysfuzz storm /mnt/v/s 4 25000 1; t test $? = 0
t test "$(cat /sys/fs/vexfs/vda/errors)" = 0
t umount /mnt/v
t fsck.vexfs -n /dev/vda
for m in 0 1 2; do
	t mount -t vexfs /dev/vda /mnt/v
	sysfuzz shutdown /mnt/v/s 4 $m; t test $? = 0
	t umount /mnt/v
	t mount -t vexfs /dev/vda /mnt/v
	t umount /mnt/v
	t fsck.vexfs -n /dev/vda
done
# the graph ANN index: attach, detach, approximate search, unlink and index
# drop / create all at once (lock order of the index, the store and the journal)
t mkfs.vexfs -q -f /dev/vda
t mount -t vexfs /dev/vda /mnt/v
annrace /mnt/v/a 6; t test $? = 0
t umount /mnt/v
t fsck.vexfs -n /dev/vda
t rmmod vexfs
echo scan > /sys/kernel/debug/kmemleak; sleep 6; echo scan > /sys/kernel/debug/kmemleak
cat /sys/kernel/debug/kmemleak
echo "# vm-test: $pass passed, $fail failed"
echo VEXFS-FSDEBUG-END
[ $fail = 0 ]
