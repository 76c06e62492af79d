// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Userspace CRC32C hook for the shared core: libext2fs's ext2fs_crc32c_le()
 * is the same raw Castagnoli update as the kernel's crc32c().
 */
#include <ext2fs/ext2fs.h>
#include "vexfs/compat.h"

u32 vexfs_crc32c(u32 crc, const void *buf, size_t len)
{
	return ext2fs_crc32c_le(crc, buf, len);
}

u32 vexfs_crc32c_zeros(u32 crc, size_t len)
{
	static const u8 zero[4096];

	for (; len > sizeof(zero); len -= sizeof(zero))
		crc = ext2fs_crc32c_le(crc, zero, sizeof(zero));
	return ext2fs_crc32c_le(crc, zero, len);
}
