// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * SipHash-2-4 for userspace, bit-compatible with the kernel's siphash()
 * (lib/siphash.c): VexFS directory hashes must match between vexfs.ko and
 * mkfs/fsck. Checked against the reference test vectors in
 * tests/user/test_format.c. Written here because Debian ships no siphash
 * library with this interface.
 */
#include "vexfs/compat.h"

#define ROTL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL64(v1, 13); v1 ^= v0; v0 = ROTL64(v0, 32); \
	v2 += v3; v3 = ROTL64(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL64(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL64(v1, 17); v1 ^= v2; v2 = ROTL64(v2, 32); \
} while (0)

u64 siphash(const void *data, size_t len, const siphash_key_t *key)
{
	const u8 *p = data, *end = p + (len - (len % 8));
	u64 v0 = 0x736f6d6570736575ULL, v1 = 0x646f72616e646f6dULL;
	u64 v2 = 0x6c7967656e657261ULL, v3 = 0x7465646279746573ULL;
	u64 b = ((u64)len) << 56, m;
	int left = len & 7;

	v3 ^= key->key[1];
	v2 ^= key->key[0];
	v1 ^= key->key[1];
	v0 ^= key->key[0];
	for (; p != end; p += 8) {
		m = get_unaligned_le64(p);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	while (left--)
		b |= ((u64)p[left]) << (8 * left);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (v0 ^ v1) ^ (v2 ^ v3);
}
