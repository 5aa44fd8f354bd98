/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * clonefd.h - internal interfaces of the clonefd module.
 *
 * object.c  struct clonefd: lifetime, the pending and tracked tables, exit
 *           record, the clonefd file.  Its header comment is the reference
 *           for semantics, locking and references.
 * ioctl.c   /dev/clonefd's CLONEFD_IOC_CLONE4.
 * handle.c  the clonefd as a process handle: its ioctls, fdinfo, autokill.
 * seccomp.c the caller's seccomp filter, applied as to clone(2).
 * hooks.c   the kernel hooks: kernel_clone() transfer, sched_process_fork,
 *           sched_process_exec, do_notify_parent(), proc_flush_pid() and
 *           sched_process_exit.
 * main.c    module init/exit, the misc device.
 */
#ifndef _CLONEFD_INTERNAL_H
#define _CLONEFD_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list_bl.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include <linux/clonefd.h>

#include "compat.h"

/*
 * CLONE_AUTOREAP as implemented by clonefd's do_notify_parent() hook: the
 * flag on kernels without a native one, 0 on those that have it.
 */
#define CLONEFD_HOOK_AUTOREAP	(CLONE_AUTOREAP & ~CLONEFD_NATIVE_FLAGS)
/* CLONE_NNP as set by clonefd's fork tracepoint: before 7.1. */
#define CLONEFD_HOOK_NNP	(CLONE_NNP & ~CLONEFD_NATIVE_FLAGS)

struct file;
struct kernel_clone_args;
struct pt_regs;
struct seccomp_data;
struct seq_file;

/*
 * Field tags: (c) constant once the object is published; (p) the parent's
 * ioctl task only; (1) written once, before the object is linked where it is
 * read; (b) the bucket lock of the table it links; (t) tasklist_lock, see
 * object.c; (r) refcount; (a) atomic or release/acquire.
 */
struct clonefd {
	refcount_t		refs;		/* (r) */
	u64			flags;		/* (c) clone flags of the request */
	struct task_struct	*parent;	/* (c) pending-table key */
	struct pid		*pid;		/* (1) tracked-table key */
	struct hlist_bl_node	pending_node;	/* (b) pending table */
	struct rhash_head	tracked_node;	/* tracked table (rhashtable) */
	struct hlist_bl_node	overflow_node;	/* (b) tracked overflow list */
	bool			attached;	/* (p) the fork linked it */
	bool			overflow;	/* (1) in the overflow list */
	bool			lost;		/* (t) exit never recorded */
	bool			released;	/* (a) WRITE_ONCE: the pid is gone */
	atomic_t		recorded;	/* (a) 0 -> 1 once: claims @info */
	bool			exited;		/* (a) @info/@rusage/@lost valid */
	struct clonefd_info	info;		/* (t) written once before @exited */
	struct clonefd_rusage	rusage;		/* (t) likewise */
	wait_queue_head_t	wqh;		/* readers and pollers of @exited */
	struct rcu_head		rcu;		/* kfree_rcu() */
};

/* object.c */
struct clonefd *clonefd_alloc(u64 flags);
void clonefd_put(struct clonefd *cfd);
struct file *clonefd_file_create(struct clonefd *cfd, unsigned int o_flags);
void clonefd_pending_add(struct clonefd *cfd);
void clonefd_pending_del(struct clonefd *cfd);
void clonefd_fork_attach(struct task_struct *parent, struct task_struct *child);
struct clonefd *clonefd_exit_notify(struct task_struct *tsk, bool *reap);
void clonefd_exit_notified(struct clonefd *cfd, bool released);
void clonefd_release_pid(struct pid *pid);
void clonefd_exec(struct task_struct *tsk);
int clonefd_objects_init(void);
void clonefd_objects_exit(void);

static inline bool clonefd_has_exited(struct clonefd *cfd)
{
	/* Pairs with clonefd_publish(): the record is valid once true. */
	return smp_load_acquire(&cfd->exited);
}

/* handle.c */
long clonefd_file_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
void clonefd_file_show_fdinfo(struct seq_file *m, struct file *file);
void clonefd_autokill(struct clonefd *cfd);

/* hooks.c */
int clonefd_hooks_init(void);
void clonefd_hooks_exit(void);
bool clonefd_hooks_armed(void);
pid_t clonefd_kernel_clone(struct kernel_clone_args *kargs);
long clonefd_sys_pidfd_open(const struct pt_regs *regs);
clonefd_seccomp_ret clonefd_secure_computing(const struct seccomp_data *sd);

/* seccomp.c */
int clonefd_seccomp_check(struct file *dev, bool owns_ref,
			  const struct clonefd_clone4_args *req);
void clonefd_seccomp_exit(struct task_struct *tsk);

/* ioctl.c */
long clonefd_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

#endif /* _CLONEFD_INTERNAL_H */
