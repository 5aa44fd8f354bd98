// SPDX-License-Identifier: GPL-2.0-only
/*
 * ioctl.c - CLONEFD_IOC_CLONE4: clone the caller, from its own registers,
 * optionally with a clonefd and/or CLONE_AUTOREAP.
 *
 * The request is checked completely, and everything that can fail (the
 * object, the fd, the file, writing the fd number to user memory) is done
 * before the child exists, so a failure leaves nothing behind.  The child
 * itself is created by the kernel's own kernel_clone(), which enforces
 * namespaces, RLIMIT_NPROC, the pids cgroup and LSM hooks as for clone(2).
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/uaccess.h>

#include "clonefd.h"
#include "compat.h"

/* clone(2)'s 32 flags minus the exit signal byte and what clonefd reserves. */
#define CLONEFD_LEGACY_FLAGS	(0xffffffffULL & ~(CSIGNAL | CLONE_PIDFD | CLONE_DETACHED))
#define CLONEFD_VALID_FLAGS	(CLONEFD_LEGACY_FLAGS | CLONE_CLEAR_SIGHAND | \
				 CLONE_AUTOREAP | CLONE_NNP | CLONE_PIDFD_AUTOKILL | \
				 CLONE_FD | CSIGNAL)
#define CLONEFD_FD_FLAGS	(O_CLOEXEC | O_NONBLOCK)

static int clonefd_check_flags(const struct clonefd_clone4_args *req)
{
	u64 flags = req->flags;
	int exit_signal = flags & CSIGNAL;

	if (flags & ~CLONEFD_VALID_FLAGS || !valid_signal(exit_signal))
		return -EINVAL;
	/*
	 * Linux 7.1's CLONE_AUTOREAP rules (where kernel_clone() has them
	 * too, this gives the same errors before anything is allocated).
	 */
	if ((flags & CLONE_AUTOREAP) &&
	    (exit_signal || (flags & (CLONE_PARENT | CLONE_THREAD))))
		return -EINVAL;
	/* A clonefd stands for a process, not a thread. */
	if ((flags & (CLONE_FD | CLONE_NNP)) && (flags & CLONE_THREAD))
		return -EINVAL;
	/* Linux 7.1's CLONE_PIDFD_AUTOKILL rules, CLONE_FD for CLONE_PIDFD. */
	if ((flags & CLONE_PIDFD_AUTOKILL) &&
	    (flags & (CLONE_FD | CLONE_AUTOREAP)) != (CLONE_FD | CLONE_AUTOREAP))
		return -EINVAL;
	if (!(flags & CLONE_FD) && (req->clonefd || req->clonefd_flags))
		return -EINVAL;
	if (req->clonefd_flags & ~(u64)CLONEFD_FD_FLAGS)
		return -EINVAL;
	return 0;
}

/*
 * An unprivileged parent must not be able to kill a setuid program its
 * child exec'd: without no_new_privs, autokill takes CAP_SYS_ADMIN (7.1).
 */
static int clonefd_check_autokill(const struct clonefd_clone4_args *req)
{
	if (!(req->flags & CLONE_PIDFD_AUTOKILL) || (req->flags & CLONE_NNP))
		return 0;
	return ns_capable(current_user_ns(), CAP_SYS_ADMIN) ? 0 : -EPERM;
}

/* clone3()'s stack rules: start and size both set or both zero. */
static int clonefd_check_stack(const struct clonefd_clone4_args *req)
{
	if (!req->stack_start)
		return req->stack_size ? -EINVAL : 0;
	if (!req->stack_size ||
	    !access_ok(u64_to_user_ptr(req->stack_start), req->stack_size))
		return -EINVAL;
	return 0;
}

static int clonefd_copy_args(struct clonefd_clone4_args *req,
			     const void __user *uargs, size_t usize)
{
	BUILD_BUG_ON(sizeof(*req) != CLONEFD_CLONE4_ARGS_SIZE_VER0);
	if (usize < CLONEFD_CLONE4_ARGS_SIZE_VER0)
		return -EINVAL;
	return copy_struct_from_user(req, sizeof(*req), uargs, usize);
}

/*
 * The clone itself.  @dev is the ioctl's /dev/clonefd file: the reference
 * vfs_ioctl() borrowed from the fd table may not span the clone (a
 * CLONE_FILES child can close the fd meanwhile), so take our own.
 */
static pid_t clonefd_clone(struct file *dev, const struct clonefd_clone4_args *req)
{
	u64 flags = req->flags;
	struct kernel_clone_args kargs = {
		.flags		= flags & (CLONEFD_LEGACY_FLAGS | CLONE_CLEAR_SIGHAND |
					   CLONEFD_NATIVE_FLAGS),	/* never AUTOKILL */
		.exit_signal	= flags & CSIGNAL,
		.parent_tid	= u64_to_user_ptr(req->ptid),
		.child_tid	= u64_to_user_ptr(req->ctid),
		.stack		= clonefd_stack_pointer(req->stack_start, req->stack_size),
		.stack_size	= req->stack_size,
		.tls		= req->tls,
	};
	pid_t pid;

	get_file(dev);
	pid = clonefd_kernel_clone(&kargs);
	fput(dev);
	return pid;
}

/*
 * Clone with the child attached by the fork tracepoint: tracked for
 * CLONE_FD and CLONE_AUTOREAP (whose exit signal the module keeps at 0
 * across exec, and which it reaps where the kernel does not), given
 * no_new_privs for CLONE_NNP where the kernel does not do it.
 */
static long clonefd_clone_tracked(struct file *dev, const struct clonefd_clone4_args *req)
{
	struct file *file = NULL;
	struct clonefd *cfd;
	int fd = -1;
	pid_t pid;

	cfd = clonefd_alloc(req->flags);
	if (!cfd)
		return -ENOMEM;

	if (req->flags & CLONE_FD) {
		fd = get_unused_fd_flags(req->clonefd_flags & O_CLOEXEC);
		if (fd < 0) {
			pid = fd;
			goto out_put;
		}
		file = clonefd_file_create(cfd, req->clonefd_flags);
		if (IS_ERR(file)) {
			pid = PTR_ERR(file);
			goto out_fd;
		}
		if (put_user(fd, (int __user *)u64_to_user_ptr(req->clonefd))) {
			pid = -EFAULT;
			goto out_file;
		}
	}

	clonefd_pending_add(cfd);
	pid = clonefd_clone(dev, req);
	clonefd_pending_del(cfd);
	if (pid < 0)
		goto out_file;

	if (file)
		fd_install(fd, file);
	clonefd_put(cfd);
	return pid;

out_file:
	if (file)
		fput(file);
out_fd:
	if (fd >= 0)
		put_unused_fd(fd);
out_put:
	clonefd_put(cfd);
	return pid;
}

long clonefd_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	/* Whether fdget() took a reference on @file: see seccomp.c. */
	bool owns_ref = atomic_read(&current->files->count) > 1;
	struct clonefd_clone4_args req;
	int err;

	if (_IOC_TYPE(cmd) != _IOC_TYPE(CLONEFD_IOC_CLONE4) ||
	    _IOC_NR(cmd) != _IOC_NR(CLONEFD_IOC_CLONE4) ||
	    _IOC_DIR(cmd) != _IOC_WRITE)
		return -ENOTTY;
	/* A child the hooks cannot see would break every promise. */
	if (!clonefd_hooks_armed())
		return -ENOLINK;

	err = clonefd_copy_args(&req, (const void __user *)arg, _IOC_SIZE(cmd));
	if (err)
		return err;
	/* Policy first, as for clone(2): the filter runs at syscall entry. */
	err = clonefd_seccomp_check(file, owns_ref, &req);
	if (err)
		return err;
	err = clonefd_check_flags(&req);
	if (err)
		return err;
	err = clonefd_check_stack(&req);
	if (err)
		return err;
	err = clonefd_check_autokill(&req);
	if (err)
		return err;
	if (req.flags & (CLONE_FD | CLONE_AUTOREAP | CLONEFD_HOOK_NNP))
		return clonefd_clone_tracked(file, &req);
	return clonefd_clone(file, &req);
}
