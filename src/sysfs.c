// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs.c - /sys/fs/vexfs/<dev>/ counters: free_blocks, free_inodes,
 * total_blocks, total_inodes, errors, block_allocs, block_frees, state.
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>
#include "vexfs.h"

static struct kset *vexfs_kset;

struct vexfs_attr {
	struct attribute attr;
	ssize_t (*show)(struct vexfs_sb_info *sbi, char *buf);
};

#define VEXFS_ATTR_RO(_n)						\
static struct vexfs_attr vexfs_attr_##_n = {				\
	.attr = { .name = __stringify(_n), .mode = 0444 },		\
	.show = _n##_show,						\
}

static ssize_t free_blocks_show(struct vexfs_sb_info *sbi, char *buf)
{
	return sysfs_emit(buf, "%lld\n", percpu_counter_sum_positive(&sbi->s_free_blocks));
}

static ssize_t free_inodes_show(struct vexfs_sb_info *sbi, char *buf)
{
	return sysfs_emit(buf, "%lld\n", percpu_counter_sum_positive(&sbi->s_free_inodes));
}

static ssize_t total_blocks_show(struct vexfs_sb_info *sbi, char *buf)
{
	return sysfs_emit(buf, "%llu\n", sbi->s_geom.blocks);
}

static ssize_t total_inodes_show(struct vexfs_sb_info *sbi, char *buf)
{
	return sysfs_emit(buf, "%llu\n", sbi->s_geom.inodes);
}

static ssize_t errors_show(struct vexfs_sb_info *sbi, char *buf)
{
	return sysfs_emit(buf, "%llu\n", le64_to_cpu(sbi->s_es->s_error_count) +
			  (u64)atomic64_read(&sbi->s_stat_errors));
}

static ssize_t block_allocs_show(struct vexfs_sb_info *sbi, char *buf)
{
	return sysfs_emit(buf, "%lld\n", (s64)atomic64_read(&sbi->s_stat_allocs));
}

static ssize_t block_frees_show(struct vexfs_sb_info *sbi, char *buf)
{
	return sysfs_emit(buf, "%lld\n", (s64)atomic64_read(&sbi->s_stat_frees));
}

static ssize_t state_show(struct vexfs_sb_info *sbi, char *buf)
{
	if (vexfs_forced_shutdown(sbi->sb))
		return sysfs_emit(buf, "shutdown\n");
	return sysfs_emit(buf, "%s\n", sb_rdonly(sbi->sb) ? "ro" : "rw");
}

VEXFS_ATTR_RO(free_blocks);
VEXFS_ATTR_RO(free_inodes);
VEXFS_ATTR_RO(total_blocks);
VEXFS_ATTR_RO(total_inodes);
VEXFS_ATTR_RO(errors);
VEXFS_ATTR_RO(block_allocs);
VEXFS_ATTR_RO(block_frees);
VEXFS_ATTR_RO(state);

static struct attribute *vexfs_attrs[] = {
	&vexfs_attr_free_blocks.attr,
	&vexfs_attr_free_inodes.attr,
	&vexfs_attr_total_blocks.attr,
	&vexfs_attr_total_inodes.attr,
	&vexfs_attr_errors.attr,
	&vexfs_attr_block_allocs.attr,
	&vexfs_attr_block_frees.attr,
	&vexfs_attr_state.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vexfs);

static ssize_t vexfs_attr_show(struct kobject *kobj, struct attribute *attr, char *buf)
{
	struct vexfs_sb_info *sbi = container_of(kobj, struct vexfs_sb_info, s_kobj);
	struct vexfs_attr *a = container_of(attr, struct vexfs_attr, attr);

	return a->show(sbi, buf);
}

static const struct sysfs_ops vexfs_sysfs_ops = {
	.show = vexfs_attr_show,
};

static void vexfs_kobj_release(struct kobject *kobj)
{
	struct vexfs_sb_info *sbi = container_of(kobj, struct vexfs_sb_info, s_kobj);

	complete(&sbi->s_kobj_unregister);
}

static const struct kobj_type vexfs_ktype = {
	.default_groups	= vexfs_groups,
	.sysfs_ops	= &vexfs_sysfs_ops,
	.release	= vexfs_kobj_release,
};

int vexfs_sysfs_register(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);
	int err;

	init_completion(&sbi->s_kobj_unregister);
	sbi->s_kobj.kset = vexfs_kset;
	err = kobject_init_and_add(&sbi->s_kobj, &vexfs_ktype, NULL, "%s", sb->s_id);
	if (err) {
		kobject_put(&sbi->s_kobj);
		wait_for_completion(&sbi->s_kobj_unregister);
	}
	return err;
}

void vexfs_sysfs_unregister(struct super_block *sb)
{
	struct vexfs_sb_info *sbi = VEXFS_SB(sb);

	kobject_del(&sbi->s_kobj);
	kobject_put(&sbi->s_kobj);
	wait_for_completion(&sbi->s_kobj_unregister);
}

int vexfs_sysfs_init(void)
{
	vexfs_kset = kset_create_and_add("vexfs", NULL, fs_kobj);
	return vexfs_kset ? 0 : -ENOMEM;
}

void vexfs_sysfs_exit(void)
{
	kset_unregister(vexfs_kset);
}
