// SPDX-License-Identifier: GPL-2.0
/* placeholder: replaced by the real superblock code */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/fs_context.h>

static int vexfs_get_tree(struct fs_context *fc)
{
	return -EINVAL;
}

static const struct fs_context_operations vexfs_context_ops = {
	.get_tree = vexfs_get_tree,
};

static int vexfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &vexfs_context_ops;
	return 0;
}

static struct file_system_type vexfs_fs_type = {
	.owner = THIS_MODULE,
	.name = "vexfs",
	.init_fs_context = vexfs_init_fs_context,
	.kill_sb = kill_block_super,
	.fs_flags = FS_REQUIRES_DEV,
};

static int __init vexfs_init(void)
{
	return register_filesystem(&vexfs_fs_type);
}

static void __exit vexfs_exit(void)
{
	unregister_filesystem(&vexfs_fs_type);
}

module_init(vexfs_init);
module_exit(vexfs_exit);
MODULE_LICENSE("GPL");
MODULE_ALIAS_FS("vexfs");
