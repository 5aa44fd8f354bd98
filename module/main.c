// SPDX-License-Identifier: GPL-2.0-only
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
/*
 * clonefd - CLONE_FD and CLONE_AUTOREAP for stock kernels, via /dev/clonefd.
 *
 * See object.c for the object model and hooks.c for the kernel hooks.
 */
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "clonefd.h"

static const struct file_operations clonefd_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= clonefd_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice clonefd_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "clonefd",
	.fops	= &clonefd_dev_fops,
	.mode	= 0666,
};

static int __init clonefd_init(void)
{
	int err;

	err = clonefd_objects_init();
	if (err)
		return err;
	err = clonefd_hooks_init();
	if (err)
		goto out_objects;
	err = misc_register(&clonefd_misc);
	if (err) {
		pr_err("cannot register /dev/clonefd: %d\n", err);
		goto out_hooks;
	}
	return 0;

out_hooks:
	clonefd_hooks_exit();
out_objects:
	clonefd_objects_exit();
	return err;
}

static void __exit clonefd_exit(void)
{
	misc_deregister(&clonefd_misc);
	clonefd_hooks_exit();
	clonefd_objects_exit();
}

module_init(clonefd_init);
module_exit(clonefd_exit);

MODULE_DESCRIPTION("CLONE_FD and CLONE_AUTOREAP process creation via /dev/clonefd");
MODULE_AUTHOR("The clonefd developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(CLONEFD_VERSION);
