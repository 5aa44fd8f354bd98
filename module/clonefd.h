/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * clonefd.h - internal interfaces of the clonefd module.
 *
 * object.c  struct clonefd: lifetime, the pending and tracked tables, exit
 *           record, the clonefd file.  Its header comment is the reference
 *           for semantics, locking and references.
 * ioctl.c   /dev/clonefd's CLONEFD_IOC_CLONE4.
 * seccomp.c the caller's seccomp filter, applied as to clone(2).
 * hooks.c   the kernel hooks: kernel_clone() transfer, sched_process_fork,
 *           do_notify_parent() and release_task().
 * main.c    module init/exit, the misc device.
 */
#ifndef _CLONEFD_INTERNAL_H
#define _CLONEFD_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list_bl.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/clonefd.h>

#include "compat.h"

/*
 * CLONE_AUTOREAP as implemented by clonefd's do_notify_parent() hook: the
 * flag on kernels without a native one, 0 on those that have it.
 */
#define CLONEFD_HOOK_AUTOREAP	(CLONE_AUTOREAP & ~CLONEFD_NATIVE_FLAGS)

struct file;
struct kernel_clone_args;
struct seccomp_data;

struct clonefd {
	refcount_t		refs;
	u64			flags;		/* const: clone flags of the request */
	struct task_struct	*parent;	/* const: pending-table key */
	struct pid		*pid;		/* tracked-table key, set once at attach */
	struct hlist_bl_node	pending_node;	/* pending bucket lock */
	struct hlist_bl_node	tracked_node;	/* tracked bucket lock */
	atomic_t		recorded;	/* 0 -> 1 once: claims writing @info */
	bool			exited;		/* release/acquire: @info is valid */
	struct clonefd_info	info;		/* written once before @exited */
	wait_queue_head_t	wqh;		/* readers and pollers of @exited */
	struct rcu_head		rcu;
};

/* object.c */
struct clonefd *clonefd_alloc(u64 flags);
void clonefd_put(struct clonefd *cfd);
struct file *clonefd_file_create(struct clonefd *cfd, unsigned int o_flags);
void clonefd_pending_add(struct clonefd *cfd);
void clonefd_pending_del(struct clonefd *cfd);
void clonefd_fork_attach(struct task_struct *parent, struct task_struct *child);
bool clonefd_exit_notify(struct task_struct *tsk);
void clonefd_release(struct task_struct *tsk);

/* hooks.c */
int clonefd_hooks_init(void);
void clonefd_hooks_exit(void);
pid_t clonefd_kernel_clone(struct kernel_clone_args *kargs);
clonefd_seccomp_ret clonefd_secure_computing(const struct seccomp_data *sd);

/* seccomp.c */
int clonefd_seccomp_check(struct file *dev, const struct clonefd_clone4_args *req);
void clonefd_seccomp_release(struct task_struct *tsk);

/* ioctl.c */
long clonefd_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _CLONEFD_INTERNAL_H */
