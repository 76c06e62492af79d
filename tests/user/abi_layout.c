// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * abi_layout.c - print the layout of the VexFS ioctl ABI as the C compiler
 * sees include/vexfs/vexfs_ioctl.h, for tests/user/test_python_abi.py:
 *   S name size          a struct and its sizeof
 *   F struct field offset size
 *   I name value         an ioctl number
 * Every field of every struct is listed; the Python test also parses the
 * header's text, so a field missing here fails there.
 */
#include <stddef.h>
#include <stdio.h>
#include "vexfs/vexfs_ioctl.h"

#define S(s) printf("S %s %zu\n", #s, sizeof(struct s))
#define F(s, f) printf("F %s %s %zu %zu\n", #s, #f, offsetof(struct s, f), \
		       sizeof(((struct s *)0)->f))
#define I(n) printf("I %s %lu\n", #n, (unsigned long)(n))

int main(void)
{
	S(vexfs_vec_user_meta);
	F(vexfs_vec_user_meta, model); F(vexfs_vec_user_meta, model_version);
	F(vexfs_vec_user_meta, confidence); F(vexfs_vec_user_meta, reserved);

	S(vexfs_ioc_attach);
	F(vexfs_ioc_attach, size); F(vexfs_ioc_attach, flags); F(vexfs_ioc_attach, dtype);
	F(vexfs_ioc_attach, compression); F(vexfs_ioc_attach, dims); F(vexfs_ioc_attach, data);
	F(vexfs_ioc_attach, data_len); F(vexfs_ioc_attach, codebook); F(vexfs_ioc_attach, meta);
	F(vexfs_ioc_attach, vector_id);

	S(vexfs_vec_info);
	F(vexfs_vec_info, vector_id); F(vexfs_vec_info, file_inode); F(vexfs_vec_info, dtype);
	F(vexfs_vec_info, compression); F(vexfs_vec_info, dims); F(vexfs_vec_info, original_size);
	F(vexfs_vec_info, stored_size); F(vexfs_vec_info, created_ns);
	F(vexfs_vec_info, modified_ns); F(vexfs_vec_info, checksum); F(vexfs_vec_info, flags);
	F(vexfs_vec_info, meta);

	S(vexfs_ioc_get);
	F(vexfs_ioc_get, size); F(vexfs_ioc_get, flags); F(vexfs_ioc_get, vector_id);
	F(vexfs_ioc_get, data); F(vexfs_ioc_get, data_len); F(vexfs_ioc_get, pad);
	F(vexfs_ioc_get, info);

	S(vexfs_ioc_list);
	F(vexfs_ioc_list, size); F(vexfs_ioc_list, flags); F(vexfs_ioc_list, start_id);
	F(vexfs_ioc_list, ids); F(vexfs_ioc_list, capacity); F(vexfs_ioc_list, count);
	F(vexfs_ioc_list, next_id); F(vexfs_ioc_list, total);

	S(vexfs_ioc_detach);
	F(vexfs_ioc_detach, size); F(vexfs_ioc_detach, flags); F(vexfs_ioc_detach, vector_id);

	S(vexfs_ioc_stats);
	F(vexfs_ioc_stats, size); F(vexfs_ioc_stats, flags); F(vexfs_ioc_stats, vectors);
	F(vexfs_ioc_stats, files); F(vexfs_ioc_stats, live_bytes); F(vexfs_ioc_stats, alloc_bytes);
	F(vexfs_ioc_stats, chunks); F(vexfs_ioc_stats, next_id); F(vexfs_ioc_stats, max_dims);
	F(vexfs_ioc_stats, max_data); F(vexfs_ioc_stats, block_size); F(vexfs_ioc_stats, pad);

	S(vexfs_ioc_codebook_add);
	F(vexfs_ioc_codebook_add, size); F(vexfs_ioc_codebook_add, flags);
	F(vexfs_ioc_codebook_add, blob); F(vexfs_ioc_codebook_add, blob_len);
	F(vexfs_ioc_codebook_add, id);

	S(vexfs_ioc_codebook_get);
	F(vexfs_ioc_codebook_get, size); F(vexfs_ioc_codebook_get, flags);
	F(vexfs_ioc_codebook_get, id); F(vexfs_ioc_codebook_get, count);
	F(vexfs_ioc_codebook_get, blob); F(vexfs_ioc_codebook_get, blob_len);
	F(vexfs_ioc_codebook_get, dims); F(vexfs_ioc_codebook_get, m);
	F(vexfs_ioc_codebook_get, blob_crc);

	S(vexfs_search_result);
	F(vexfs_search_result, vector_id); F(vexfs_search_result, inode);
	F(vexfs_search_result, generation); F(vexfs_search_result, distance);

	S(vexfs_ioc_search);
	F(vexfs_ioc_search, size); F(vexfs_ioc_search, flags); F(vexfs_ioc_search, dtype);
	F(vexfs_ioc_search, metric); F(vexfs_ioc_search, dims); F(vexfs_ioc_search, nq);
	F(vexfs_ioc_search, k); F(vexfs_ioc_search, queries); F(vexfs_ioc_search, queries_len);
	F(vexfs_ioc_search, comp_mask); F(vexfs_ioc_search, like_id); F(vexfs_ioc_search, model);
	F(vexfs_ioc_search, results); F(vexfs_ioc_search, results_len); F(vexfs_ioc_search, pad);
	F(vexfs_ioc_search, compared); F(vexfs_ioc_search, corrupt); F(vexfs_ioc_search, ef);
	F(vexfs_ioc_search, approx);

	S(vexfs_ioc_paths);
	F(vexfs_ioc_paths, size); F(vexfs_ioc_paths, flags); F(vexfs_ioc_paths, inode);
	F(vexfs_ioc_paths, generation); F(vexfs_ioc_paths, count); F(vexfs_ioc_paths, buf);
	F(vexfs_ioc_paths, buf_len); F(vexfs_ioc_paths, needed);

	S(vexfs_ioc_index);
	F(vexfs_ioc_index, size); F(vexfs_ioc_index, op); F(vexfs_ioc_index, flags);
	F(vexfs_ioc_index, dims); F(vexfs_ioc_index, metric); F(vexfs_ioc_index, r);
	F(vexfs_ioc_index, alpha); F(vexfs_ioc_index, ef_construction); F(vexfs_ioc_index, lo);
	F(vexfs_ioc_index, hi); F(vexfs_ioc_index, model); F(vexfs_ioc_index, state);
	F(vexfs_ioc_index, node_size); F(vexfs_ioc_index, nodes); F(vexfs_ioc_index, live);
	F(vexfs_ioc_index, bytes); F(vexfs_ioc_index, indexed);

	S(vexfs_vec_xattr);
	F(vexfs_vec_xattr, vx_magic); F(vexfs_vec_xattr, vx_dtype);
	F(vexfs_vec_xattr, vx_compression); F(vexfs_vec_xattr, vx_dims);
	F(vexfs_vec_xattr, vx_data_len); F(vexfs_vec_xattr, vx_created_ns);
	F(vexfs_vec_xattr, vx_modified_ns); F(vexfs_vec_xattr, vx_meta);

	I(VEXFS_IOC_SHUTDOWN); I(VEXFS_IOC_VEC_ATTACH); I(VEXFS_IOC_VEC_GET);
	I(VEXFS_IOC_VEC_LIST); I(VEXFS_IOC_VEC_DETACH); I(VEXFS_IOC_VEC_STATS);
	I(VEXFS_IOC_CODEBOOK_ADD); I(VEXFS_IOC_CODEBOOK_GET); I(VEXFS_IOC_SEARCH);
	I(VEXFS_IOC_INO_PATHS); I(VEXFS_IOC_INDEX);
	return 0;
}
