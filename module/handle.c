// SPDX-License-Identifier: GPL-2.0-only
/*
 * handle.c - the clonefd as a process handle, like a pidfd or a FreeBSD
 * process descriptor: ioctls that act on the child, /proc/PID/fdinfo, and
 * CLONE_PIDFD_AUTOKILL.  The uapi header is the reference for semantics.
 *
 * Everything here reaches the child through the object's struct pid (a
 * reference held from attach to free), never through a pid number: a
 * signal or a pidfd can only ever be for the process the clonefd was made
 * for.  "Exited" is the published record (object.c), "released" the end of
 * tracking: the pid is gone (reaped).
 */
#include <linux/capability.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "clonefd.h"

/* CLONEFD_IOC_GET_PID: the pid in the caller's namespace, 0 if not there. */
static long clonefd_ioc_get_pid(struct clonefd *cfd)
{
	if (READ_ONCE(cfd->released))
		return -ESRCH;
	return pid_vnr(cfd->pid);
}

/*
 * CLONEFD_IOC_SEND_SIGNAL: kill(2) for the whole process, permission rules
 * included (kill_pid() without privilege: SI_USER from the caller).
 */
static long clonefd_ioc_send_signal(struct clonefd *cfd, unsigned long sig)
{
	if (!valid_signal(sig))
		return -EINVAL;
	if (clonefd_has_exited(cfd))
		return -ESRCH;
	return kill_pid(cfd->pid, sig, 0);
}

/*
 * CLONEFD_IOC_PIDFD: the kernel makes the pidfd (pidfd_open(2), reached by
 * a transfer stub, hooks.c), from the child's pid number in the caller's
 * namespace.  That number is the child's while it is not released; should
 * it be released and reused in between, the pidfd is for another struct
 * pid, which the check below catches (ESRCH, as if it had been released
 * first).  pidfd_open() always sets close-on-exec, so the file moves to a
 * descriptor with the flags asked for.
 */
static long clonefd_ioc_pidfd(struct clonefd *cfd, unsigned long flags)
{
	struct pt_regs regs = {};
	struct file *file;
	pid_t nr;
	long fd;

	if (flags & ~(unsigned long)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	nr = READ_ONCE(cfd->released) ? 0 : pid_vnr(cfd->pid);
	if (!nr)
		return -ESRCH;
	clonefd_regs_set_syscall2(&regs, nr, flags & O_NONBLOCK);
	fd = clonefd_sys_pidfd_open(&regs);
	if (fd < 0)
		return fd;
	file = fget(fd);
	close_fd(fd);
	if (!file)
		return -ESRCH;
	if (clonefd_pidfd_pid(file) != cfd->pid) {
		fput(file);
		return -ESRCH;
	}
	fd = get_unused_fd_flags(flags & O_CLOEXEC);
	if (fd < 0) {
		fput(file);
		return fd;
	}
	fd_install(fd, file);
	return fd;
}

/*
 * CLONEFD_IOC_GET_RUSAGE, size-versioned: @usize is the caller's struct
 * size; a larger struct gets its unknown tail zeroed.
 */
static long clonefd_ioc_get_rusage(struct clonefd *cfd, void __user *uru, size_t usize)
{
	size_t ksize = sizeof(cfd->rusage);

	BUILD_BUG_ON(sizeof(struct clonefd_rusage) != CLONEFD_RUSAGE_SIZE_VER0);
	if (usize < CLONEFD_RUSAGE_SIZE_VER0)
		return -EINVAL;
	if (!clonefd_has_exited(cfd))
		return -EAGAIN;
	if (cfd->lost)
		return -EIO;
	if (copy_to_user(uru, &cfd->rusage, min(usize, ksize)))
		return -EFAULT;
	if (usize > ksize && clear_user(uru + ksize, usize - ksize))
		return -EFAULT;
	return 0;
}

long clonefd_file_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct clonefd *cfd = file->private_data;

	/* Size-versioned: routed by number, whatever the size. */
	if (_IOC_TYPE(cmd) == CLONEFD_IOC_MAGIC &&
	    _IOC_NR(cmd) == _IOC_NR(CLONEFD_IOC_GET_RUSAGE) &&
	    _IOC_DIR(cmd) == _IOC_READ)
		return clonefd_ioc_get_rusage(cfd, (void __user *)arg, _IOC_SIZE(cmd));

	switch (cmd) {
	case CLONEFD_IOC_GET_PID:
		return clonefd_ioc_get_pid(cfd);
	case CLONEFD_IOC_SEND_SIGNAL:
		return clonefd_ioc_send_signal(cfd, arg);
	case CLONEFD_IOC_PIDFD:
		return clonefd_ioc_pidfd(cfd, arg);
	default:
		return -ENOTTY;
	}
}

/*
 * As a pidfd's fdinfo, in the reader's pid namespace (Pid: -1 once
 * released, 0 if not visible; NSpid: then the deeper levels); then the
 * state and, once exited, the record.
 */
void clonefd_file_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct clonefd *cfd = file->private_data;
	struct pid_namespace *ns = task_active_pid_ns(current);
	pid_t nr = READ_ONCE(cfd->released) ? -1 : pid_nr_ns(cfd->pid, ns);
	unsigned int i;

	seq_put_decimal_ll(m, "Pid:\t", nr);
	seq_put_decimal_ll(m, "\nNSpid:\t", nr);
	if (nr > 0)
		for (i = ns->level + 1; i <= cfd->pid->level; i++)
			seq_put_decimal_ll(m, "\t", cfd->pid->numbers[i].nr);
	if (!clonefd_has_exited(cfd)) {
		seq_puts(m, "\nState:\trunning\n");
		return;
	}
	seq_puts(m, "\nState:\texited\n");
	if (cfd->lost)
		return;
	seq_printf(m, "Code:\t%u\nStatus:\t%u\nUtime:\t%llu\nStime:\t%llu\n",
		   cfd->info.code, cfd->info.status, cfd->info.utime, cfd->info.stime);
}

/*
 * The clonefd file is going away (its last reference): with
 * CLONE_PIDFD_AUTOKILL the child's whole process is killed, privileged
 * (the rules were checked when the child was made, see ioctl.c).  A file
 * whose clone failed has no pid.
 */
void clonefd_autokill(struct clonefd *cfd)
{
	if ((cfd->flags & CLONE_PIDFD_AUTOKILL) && cfd->pid && !clonefd_has_exited(cfd))
		kill_pid(cfd->pid, SIGKILL, 1);
}
